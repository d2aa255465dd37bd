"""The offline mode a reader with no account tries the docs with: ``oauthpy.testing.offline()``
sends a default ``Client(p)`` of every agent it lists to its fake (the real CLI), and puts
everything back. Its commands and its variable: tests/features/test_offline_mode.py."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy import _registry as registry
from oauthpy.testing import offline, text
from tests.support import processes_left, provision, vendor_binaries


def refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except ConnectionRefusedError:
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
    assert dict(os.environ) == before
    assert not root.exists()
    assert all(refused(url) for url in urls)
    assert not ({t.name for t in threading.enumerate()} - threads_before) & fake_threads
    # the vendor processes of this block's HOME, after a bounded wait for the runs' reaper
    assert processes_left("HOME", str(root / "home"), 15.0) == []
