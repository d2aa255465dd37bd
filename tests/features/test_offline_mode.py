"""The offline mode a reader with no account tries the docs with: ``OAUTHPY_OFFLINE=1`` sends a
default ``Client(p)`` and every command to the fakes (the real CLIs), says so, and leaves nothing
behind. Each agent's default client in ``oauthpy.testing.offline()``:
tests/contract/test_offline.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy import Client, InvalidOptionsError
from oauthpy._names import listed_providers
from oauthpy.testing import live_processes_with_env, offline
from tests.support import vendor_binaries

NOTE = "oauthpy: offline (OAUTHPY_OFFLINE=1)"


def test_offline_has_no_fake_for_an_agent_it_does_not_know():
    with pytest.raises(KeyError, match="no fake for provider 'cursor'"), offline() as off:
        off["cursor"]


def offline_env(tmp_path: Path) -> dict[str, str]:
    """A process's offline environment; its offline home kept under ``tmp_path/oauthpy-home``."""
    return {
        **os.environ,
        "OAUTHPY_OFFLINE": "1",
        "OAUTHPY_HOME": str(tmp_path / "oauthpy-home"),
        **vendor_binaries(),
    }


def test_the_variable_is_honored_lazily_once_and_leaves_no_process(tmp_path: Path):
    script = (
        "import os, sys\n"
        "import oauthpy\n"
        "assert 'oauthpy.testing' not in sys.modules, 'import oauthpy started the offline mode'\n"
        "a, b = oauthpy.Client('codex'), oauthpy.Client('claude')\n"
        "print(os.environ['HOME'])\n"
        "print(a.run('hi', timeout=120).text, b.run('hi', timeout=120).text)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    home, answers = done.stdout.splitlines()
    assert answers == "ok ok"
    assert done.stderr.count(NOTE) == 1
    # one offline home, kept under OAUTHPY_HOME for the next command
    assert Path(home) == tmp_path / "oauthpy-home" / "offline" / "home" and Path(home).is_dir()
    assert live_processes_with_env("HOME", home) == []


def test_oauthpy_run_in_offline_mode_answers_from_the_fake_and_says_so(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "run", "-p", "codex", "hi"],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"
    assert done.stderr.startswith(NOTE)  # first, before anything else the command prints


@pytest.mark.xdist_group("gemini")
def test_oauthpy_doctor_in_offline_mode_finds_every_agent_logged_in_to_the_fakes(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "doctor"],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stderr.startswith(NOTE)
    for provider in listed_providers():  # every agent of the registry
        row = next(line for line in done.stdout.splitlines() if line.startswith(provider + " "))
        assert row.split()[1] == "yes" and "yes" in row.split()[2:4], row  # installed, logged in
    # the isolated state it shows is the offline home's, not the user's ~/.oauthpy
    assert str(tmp_path / "oauthpy-home" / "offline") in done.stdout


def test_login_is_refused_offline_before_any_vendor_login_starts(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "auth", "login", "--provider", "codex"],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert "login is not available in offline mode" in done.stderr
    assert "unset OAUTHPY_OFFLINE" in done.stderr
    with offline(), pytest.raises(InvalidOptionsError, match="offline mode"):
        Client("claude").login()


def _oauthpy(tmp_path: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauthpy", *args],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_session_made_by_one_offline_command_is_listed_and_resumed_by_the_next(tmp_path: Path):
    first = _oauthpy(tmp_path, "run", "-p", "codex", "--json", "remember this")
    assert first.returncode == 0, first.stderr[-3000:]
    session = json.loads(first.stdout)["session_id"]
    listed = _oauthpy(tmp_path, "sessions", "-p", "codex", "--json")
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert session in listed.stdout
    script = (
        "from oauthpy import Client\n"
        f"with Client('codex').session(resume={session!r}) as chat:\n"
        "    print(chat.run('and again').session_id)\n"
    )
    again = subprocess.run(
        [sys.executable, "-c", script],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert again.returncode == 0 and again.stdout.strip() == session, again.stderr[-3000:]


def test_an_offline_batch_stopped_by_its_budget_finishes_with_resume(tmp_path: Path):
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"id": f"i{n}", "prompt": f"item {n}"}) + "\n" for n in range(3)))
    out = tmp_path / "out.jsonl"
    base = ["batch", "-p", "codex", "--model", "gpt-5", str(items), "-o", str(out)]
    stopped = _oauthpy(tmp_path, *base, "--budget-usd", "0.0000001")
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(1 for r in rows if r.get("ok")) == 1, rows  # the crossing item ran, the rest did not
    finished = _oauthpy(tmp_path, *base, "--resume")
    assert finished.returncode == 0, finished.stderr[-3000:]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["id"] for r in rows if r.get("ok")} == {"i0", "i1", "i2"}
