"""OpenCode in the offline mode never leaves loopback (red team R3; every agent's offline run:
tests/contract/test_offline.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.features.test_offline_mode import offline_env


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
