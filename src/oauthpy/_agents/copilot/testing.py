"""GitHub Copilot CLI in the test suites: its test provision (`PROVISION`)."""

from __future__ import annotations

from oauthpy.testing.provision import Provision


def _unasked_args(command: str) -> tuple[str, ...]:
    """Copilot asks before every command unless its command line allows it."""
    return (f"--allow-tool=shell({command}:*)",)


PROVISION = Provision(
    # the native program itself, not npm's Node launcher that runs it as its child: one process
    # per run
    pinned_var="OAUTHPY_TEST_COPILOT_BINARY",
    pinned_paths=(
        "tools/copilot/node_modules/@github/copilot-*/copilot",
        "tools/copilot/node_modules/.bin/copilot",
    ),
    unasked_args=_unasked_args,
    # its own provider settings reach the Responses API too (and the Messages API: there it
    # does not retry a 5xx itself, unlike own_retries says; tests/agents/copilot/test_copilot.py)
    more_fakes=("oauthpy.testing.responses:FakeResponsesServer",),
    # 429s, 5xx and cut streams; its errors name the status ("HTTP 401", "Last error: 500")
    own_retries=5,
    refusal_ends_turn=True,
    # its session/load replays a prompt without its images
    transcript_keeps_images=False,
    # it cannot open a session without writing its state
    full_disk_words="No space left on device",
)
