"""``oauthpy batch``'s output on codex: its live bar on a terminal, and ``--schema`` per item (the
shared batch suites are tests/contract/test_batch_command.py and test_batch_map.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from oauthpy import Client
from oauthpy.testing import Echo, Match, text
from oauthpy.testing.script import Tokens
from tests.contract.batch_cases import BOUND_S, read_lines, tokens, write_items


def test_on_a_terminal_the_progress_is_a_live_bar(openai_fake, codex_env: dict[str, str], tmp_path: Path):
    import pexpect

    openai_fake.script(Echo())
    items = write_items(tmp_path / "items.jsonl", tokens(4))
    out = tmp_path / "out.jsonl"
    work = tmp_path / "work"
    work.mkdir()
    screen = pexpect.run(
        f"{sys.executable} -m oauthpy.cli batch -p codex --source external --cwd {work} {items} -o {out}",
        env={**os.environ, **codex_env, "TERM": "xterm"},
        encoding="utf-8",
        timeout=BOUND_S,
    )
    assert "0/4" in screen and "\x1b[" in screen, screen  # rich drew the bar
    assert "batch: 4 ok, 0 failed of 4" in screen
    assert len(read_lines(out)) == 4


def test_schema_output_is_parsed_per_item_and_a_mismatch_is_a_failed_line(
    openai_fake, codex_env: dict[str, str], tmp_path: Path
):
    openai_fake.script(Match("no-json-please", text("not json at all"), otherwise=text('{"label": "spam"}')))
    schema = tmp_path / "label.schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"label": {"type": "string"}}}))
    items = tmp_path / "prompts.txt"  # a prompt per line: ids are line numbers
    items.write_text("label this mail\n\nno-json-please\n")
    out = tmp_path / "out.jsonl"
    work = tmp_path / "work"
    work.mkdir()
    argv = [sys.executable, "-m", "oauthpy.cli", "batch", "-p", "codex", "--source", "external"]
    proc = subprocess.run(
        [*argv, "--cwd", str(work), str(items), "-o", str(out), "--schema", str(schema), "-m", "gpt-5"],
        env={**os.environ, **codex_env},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
    )
    assert proc.returncode == 1, proc.stderr
    lines = {line["id"]: line for line in read_lines(out)}
    assert lines[1]["ok"] and lines[1]["output"] == {"label": "spam"}
    assert not lines[3]["ok"] and lines[3]["error"]["type"] == "StructuredOutputError"
    # the mismatched answer was paid for: its tokens are on its line and in the batch's total
    assert lines[3]["usage"] == lines[1]["usage"] and lines[3]["usage"]["output_tokens"] == Tokens().output
    assert lines[3]["model"] == lines[1]["model"] == "gpt-5"  # a model of oauthpy's price table
    assert lines[3]["cost_usd"] == lines[1]["cost_usd"] and lines[3]["cost_estimated"]
    assert lines[3]["session_id"] is None  # an ephemeral item's conversation was not kept
    total = 2 * lines[1]["usage"]["total_tokens"]
    assert "1 ok, 1 failed of 2 in" in proc.stderr and f"{total:,} tokens" in proc.stderr, proc.stderr


def test_with_keep_sessions_a_failed_schema_line_names_the_conversation_to_ask_again_in(
    openai_fake, codex_env: dict[str, str], tmp_path: Path
):
    openai_fake.script(text("not json at all"), text('{"label": "ham"}'))
    schema = tmp_path / "label.schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"label": {"type": "string"}}}))
    items = tmp_path / "prompts.txt"
    items.write_text("label MAIL-7\n")
    out = tmp_path / "out.jsonl"
    work = tmp_path / "work"
    work.mkdir()
    argv = [sys.executable, "-m", "oauthpy.cli", "batch", "-p", "codex", "--source", "external", "--cwd"]
    proc = subprocess.run(
        [*argv, str(work), str(items), "-o", str(out), "--schema", str(schema), "--keep-sessions"],
        env={**os.environ, **codex_env},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
    )
    assert proc.returncode == 1, proc.stderr
    (line,) = read_lines(out)
    assert not line["ok"] and line["error"]["type"] == "StructuredOutputError" and line["session_id"]
    # the id is the conversation itself: asked again there, the model sees its first answer
    with Client("codex", auth_source="external", env=codex_env).session(
        resume=line["session_id"], cwd=work
    ) as session:
        assert session.run(
            "Answer in JSON this time", output_schema=json.loads(schema.read_text())
        ).output == {"label": "ham"}
    last = openai_fake.model_requests()[-1].body_text
    assert "MAIL-7" in last and "not json at all" in last
