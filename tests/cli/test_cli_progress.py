"""The spinner of `oauthpy run` says when the run is retrying or reconnecting (issue 25,
item 10), on a real terminal, with the real codex against the fake."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pexpect

from oauthpy import Event, EventKind
from oauthpy.cli.progress import progress_note
from oauthpy.cli.term import Spinner
from oauthpy.testing import Gate, HttpError, text


def _spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "oauthpy.cli", *args],
        env={**os.environ, **env, "TERM": "xterm", "NO_COLOR": "1"},
        encoding="utf-8",
        timeout=90,
    )


def _let_codex_reconnect(codex_env: dict[str, str], times: int) -> None:
    config = Path(codex_env["CODEX_HOME"]) / "config.toml"
    config.write_text(config.read_text().replace("stream_max_retries = 0", f"stream_max_retries = {times}"))


def test_the_spinner_shows_codex_reconnecting_then_the_answer(openai_fake, codex_env, workdir: Path):
    _let_codex_reconnect(codex_env, 2)
    opened = threading.Event()
    openai_fake.script(HttpError(503, "busy"), Gate(opened, text("came back")))
    child = _spawn(["run", "-p", "codex", "--cwd", str(workdir), "hi"], codex_env)
    try:
        # held by the gate: the spinner keeps saying it until the answer comes
        child.expect(r"codex is working \d+\.\ds · reconnecting 1/2")
        opened.set()
        child.expect(pexpect.EOF)
    finally:
        opened.set()
        child.close(force=True)
    assert child.exitstatus == 0
    assert "came back" in (child.before or "")


def test_the_spinner_shows_oauthpy_s_own_retry_after_a_429(openai_fake, codex_env, workdir: Path):
    opened = threading.Event()
    openai_fake.script(HttpError(429, "slow down"), Gate(opened, text("second try")))
    child = _spawn(
        ["run", "-p", "codex", "--cwd", str(workdir), "--max-retries", "2", "--json", "hi"], codex_env
    )
    try:
        child.expect(r"codex is working \d+\.\ds · retry 2/3 after 429")
        opened.set()
        child.expect(pexpect.EOF)
    finally:
        opened.set()
        child.close(force=True)
    assert child.exitstatus == 0
    out = child.before or ""
    assert '"text": "second try"' in out
    assert '"status": "retrying"' not in out  # the failed attempt is not part of the result


def test_progress_notes_for_each_vendor_s_way_of_saying_it_retries():
    def err(text: str, status: str | None = None, raw: object = None) -> Event:
        return Event(EventKind.ERROR, text=text, status=status, raw=raw)  # type: ignore[arg-type]

    codex = "Reconnecting... 3/5 (exceeded retry limit, last status: 429 Too Many Requests)"
    assert progress_note(err(codex)) == "reconnecting 3/5 after 429"
    assert progress_note(err("Reconnecting... 2/5 (stream disconnected before completion)", "retrying")) == (
        "reconnecting 2/5"
    )
    offline = "Reconnecting... waiting for network (Connection failed: error sending request)"
    assert progress_note(err(offline)) == "reconnecting, waiting for network"
    claude = "API error 529 (overloaded_error); retry 2 of 10 in 1.1 s"
    assert progress_note(err(claude, "retrying")) == "retry 2/10 after 529"
    own = {"retry": {"next": 2, "of": 3, "after": "429", "wait_s": 1.0}}
    assert progress_note(err("attempt 1 of 3 failed (x); retrying in 1.00 s", "retrying", own)) == (
        "retry 2/3 after 429"
    )
    assert progress_note(err("a plain error")) is None
    assert progress_note(Event(EventKind.MESSAGE, text="hi", delta=True)) == ""  # moving again
    assert progress_note(Event(EventKind.OTHER)) is None

    spinner = Spinner("codex is working")
    assert spinner.line(45.04) == "| codex is working 45.0s"
    spinner.note("reconnecting 3/5")
    assert spinner.line(45.04) == "| codex is working 45.0s · reconnecting 3/5"
