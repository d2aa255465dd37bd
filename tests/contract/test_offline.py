"""The offline mode a reader with no account tries the docs with: ``oauthpy.testing.offline()``
sends a default ``Client(p)`` of every agent it lists to its fake (the real CLI), and puts
everything back. Its commands and its variable: tests/features/test_offline_mode.py."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy import _registry as registry
from oauthpy.testing import offline, text
from tests.support import processes_left, provision, vendor_binaries


def listening_here(url: str) -> bool:
    """Whether a socket of this process still listens on ``url``'s port. Not a connection
    attempt: another worker's fake may take the freed port at once (CI38 saw one answer)."""
    port = int(url.removeprefix("http://").rsplit(":", 1)[1].split("/")[0])
    ours = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            link = os.readlink(f"/proc/self/fd/{fd}")
            if link.startswith("socket:["):
                ours.add(link[len("socket:[") : -1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            for row in fh.read().splitlines()[1:]:
                fields = row.split()
                listening = fields[3] == "0A"  # TCP_LISTEN
                if listening and int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] in ours:
                    return True
    return False


def _listed() -> list[object]:
    """The agents the offline mode starts a fake for."""
    return [
        pytest.param(
            name, marks=[pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else [], id=name
        )
        for name in registry.names(generic=False, listed_only=True)
    ]


@pytest.mark.parametrize("provider", _listed())
def test_offline_sends_a_default_client_to_the_fakes_and_puts_everything_back(
    provider: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    for var, path in vendor_binaries().items():
        monkeypatch.setenv(var, path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-users-own-key")  # must not reach a run
    # with the variable set too, the block's own fakes answer (no second set is started)
    monkeypatch.setenv("OAUTHPY_OFFLINE", "1")
    before = dict(os.environ)
    fake_threads = {registry.get(name).fake_class().__name__ for name in registry.names(listed_only=True)}
    threads_before = {t.name for t in threading.enumerate()}
    with offline() as off:
        assert "OPENAI_API_KEY" not in os.environ
        assert os.environ["HOME"] == str(off.root / "home")
        assert os.environ["OAUTHPY_HOME"].startswith(str(off.root))
        off[provider].script(text(f"{provider} offline"))
        result = Client(provider).run("hi", cwd=tmp_path, timeout=120)  # type: ignore[arg-type]
        assert result.text == f"{provider} offline"
        assert off[provider].model_requests()
        assert all("sk-the-users-own-key" not in r.body_text for f in off.fakes.values() for r in f.requests)
        root, urls = off.root, [fake.url for fake in off.fakes.values()]
        assert all(listening_here(url) for url in urls)  # the check sees a fake that is up
    assert dict(os.environ) == before
    assert not root.exists()
    assert not [url for url in urls if listening_here(url)]
    assert not ({t.name for t in threading.enumerate()} - threads_before) & fake_threads
    # the vendor processes of this block's HOME, after a bounded wait for the runs' reaper
    assert processes_left("HOME", str(root / "home"), 15.0) == []
