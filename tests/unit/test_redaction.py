"""No secret survives into an error message or a repr."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import CommandExecutionError, Event, EventKind, RunResult, Usage, redact

SECRETS = [
    "sk-proj-abcdefghijklmnopqrstuvwx1234",
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
    "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "gho_abcdefghijklmnopqrstuvwxyz0123456789",
    "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
    "ghu_abcdefghijklmnopqrstuvwxyz0123456789",
    "ghr_abcdefghijklmnopqrstuvwxyz0123456789",
    "sk-abcdefghijklmnopqrstuvwxyz012345",
    "ASIAIOSFODNN7EXAMPLE",
    "xoxp-1234567890-abcdefghij",
    "github_pat_11ABCDEFG0abcdefghijklmnop",
    "xoxb-1234567890-abcdefghij",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
]


def test_known_credential_shapes_are_masked():
    for secret in SECRETS:
        assert secret not in redact(f"error: key {secret} rejected"), secret


def test_bearer_and_api_key_headers_are_masked_whatever_the_value():
    assert "opaque-value-123" not in redact("Authorization: Bearer opaque-value-123")
    assert "opaque-value-123" not in redact("x-api-key: opaque-value-123")


def test_git_shas_and_uuids_are_left_alone():
    text = "commit 3511540a8f0e6c1d2b3a4f5e6d7c8b9a0f1e2d3c thread 01a1fd30-8a8b-7ce2-8111-38606ff39c49"
    assert redact(text) == text


def test_literal_env_secrets_are_masked_even_in_unknown_shapes():
    assert "hunter2-long" not in redact("pw is hunter2-long", ["hunter2-long"])


_BODY = st.text(alphabet=string.ascii_letters + string.digits, min_size=35, max_size=45)  # AIza keys: 35
_PREFIXES = (
    "sk-",
    "sk-proj-",
    "sk-ant-api03-",
    "AIza",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "ghr_",
    "github_pat_",
    "xoxb-",
)
secret_strategy = (
    st.sampled_from(SECRETS)
    | st.builds(lambda p, b: p + b, st.sampled_from(_PREFIXES), _BODY)
    | st.builds(lambda b: "AKIA" + b.upper()[:16].ljust(16, "X"), _BODY)
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=50), secret_strategy, st.text(max_size=50))
def test_a_planted_secret_never_survives_into_errors_or_reprs(before, secret, after):
    text = f"{before} {secret} {after}"
    err = CommandExecutionError(text, stderr=text, details={"x": 1})
    assert secret not in str(err) and secret not in err.stderr
    event = Event(EventKind.ERROR, text=text, command=text, raw={"k": secret})
    assert secret not in repr(event)
    result = RunResult("codex", "cli", text, (event,), 0.1, "/", Usage(), raw={"k": secret})
    assert secret not in repr(result)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), secret_strategy, st.text(max_size=40))
def test_a_planted_secret_never_survives_into_json_output(before, secret, after):
    from oauthpy.cli.render import dumps, event_json, result_json

    text = f"{before} {secret} {after}"
    event = Event(EventKind.COMMAND, text=text, command=text, output=text, tool_input={"arg": text})
    result = RunResult("claude", "sdk", text, (event,), 0.1, "/", Usage(), output={"answer": text})
    assert secret not in dumps(result_json(result))
    assert secret not in dumps(event_json(event))


def test_bearer_tokens_in_any_case_and_jwts():
    for text in (
        "authorization: bearer abc.def-123456",
        "BEARER zzzzzzzzzzzz",
        "token eyJa1234567.eyJb1234567.sig_1234567",
    ):
        assert "abc.def-123456" not in redact(text) and "zzzzzzzzzzzz" not in redact(text)
    assert "eyJa1234567" not in redact("token eyJa1234567.eyJb1234567.sig_1234567")
