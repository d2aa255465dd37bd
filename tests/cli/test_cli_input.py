"""Piped input reaches the model or is reported, never silently dropped (issue 25, item 4)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from oauthpy.cli.stdin import STDIN_WAIT_S
from oauthpy.testing import text
from tests.cli.test_cli import OAUTHPY, oauthpy

DIFF = "diff --git a/app.py b/app.py\n-    return 1\n+    return 2\n"


def test_run_sends_the_argument_then_the_piped_stdin_as_its_context(openai_fake, codex_env, workdir: Path):
    openai_fake.script(text("looks fine"))
    proc = oauthpy(
        "run", "-p", "codex", "--cwd", str(workdir), "Review this change", env=codex_env, stdin=DIFF
    )
    assert (proc.returncode, proc.stdout) == (0, "looks fine\n"), proc.stderr
    body = openai_fake.model_requests()[0].body_text
    # one user message: the argument, a newline, then the diff (JSON escapes the newlines)
    assert "Review this change\\ndiff --git a/app.py b/app.py\\n-    return 1\\n+    return 2" in body


def test_run_help_says_how_the_argument_and_stdin_combine():
    out = " ".join(oauthpy("run", "--help").stdout.split())
    assert "piped stdin follows it on the next line, as its context" in out
    assert 'git diff | oauthpy run -p claude "Review this change"' in out


def test_run_with_an_open_silent_stdin_says_so_and_runs_the_argument_alone(
    openai_fake, codex_env, workdir: Path, tmp_path: Path
):
    openai_fake.script(text("answered"))
    out, err = tmp_path / "out", tmp_path / "err"
    started = time.monotonic()
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [*OAUTHPY, "run", "-p", "codex", "--cwd", str(workdir), "just this"],
            env={**os.environ, **codex_env},
            stdin=subprocess.PIPE,  # held open and never written: a launcher's idle pipe
            stdout=stdout,
            stderr=stderr,
        )
        try:
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
            assert proc.stdin
            proc.stdin.close()
    assert (proc.returncode, out.read_text()) == (0, "answered\n"), err.read_text()
    said = f"oauthpy: no input on stdin within {STDIN_WAIT_S:g} s, running the prompt alone"
    assert said in err.read_text()
    assert time.monotonic() - started >= STDIN_WAIT_S
    assert '"just this"' in openai_fake.model_requests()[0].body_text


def test_batch_says_that_data_piped_to_it_is_not_read(tmp_path: Path):
    items = tmp_path / "items.jsonl"
    items.write_text("")  # refused before any run: nothing spawned, nothing to wait for
    proc = oauthpy(
        "batch", "-p", "codex", str(items), "-o", str(tmp_path / "out.jsonl"), stdin='{"prompt": "x"}\n'
    )
    assert proc.returncode == 2
    assert f"oauthpy: stdin is not read: the items come from {items} ('-' reads stdin)" in proc.stderr
    quiet = oauthpy("batch", "-p", "codex", str(items), "-o", str(tmp_path / "out.jsonl"))
    assert "stdin is not read" not in quiet.stderr  # nothing piped: nothing to say
