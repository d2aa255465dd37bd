"""Redaction end to end (issue 13): the real CLIs against the fakes, through the library and the
`oauthpy` command (called in-process, so the fakes' env goes in through os.environ)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, CommandExecutionError, EventKind, OauthPyError
from oauthpy._redact import MASK
from oauthpy.cli import main
from oauthpy.cli.repl import Repl
from oauthpy.testing import HttpError, Reply, text
from tests.support import assert_no_leftovers, model_for, open_rig

GITHUB_KEY = "ghp_Ab3dEfGh1jKlMn0pQrStUvWx0123456789"
OPENAI_KEY = "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx0123456789"
SPLIT_REPLY = f"Your token is {GITHUB_KEY} keep it."  # 4 chunks cut the key in 3 places


def windows(secret: str, size: int = 8) -> list[str]:
    """Every piece of ``secret`` long enough to matter: none may be shown."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def shows_any(output: str, secret: str) -> bool:
    return any(w in output for w in windows(secret))


def cli(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> int:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return main(list(args))


def run_args(provider: str, workdir: Path, *extra: str) -> list[str]:
    model = model_for(provider)
    model_args = ["-m", model] if model else []
    return ["run", "-p", provider, "--source", "external", "--cwd", str(workdir), *model_args, *extra]


def fake_and_env(request: pytest.FixtureRequest, provider: str) -> tuple[Any, dict[str, str]]:
    fake = request.getfixturevalue(f"{provider}_fake")
    return fake, request.getfixturevalue(f"{provider}_env")


# -- item 2 (and 9): a key streamed in pieces, on stdout once, masked ----------------------------


@pytest.mark.parametrize(
    "provider", ["claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]
)
def test_run_stream_masks_a_key_split_across_deltas_and_prints_the_answer_once(
    provider: str, request: pytest.FixtureRequest, workdir: Path, monkeypatch, capsys
):
    fake, env = fake_and_env(request, provider)
    fake.script(Reply(text=SPLIT_REPLY, chunks=4))
    assert cli(monkeypatch, env, *run_args(provider, workdir, "--stream", "go")) == 0
    out = capsys.readouterr().out
    assert out == f"Your token is {MASK} keep it.\n"
    assert_no_leftovers(env)


@pytest.mark.parametrize(
    "provider", ["claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]
)
def test_run_json_shows_no_piece_of_a_key_split_across_deltas(
    provider: str, request: pytest.FixtureRequest, workdir: Path, monkeypatch, capsys
):
    fake, env = fake_and_env(request, provider)
    fake.script(Reply(text=SPLIT_REPLY, chunks=4))
    assert cli(monkeypatch, env, *run_args(provider, workdir, "--json", "go")) == 0
    out = capsys.readouterr().out
    assert not shows_any(out, GITHUB_KEY)
    events = json.loads(out)["events"]
    deltas = [e["text"] for e in events if e["kind"] == "message" and e.get("delta")]
    assert len(deltas) == 4 and "".join(deltas) == f"Your token is {MASK} keep it."


def test_chat_masks_a_split_key_and_prints_the_answer_once(
    anthropic_fake, claude_env, workdir: Path, monkeypatch, capsys
):
    for key, value in claude_env.items():
        monkeypatch.setenv(key, value)
    anthropic_fake.script(Reply(text=SPLIT_REPLY, chunks=4))
    repl = Repl("claude", "external", str(workdir))
    try:
        repl.handle("go")  # a turn of the REPL's claude session
    finally:
        repl.reset()
    assert capsys.readouterr().out == f"Your token is {MASK} keep it.\n"
    assert_no_leftovers(claude_env)


# -- item 4: a key of unknown shape from the run's env -------------------------------------------

# codex does not repeat the response body of a 429 or a 500, so there is nothing to mask there
ECHOED = [
    (provider, status)
    for provider in ("codex", "claude", "gemini")
    for status in (400, 401, 429, 500)
    if not (provider == "codex" and status in (429, 500))
]


@pytest.mark.parametrize(
    ("provider", "status"),
    [
        pytest.param(p, s, marks=[pytest.mark.xdist_group("gemini")] if p == "gemini" else [])
        for p, s in ECHOED
    ],
)
def test_an_env_value_of_unknown_shape_is_masked_in_http_errors(provider: str, status: int, tmp_path: Path):
    value = f"zq-internal-{uuid.uuid4().hex[:10]}"
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(HttpError(status, f"key {value} rejected"))
        with pytest.raises(OauthPyError) as err:
            rig.run(env={"CUSTOM_API_KEY": value})
        assert_no_leftovers(rig.env)
    exc = err.value
    shown = str(exc) + repr(exc) + str(vars(exc))  # message, hint, stderr, details, every field
    assert f"key {MASK} rejected" in str(exc)  # the vendor's words are there, the value is not
    assert value not in shown


@pytest.mark.parametrize(
    "provider", ["claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]
)
def test_an_env_value_is_masked_in_retry_summaries(provider: str, tmp_path: Path):
    value = f"zq-internal-{uuid.uuid4().hex[:10]}"
    retry = {"max_retries": 1, "retry_backoff_s": 0, "retry_jitter_s": 0}
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(HttpError(500, f"key {value} fell over"))
        with pytest.raises(CommandExecutionError) as err:
            rig.run(env={"CUSTOM_API_KEY": value}, provider_options=retry)
    assert err.value.retry is not None
    summaries = err.value.retry["attempt_errors"]
    assert len(summaries) == 2 and all(f"key {MASK} fell over" in s["message"] for s in summaries)
    assert value not in str(err.value) + json.dumps(summaries)


@pytest.mark.parametrize("mode", ["--stream", "--json"])
def test_an_env_value_echoed_by_the_model_is_masked_in_cli_output(
    mode: str, anthropic_fake, claude_env, workdir: Path, monkeypatch, capsys
):
    value = f"zq-internal-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CUSTOM_API_KEY", value)
    anthropic_fake.script(text(f"your key is {value}, right?"))
    assert cli(monkeypatch, claude_env, *run_args("claude", workdir, mode, "go")) == 0
    out = capsys.readouterr().out
    assert value not in out and f"your key is {MASK}, right?" in out


# -- item 3: codex's details hold the whole vendor message ---------------------------------------


def test_codex_error_details_do_not_hold_the_key_that_the_message_masks(
    openai_fake, codex_env, workdir: Path
):
    openai_fake.script(HttpError(400, f"Incorrect API key provided: {OPENAI_KEY}"))
    with pytest.raises(CommandExecutionError) as err:
        Client("codex", auth_source="external").run("hi", cwd=workdir, env=codex_env, timeout=60)
    assert err.value.details["message"]  # the vendor's message is kept, masked
    assert not shows_any(str(err.value.details) + str(err.value), OPENAI_KEY)


# -- item 8: answers come back unchanged; what oauthpy prints is redacted, without false alarms --

ANSWER = (
    "Wrote task-management-system-design.md; read it with api_key = os.environ['OPENAI_API_KEY'] "
    f"and Bearer authentication. Old key: {OPENAI_KEY}"
)


def test_the_library_returns_the_answer_unchanged(anthropic_fake, claude_env, workdir: Path):
    anthropic_fake.script(text(ANSWER, chunks=5))
    result = Client("claude", auth_source="external").run("go", cwd=workdir, env=claude_env, timeout=60)
    assert result.text == ANSWER
    deltas = [e.text for e in result.events if e.kind is EventKind.MESSAGE and e.delta]
    assert "".join(deltas) == ANSWER
    assert OPENAI_KEY not in repr(result) + "".join(repr(e) for e in result.events)


def test_cli_json_and_schema_output_keep_look_alikes_and_mask_keys(
    anthropic_fake, claude_env, workdir: Path, tmp_path: Path, monkeypatch, capsys
):
    from oauthpy.testing.anthropic import structured

    masked = ANSWER.replace(OPENAI_KEY, MASK)
    anthropic_fake.script(text(ANSWER))
    assert cli(monkeypatch, claude_env, *run_args("claude", workdir, "--json", "go")) == 0
    assert json.loads(capsys.readouterr().out)["text"] == masked

    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"file": {"type": "string"}, "key": {"type": "string"}},
        "required": ["file", "key"],
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    anthropic_fake.script(structured({"file": "task-management-system-design.md", "key": OPENAI_KEY}))
    assert (
        cli(
            monkeypatch,
            claude_env,
            *run_args("claude", workdir, "--schema", str(tmp_path / "schema.json"), "go"),
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == {"file": "task-management-system-design.md", "key": MASK}
