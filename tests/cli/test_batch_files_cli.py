"""`oauthpy batch` reads what people write and survives a full disk (red-team N10, N14), with
the real codex against the fake."""

from __future__ import annotations

import json
from pathlib import Path

from oauthpy.testing import Echo, text
from tests.support import assert_no_leftovers, batch


def test_a_jsonl_input_with_a_bom_and_comment_lines_runs_as_json_lines(
    openai_fake, codex_env: dict[str, str], tmp_path: Path, workdir: Path
):
    openai_fake.script(Echo())
    items = tmp_path / "items.jsonl"
    lines = [
        "# reviews to label, written in Notepad",
        json.dumps({"id": "r-1", "prompt": "label token-0001"}),
        "  # a note between items",
        json.dumps({"id": "r-2", "prompt": "label token-0002", "expected": "x"}),
    ]
    items.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    out = tmp_path / "out.jsonl"
    proc = batch("codex", codex_env, str(items), "-o", str(out), "--cwd", str(workdir))
    assert proc.returncode == 0, proc.stderr
    results = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(results) == {"r-1", "r-2"}  # the ids of the file, not line numbers
    assert results["r-1"]["text"] == "echo token-0001"
    bodies = " ".join(r.body_text for r in openai_fake.model_requests())
    assert "reviews to label" not in bodies and '{\\"id\\"' not in bodies  # no line went as a prompt


def test_json_objects_in_a_file_read_as_prompts_are_refused_not_sent(
    codex_env: dict[str, str], tmp_path: Path, openai_fake
):
    items = tmp_path / "items.jsonl"
    items.write_text('Summarize the README\n{"id": "r-1", "prompt": "label this"}\n')
    out = tmp_path / "out.jsonl"
    proc = batch("codex", codex_env, str(items), "-o", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "line(s) 2 look like JSON; nothing was started" in proc.stderr
    assert not out.exists() and openai_fake.model_requests() == []


def test_a_full_disk_under_output_is_one_error_line_and_exit_2(
    openai_fake, codex_env: dict[str, str], tmp_path: Path, workdir: Path
):
    openai_fake.script(text("an answer"))
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"id": f"i{n}", "prompt": f"p{n}"}) + "\n" for n in range(3)))
    proc = batch("codex", codex_env, str(items), "-o", "/dev/full", "--cwd", str(workdir), "-j", "1")
    assert proc.returncode == 2, proc.stderr
    assert (
        "error: cannot write OUTPUT /dev/full: No space left on device; the batch was stopped" in proc.stderr
    )
    assert "hint: make room" in proc.stderr and "--resume" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert_no_leftovers(codex_env, within_s=10)
