"""No secret survives into an error message or a repr."""

from __future__ import annotations

import io
import string
import threading
import uuid
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import CommandExecutionError, Event, EventKind, RunResult, SessionNotFoundError, Usage, redact
from oauthpy._describe import describe
from oauthpy._redact import MASK, MAX_HOLD, MAX_REMEMBERED, StreamRedactor, remember_secrets, secret_values
from oauthpy.cli import render

pytestmark = pytest.mark.fast

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


# AIza keys: 35. Real key bodies mix digits and letters; "sk-" + letters only is a word, not a key.
_BODY = st.builds(
    lambda a, d, c: a[:10] + d + c + a[10:],
    st.text(alphabet=string.ascii_letters + string.digits, min_size=33, max_size=43),
    st.sampled_from(string.digits),
    st.sampled_from(string.ascii_letters),
)
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
        "BEARER zq9Xk2mP7rT4",
        "token eyJa1234567.eyJb1234567.sig_1234567",
    ):
        assert "abc.def-123456" not in redact(text) and "zq9Xk2mP7rT4" not in redact(text)
    assert "eyJa1234567" not in redact("token eyJa1234567.eyJb1234567.sig_1234567")


# -- issue 13, item 8: no false positives; every shape still caught in every context ------------

FALSE_POSITIVES = [
    "see task-management-system-design.md and risk-assessment-2024-final.md",
    "docs/desk-reference-manual-v2.pdf, whisk-and-mask-recipes-v12.txt",
    "pip install scikit-learn; import sklearn; sk-learn is its old name",
    'api_key = os.environ["OPENAI_API_KEY"]',
    "api_key = os.environ.get('OPENAI_API_KEY')",
    "const apiKey = process.env.OPENAI_API_KEY;",
    "client = OpenAI(api_key=api_key)",
    "password = getpass.getpass()",
    'headers = {"Authorization": f"Bearer {token}"}',
    "headers['Authorization'] = 'Bearer ' + token",
    "curl -H 'Authorization: Bearer $TOKEN' https://api.example.com",
    "The API uses Bearer authentication; send Bearer tokens over TLS only.",
    "Authorization: required. The token: see below.",
    "usage: 40 output_tokens, max_tokens=4096, input_tokens: 1200",
    "thread 01a1fd30-8a8b-7ce2-8111-38606ff39c49 and request 9b2c1e7e-3f4a-4c1d-9e8f-0a1b2c3d4e5f",
    "commit 3511540a8f0e6c1d2b3a4f5e6d7c8b9a0f1e2d3c (short 3511540)",
    "the ASIA region, AKIA is a prefix, ghp_ is GitHub's, xoxb- is Slack's",
    "eyJhbGciOiJIUzI1NiJ9 alone is just a base64 header",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_ordinary_text_code_and_ids_are_left_alone(text):
    assert redact(text) == text


KEYS = {
    "openai": "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx",
    "openai-legacy": "sk-Ab3dEfGh1jKlMn0pQrStUvWx9876",
    "anthropic": "sk-ant-api03-Ab3dEfGh1jKlMn0pQrSt",
    "google": "AIzaSyA-b3dEfGh1jKlMn0pQrStUvWx12345",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_Ab3dEfGh1jKlMn0pQrStUvWx0123456789",
    "github-pat": "github_pat_11ABCDEFG0abcdefghijklmnop",
    "slack": "xoxb-1234567890-abcdefghij",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "google-oauth": "ya29.a0AfH6SMBx3dEfGh1jKlMn0pQrSt",
}
CONTEXTS = [
    "{}",
    "key {} rejected",
    '{{"api_key": "{}"}}',
    '{{"error": {{"message": "Incorrect API key provided: {}."}}}}',
    "OPENAI_API_KEY={}",
    "--api-key={}",
    "https://api.example.com/v1/models?key={}&alt=sse",
    "https://example.com/keys/{}/rotate",
    "'{}'",
    "Authorization: Bearer {}",
    "(key: {})",
    '"stderr": "line one\\n{}\\n"',  # JSON-escaped text: the key follows a literal \n
]


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("name", sorted(KEYS))
def test_every_credential_shape_is_masked_in_every_context(name, context):
    key = KEYS[name]
    shown = redact(context.format(key))
    assert key not in shown and key[:12] not in shown and MASK in shown


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Authorization: Bearer opaque-value-123", "opaque-value-123"),
        ("authorization: basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("x-api-key: hunter2-long", "hunter2-long"),
        ("x-goog-api-key: zq-internal-77", "zq-internal-77"),
        ('{"password": "correct-horse"}', "correct-horse"),
        ("API_KEY=Zq8internalSecret", "Zq8internalSecret"),
        ("export OPENAI_API_KEY=abc-def-123xyz", "abc-def-123xyz"),
        ("GITHUB_TOKEN=opaque_value_with_12digits99", "opaque_value_with_12digits99"),
        ("client_secret='abcd.efgh-1234'", "abcd.efgh-1234"),
        ("got Bearer zq9Xk2mP7rT4wV in the log", "zq9Xk2mP7rT4wV"),
    ],
)
def test_values_after_credential_names_are_masked_whatever_their_shape(text, value):
    assert value not in redact(text)


