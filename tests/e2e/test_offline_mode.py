"""The offline mode a reader with no account tries the docs with: ``oauthpy.testing.offline()``
and ``OAUTHPY_OFFLINE=1`` send a default ``Client(p)`` and every command to the fakes (the real
CLIs), say so, and leave nothing behind."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from oauthpy import Client, InvalidOptionsError
from oauthpy.testing import live_processes_with_env, offline, text
from tests.support import processes_left, vendor_binaries

NOTE = "oauthpy: offline (OAUTHPY_OFFLINE=1)"
FAKE_THREADS = {"FakeResponsesServer", "FakeAnthropicServer", "FakeGeminiServer"}


def refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def none_left(root: Path, within: float = 15.0) -> list[int]:
    """The vendor processes still running with this block's HOME, after a bounded wait for the
    runs' background reaper."""
    return processes_left("HOME", str(root / "home"), within)


@pytest.mark.xdist_group("gemini")
def test_offline_sends_a_default_client_to_the_fakes_and_puts_everything_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    for var, path in vendor_binaries().items():
        monkeypatch.setenv(var, path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-users-own-key")  # must not reach a run
    # with the variable set too, the block's own fakes answer (no second set is started)
    monkeypatch.setenv("OAUTHPY_OFFLINE", "1")
    before = dict(os.environ)
    threads_before = {t.name for t in threading.enumerate()}
    with offline() as off:
        assert "OPENAI_API_KEY" not in os.environ
        assert os.environ["HOME"] == str(off.root / "home")
        assert os.environ["OAUTHPY_HOME"].startswith(str(off.root))
        for provider in ("codex", "claude", "gemini"):
            off[provider].script(text(f"{provider} offline"))
            result = Client(provider).run("hi", cwd=tmp_path, timeout=120)  # type: ignore[arg-type]
            assert result.text == f"{provider} offline"
            assert off[provider].model_requests(), provider
        assert all("sk-the-users-own-key" not in r.body_text for f in off.fakes.values() for r in f.requests)
        root, urls = off.root, [fake.url for fake in off.fakes.values()]
    assert dict(os.environ) == before
    assert not root.exists()
    assert all(refused(url) for url in urls)
    assert not ({t.name for t in threading.enumerate()} - threads_before) & FAKE_THREADS
    assert none_left(root) == []
    with pytest.raises(KeyError, match="no fake for provider 'cursor'"), offline() as off:
        off["cursor"]


def offline_env() -> dict[str, str]:
    return {**os.environ, "OAUTHPY_OFFLINE": "1", **vendor_binaries()}


def test_the_variable_is_honored_lazily_once_and_cleaned_up_at_exit(tmp_path: Path):
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
        env=offline_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    home, answers = done.stdout.splitlines()
    assert answers == "ok ok"
    assert done.stderr.count(NOTE) == 1
    assert not Path(home).exists()  # the fakes' directory is removed at exit
    assert live_processes_with_env("HOME", home) == []


def test_oauthpy_run_in_offline_mode_answers_from_the_fake_and_says_so(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "run", "-p", "codex", "hi"],
        env=offline_env(),
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
        env=offline_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stderr.startswith(NOTE)
    for provider in ("codex", "claude", "gemini"):
        row = next(line for line in done.stdout.splitlines() if line.startswith(provider + " "))
        assert row.split()[1] == "yes" and "yes" in row.split()[2:4], row  # installed, logged in
    # the isolated state it shows is the offline directory's, not the user's ~/.oauthpy
    dirs = set(re.findall(r"(/\S*oauthpy-offline-[^/\s]+)/", done.stdout))
    assert len(dirs) == 1 and not Path(dirs.pop()).exists()


def test_login_is_refused_offline_before_any_vendor_login_starts(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "auth", "login", "--provider", "codex"],
        env=offline_env(),
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
