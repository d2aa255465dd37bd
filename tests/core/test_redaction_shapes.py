"""No secret survives ``redact``: every credential shape in every context, the values after
credential names, the remembered values of the run's credential variables, and what the red team
found; ordinary text, code and ids are left alone. Where redaction applies (errors, reprs, JSON,
streamed deltas, the CLI): test_redaction_outputs.py."""

from __future__ import annotations

import threading
import uuid

import pytest

from oauthpy import CommandExecutionError, Event, EventKind, RunResult, Usage, redact
from oauthpy._redact import MASK, MAX_REMEMBERED, remember_secrets, secret_values
from oauthpy.cli import render
from tests.core.redaction_cases import KEYS, SECRETS

pytestmark = pytest.mark.fast


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