# -- item 4: literal values of the run's credential variables -----------------------------------


def test_a_remembered_value_is_masked_everywhere_redaction_applies():
    value = f"zq-internal-{uuid.uuid4().hex[:12]}"
    text = f"HTTP 401: key {value} is not valid"
    assert value in redact(text)  # an unknown shape: nothing would catch it
    remember_secrets(secret_values({"CUSTOM_API_KEY": value}))
    err = CommandExecutionError(text, stderr=text, details={"message": text}, hint=text)
    assert value not in str(err) + err.stderr + str(err.details) + str(err.hint)
    assert value not in repr(Event(EventKind.ERROR, text=text)) + repr(
        RunResult("codex", "cli", text, (), 0.1, "/", Usage())
    )
    assert value not in render.dumps(
        render.result_json(RunResult("codex", "cli", text, (), 0.1, "/", Usage()))
    )


def test_secret_values_pick_credentials_not_paths_flags_or_short_values():
    env = {
        "CUSTOM_API_KEY": "zq-internal-0001",
        "GITHUB_TOKEN": "opaque-token-value",
        "DB_PASSWORD": "correct horse battery",
        "OAUTHPY_FAKE_OPENAI_KEY": "sk-oauthpy-fake-0000",
        "SSH_AUTH_SOCK": "/tmp/ssh-XXXXabcd/agent.1234",
        "XAUTHORITY": "/run/user/1000/gdm/Xauthority",
        "GOOGLE_APPLICATION_CREDENTIALS": "~/keys/service-account.json",
        "GIT_AUTHOR_NAME": "Jane Q. Developer",
        "GEMINI_DEFAULT_AUTH_TYPE": "oauth-personal",
        "OAUTHPY_RUN_ID": "4f1c2d3e4f5a6b7c",
        "OAUTH_ENDPOINT": "https://login.example.com/oauth",
        "TOKEN_REFRESH_SECONDS": "36000000",
        "USE_AUTH": "true",
        "API_KEY": "short",
        "ANTHROPIC_AUTH_TOKEN": "",
        "PATH": "/usr/bin:/bin",
    }
    assert set(secret_values(env)) == {
        "zq-internal-0001",
        "opaque-token-value",
        "correct horse battery",
        "sk-oauthpy-fake-0000",
    }


def test_the_registry_is_bounded_and_keeps_the_newest_values():
    values = [f"zq-bounded-{i:05d}-{uuid.uuid4().hex[:6]}" for i in range(MAX_REMEMBERED + 10)]
    remember_secrets(values)
    shown = redact(" ".join(values))
    assert values[0] in shown and values[9] in shown  # the oldest were dropped
    assert values[10] not in shown and values[-1] not in shown


