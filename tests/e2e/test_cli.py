"""The `oauthpy` command through its real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OAUTHPY = [sys.executable, "-m", "oauthpy.cli"]


def test_demo_runs_the_real_codex_against_the_fake_and_prints_events():
    proc = subprocess.run([*OAUTHPY, "demo"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[command] exit 0: hello from a real shell" in proc.stdout
    assert "[message] The command printed its greeting. All done." in proc.stdout


def test_run_prints_the_final_text_and_reads_the_prompt_from_stdin(openai_fake, codex_env, workdir: Path):
    from oauthpy.testing import text

    openai_fake.script(text("answer from codex"))
    env = {**os.environ, **codex_env}
    proc = subprocess.run(
        [*OAUTHPY, "run", "--provider", "codex", "--cwd", str(workdir)],
        input="question on stdin",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "answer from codex\n"
    assert "question on stdin" in str(openai_fake.model_requests()[0].body)


def test_run_failure_prints_error_and_hint_without_traceback(openai_fake, codex_env, workdir: Path):
    from oauthpy.testing import HttpError

    openai_fake.script(HttpError(401, "bad key"))
    env = {**os.environ, **codex_env}
    proc = subprocess.run(
        [*OAUTHPY, "run", "--provider", "codex", "--cwd", str(workdir), "hi"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: codex is not authenticated")
    assert "hint: log in with `codex login`" in proc.stderr
    assert "Traceback" not in proc.stderr
