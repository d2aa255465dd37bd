"""The test suite's own ACP agent in the shared suites: its provision (the defaults but a few)."""

from __future__ import annotations

from oauthpy.testing.provision import Provision

PROVISION = Provision(
    # a generic ACP agent: oauthpy knows no options of it for a lean run
    lean_share=None,
    # a Python script on the interpreter that runs the tests: it starts at once, needs no install
    starts_at_once=True,
    # it asks before every command it runs, as an ACP agent may, and has no switch that stops it
    always_asks=True,
    # a 401 in its ACP words ("Authentication required")
    error_body_statuses=(400, 429, 500),
    # a key is its only login
    login_vars=("OPENAI_API_KEY",),
    no_login_words="set OPENAI_API_KEY",
    unknown_session_words="Resource not found",
    # its session/load replays the prompts and the replies only
    transcript_keeps_commands=False,
)