def test_remembering_and_redacting_from_many_threads_is_safe():
    values = [[f"zq-thread-{t}-{i}-{uuid.uuid4().hex[:6]}" for i in range(20)] for t in range(8)]
    failures: list[str] = []

    def work(mine: list[str]) -> None:
        for value in mine:
            remember_secrets([value])
            if value in redact(f"x {value} y"):
                failures.append(value)

    threads = [threading.Thread(target=work, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# -- item 3: every error attribute that holds vendor text ---------------------------------------


def test_error_details_are_redacted_recursively_like_the_message():
    key = KEYS["openai"]
    err = CommandExecutionError(
        f"codex run failed: {key}",
        stderr=f"stderr {key}",
        details={"message": f"Incorrect API key {key}", "nested": {"list": [key, (key, 1)]}, "status": 401},
        hint=f"check {key}",
    )
    assert key not in str(err) + err.stderr + repr(err.details) + str(err.hint) + repr(err)
    assert err.details["status"] == 401 and err.details["nested"]["list"][1][1] == 1
    assert err.details["message"] == f"Incorrect API key {MASK}"


def test_session_not_found_redacts_the_id_and_the_vendor_words():
    key = KEYS["github"]
    err = SessionNotFoundError(f"bad-{key}", f"vendor said {key}")
    assert key not in str(err) + err.session_id + err.message


# -- item 13: reprs redact first, then cut ------------------------------------------------------


def test_reprs_redact_before_cutting_so_no_key_prefix_shows():
    key = KEYS["google"]
    text = "x" * 44 + " " + key + " and more text after it"  # the cut at 77 falls inside the key
    event = Event(EventKind.MESSAGE, text=text)
    result = RunResult("gemini", "stream-json", text, (event,), 0.1, "/", Usage())
    for shown in (repr(event), repr(result)):
        assert key[:10] not in shown and MASK in shown


def test_describe_redacts_command_output_before_cutting_it():
    key = KEYS["google"]
    output = "y" * 100 + " " + key  # the 120-character cut falls inside the key
    line = describe(Event(EventKind.COMMAND, command="env", output=output, exit_code=0))
    assert line is not None and key[:10] not in line and MASK[:5] in line


# -- item 2: secrets split across streamed deltas -----------------------------------------------

STREAMED = [
    "your token is " + KEYS["github"] + " keep it safe",
    "the jwt " + KEYS["jwt"] + " expires soon",
    "send Authorization: Bearer opaque-value-123 with each call",
    "header x-api-key : hunter2-long-value next",
]


def pieces_of(text: str, cuts: list[int]) -> list[str]:
    bounds = [0, *sorted({c % (len(text) + 1) for c in cuts}), len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if b > a]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STREAMED), st.lists(st.integers(min_value=0, max_value=500), max_size=8))
def test_a_secret_streamed_in_pieces_is_masked_and_nothing_else_changes(text, cuts):
    redactor = StreamRedactor()
    shown = [redactor.feed(p) for p in pieces_of(text, cuts)] + [redactor.flush()]
    assert "".join(shown) == redact(text)  # same as redacting the whole text at once


def test_the_stream_redactor_holds_back_only_a_short_tail():
    redactor = StreamRedactor()
    assert redactor.feed("Hello there, wor") == "Hello there, "
    assert redactor.feed("ld! Your key: ghp_Ab3dEf") == "world! Your key: "
    assert redactor.feed("Gh1jKlMn0pQrStUvWx0123456789 ok") == f"{MASK} "
    assert redactor.feed(" send api_key: opaque") == "ok send "  # "api_key:" may lead a secret
    assert redactor.feed("-value-123 now") == f"api_key: {MASK} "
    assert redactor.flush() == "now"
    long_word = "z" * (MAX_HOLD + 1)
    assert redactor.feed(long_word) == long_word  # bounded: released once too long


def test_stream_printer_masks_a_key_split_across_deltas_and_prints_the_message_once():
    key = KEYS["github"]
    deltas = ["Here: " + key[:10], key[10:25], key[25:] + " done"]
    for item_id in ("msg_1", None):  # with ids (codex, claude) and without (gemini)
        out, err = io.StringIO(), io.StringIO()
        printer = render.StreamPrinter(out, err)
        for piece in deltas:
            printer.feed(Event(EventKind.MESSAGE, text=piece, delta=True, item_id=item_id))
        printer.feed(Event(EventKind.MESSAGE, text="".join(deltas), item_id=item_id))
        printer.feed_end()
        assert out.getvalue() == f"Here: {MASK} done\n"


def test_stream_printer_does_not_repeat_a_message_whose_deltas_carried_no_id():
    out = io.StringIO()
    printer = render.StreamPrinter(out, io.StringIO())
    for piece in ("Hel", "lo there"):
        printer.feed(Event(EventKind.MESSAGE, text=piece, delta=True))
    printer.feed(Event(EventKind.MESSAGE, text="Hello there", item_id="msg_9"))
    printer.feed(Event(EventKind.MESSAGE, text="Unstreamed", item_id="msg_10"))
    printer.feed_end()
    assert out.getvalue() == "Hello there\nUnstreamed\n"


