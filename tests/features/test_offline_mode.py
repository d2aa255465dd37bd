"""The offline mode a reader with no account tries the docs with: ``oauthpy.testing.offline()``
and ``OAUTHPY_OFFLINE=1`` send a default ``Client(p)`` and every command to the fakes (the real
CLIs), say so, and leave nothing behind."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from oauthpy import Client, InvalidOptionsError
from oauthpy._names import listed_providers
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


def test_codex_usage_offline_gives_quota_windows_in_python_and_on_the_command_line(tmp_path: Path):
    done = _oauthpy(tmp_path, "usage", "-p", "codex", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    usage = json.loads(done.stdout)
    usage = usage[0] if isinstance(usage, list) else usage
    assert [w["name"] for w in usage["windows"]] == ["primary", "secondary"]
    script = "from oauthpy import Client\nprint(len(Client('codex').usage().windows))\n"
    python = subprocess.run(
        [sys.executable, "-c", script], env=offline_env(tmp_path), capture_output=True, text=True, timeout=180
    )
    assert python.returncode == 0 and python.stdout.strip() == "2", python.stderr[-3000:]


@pytest.mark.xdist_group("opencode")
def test_offline_opencode_never_leaves_loopback(tmp_path: Path):
    """Red team R3: offline OpenCode went to the npm registry on every run (copilot's XDG_*
    variables overwrote its own). Every way out goes through a proxy here: a trap on loopback
    that records whoever knocks (OpenCode honours HTTPS_PROXY, NO_PROXY keeps the fake direct)."""
    knocked: list[bytes] = []
    trap = socket.socket()
    trap.bind(("127.0.0.1", 0))
    trap.listen()
    trap.settimeout(0.2)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                conn, _ = trap.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    knocked.append(conn.recv(200))
                except OSError:
                    knocked.append(b"?")

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    proxy = f"http://127.0.0.1:{trap.getsockname()[1]}"
    script = (
        "import os\nfrom oauthpy import Client\n"
        f"proxies = {{v: {proxy!r} for v in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy')}}\n"
        "print(Client('opencode', env=proxies).run('hi', timeout=150).text)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=offline_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        stop.set()
        thread.join(5)
        trap.close()
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
    assert knocked == []
