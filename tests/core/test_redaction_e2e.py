"""Redaction end to end (issue 13) of what oauthpy prints, on one agent (Claude Code against its
fake): the REPL, a value of the run's env echoed by the model, answers returned unchanged. The
`oauthpy` command is called in-process, so the fake's env goes in through os.environ. What
every agent's runs must mask: tests/contract/test_redaction.py."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, EventKind
from oauthpy._redact import MASK
from oauthpy.cli import main
from oauthpy.cli.repl import Repl
from oauthpy.testing import Reply, text
from tests.support import assert_no_leftovers, model_for

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


# -- item 2 (and 9): a key streamed in pieces, on stdout once, masked ----------------------------


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