def test_stream_printer_prints_a_message_once_when_other_events_come_between_its_deltas():
    out, err = io.StringIO(), io.StringIO()
    printer = render.StreamPrinter(out, err)
    printer.feed(Event(EventKind.MESSAGE, text="Hel", delta=True))
    printer.feed(Event(EventKind.OTHER, raw={"method": "usage_update"}))  # shows nothing
    printer.feed(Event(EventKind.MESSAGE, text="lo", delta=True))
    printer.feed(Event(EventKind.COMMAND, text="ls", command="ls", status="completed"))  # on err
    printer.feed(Event(EventKind.MESSAGE, text="Hello", item_id="msg_1"))
    printer.feed_end()
    assert out.getvalue() == "Hello\n"
    assert "[command]" in err.getvalue()


def test_json_output_redacts_a_messages_deltas_jointly():
    key = KEYS["jwt"]
    deltas = ["token " + key[:20], key[20:60], key[60:] + " end"]
    events = tuple(Event(EventKind.MESSAGE, text=p, delta=True, item_id="m") for p in deltas)
    events += (Event(EventKind.MESSAGE, text="".join(deltas), item_id="m"),)
    out = render.result_json(RunResult("claude", "sdk", "".join(deltas), events, 0.1, "/", Usage()))
    dumped = render.dumps(out)
    assert all(p not in dumped for p in (key[:20], key[20:60], key[60:]))
    shown = [e["text"] for e in out["events"] if e.get("delta")]
    assert len(shown) == 3 and "".join(shown) == f"token {MASK} end"


def test_repr_of_a_delta_shows_only_its_length():
    key = KEYS["github"]
    first, second = key[:18], key[18:]
    for piece in (first, second):
        shown = repr(Event(EventKind.MESSAGE, text=piece, delta=True))
        assert piece not in shown and f"text_len={len(piece)}" in shown


# -- item 8: answers are returned unchanged, printed redacted ------------------------------------


def test_the_cli_answer_text_is_redacted_while_the_result_keeps_the_answer():
    text = f"use {KEYS['openai']} for task-management-system-design.md"
    result = RunResult("codex", "cli", text, (), 0.1, "/", Usage(), output={"k": KEYS["openai"]})
    assert result.text == text
    assert render.answer_text(result) == f"use {MASK} for task-management-system-design.md"
    assert render.result_json(result)["output"] == {"k": MASK}


def test_a_structured_output_error_redacts_the_reply_before_cutting_it():
    from oauthpy._errors import StructuredOutputError
    from oauthpy._options import build_request
    from oauthpy._structured import parse_structured

    key = "AIza" + "Sy9xQ2mK7pL4nR8tV1wZ3bC6dF0gH5jE"  # 36 characters after the prefix
    reply = "x" * 280 + " " + key + " and more words after it"  # the 300-character cut falls in the key
    request = build_request("p", output_schema={"type": "object"})
    with pytest.raises(StructuredOutputError) as err:
        parse_structured(reply, request)
    assert "AIzaSy9x" not in str(err.value)


# -- red-team N12: secrets that were missed, and text that was masked for nothing ---------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("export MY_SECRET_SIGNING_KEY=abcdefghijk1", "abcdefghijk1"),
        ("DB_PASSWORD=hunter2hunter", "hunter2hunter"),
        ("connect to postgres://app:pw4db@db.internal:5432/main", "pw4db"),
        ("clone https://bob:s3cretpass@git.example.com/r.git", "s3cretpass"),
        (
            "key file:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nxyz\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA7",
        ),
        ("cut short: -----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk", "b3BlbnNzaC1rZXk"),
        ("GET /v1?key%3DAbC123xyz789%26alt%3Djson", "AbC123xyz789"),
        ("GET /v1?key=AbC123xyz789&alt=json", "AbC123xyz789"),
        ("api_key%3Dabcdef123456", "abcdef123456"),
        ("password: correct-horse-battery-staple", "correct-horse-battery-staple"),
    ],
)
def test_secrets_the_red_team_found_unmasked_are_masked(text: str, secret: str) -> None:
    shown = redact(text)
    assert secret not in shown and MASK in shown


@pytest.mark.parametrize(
    "text",
    [
        "access_token: expires_in=3600",
        "api-key: header-name",
        "password: !vault |",
        "sort_key=created_at, primary_key: id",
        "the key=value form",
        "see https://example.com/a:b@c and user@example.com",
    ],
)
def test_text_the_red_team_found_masked_for_nothing_is_left_alone(text: str) -> None:
    assert redact(text) == text
