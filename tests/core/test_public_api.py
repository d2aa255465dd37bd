"""The public surface of ``oauthpy``, pinned: what is exported, what every method takes, how a
misspelt keyword fails, and the types that ship."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import oauthpy
from oauthpy import Client, RunOptions, Session, TurnOptions
from oauthpy.testing import FakeResponsesServer, text
from tests.paths import REPO

pytestmark = pytest.mark.fast

#: the methods that run a prompt; each takes ``**options`` of RunOptions (Session: TurnOptions)
RUN_METHODS = ("run", "arun", "stream", "stream_sync")


def params(fn: Callable[..., Any]) -> list[tuple[str, str, Any, Any]]:
    return [(p.name, p.kind.name, p.default, p.annotation) for p in inspect.signature(fn).parameters.values()]


def public_callables() -> list[tuple[str, Callable[..., Any]]]:
    """Every public function and method that a user calls with arguments of their own (a
    Session is made by ``Client.session``, not by its constructor)."""
    found: list[tuple[str, Callable[..., Any]]] = [("tool", oauthpy.tool), ("redact", oauthpy.redact)]
    for cls in (Client, Session):
        for name, member in vars(cls).items():
            if callable(member) and (not name.startswith("_") or (cls is Client and name == "__init__")):
                found.append((f"{cls.__name__}.{name}", member))
    return found


def test_all_is_exactly_the_public_names_of_the_package_even_after_a_run(tmp_path: Path):
    # a fresh interpreter: the test process has imported much more (oauthpy.testing, the CLI)
    with FakeResponsesServer() as fake:
        fake.script(text("ok"))
        env = fake.env(tmp_path / "codex")
        code = (
            "import json, oauthpy\n"
            f"r = oauthpy.Client('codex', auth_source='external').run('hi', cwd={str(tmp_path)!r}, timeout=60)\n"
            "assert r.text == 'ok', r\n"
            # what a user sees: its names load on first use (PEP 562), and no other public name
            # (a submodule such as ``cli``) appears beside them after a run
            "print(json.dumps([sorted(k for k in vars(oauthpy) if not k.startswith('_')),\n"
            "                  sorted(k for k in dir(oauthpy) if not k.startswith('_'))]))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    loaded, listed = json.loads(done.stdout)
    names = sorted(n for n in oauthpy.__all__ if not n.startswith("_"))
    assert listed == names and set(loaded) <= set(names) and "Client" in loaded


def test_every_name_in_all_exists_and_redact_is_the_function():
    for name in oauthpy.__all__:
        assert hasattr(oauthpy, name), name
    assert callable(oauthpy.redact) and oauthpy.redact("plain") == "plain"


def test_every_run_method_takes_the_same_keywords():
    run = params(Client.run)
    assert [p[0] for p in run[:2]] == ["self", "prompt"]
    names = [p[0] for p in run if p[1] == "KEYWORD_ONLY"]
    assert set(names) == set(RunOptions.__annotations__)
    for name in RUN_METHODS:
        assert params(getattr(Client, name)) == run, name
    turn = params(Session.run)
    assert {p[0] for p in turn if p[1] == "KEYWORD_ONLY"} == set(TurnOptions.__annotations__)
    fixed = {"cwd", "tools", "workspace", "keep_workspace"}  # what a session keeps for all its turns
    fixed |= {"base", "include", "setup", "setup_timeout"}  # the worktree's environment
    fixed |= {"fallback", "fallback_on", "fallback_after_s"}  # the runs' failover (docs/failover.md)
    fixed.add("lean")  # a lean session's settings are fixed when its agent starts (docs/lean.md)
    assert set(RunOptions.__annotations__) - set(TurnOptions.__annotations__) == fixed
    for name in RUN_METHODS:
        assert params(getattr(Session, name)) == turn, name
    # the batch methods and the session openers take them too, after their own
    for fn in (Client.map, Client.amap, Client.session, Client.asession):
        assert [p for p in params(fn) if p[0] in RunOptions.__annotations__] == run[2:], fn


def test_sync_and_async_twins_have_identical_parameters():
    for cls in (Client, Session):
        for name in vars(cls):
            twin = name[1:] if name.startswith("a") else None
            if twin and twin in vars(cls) and not name.startswith("_"):
                assert params(getattr(cls, name)) == params(getattr(cls, twin)), f"{cls.__name__}.{name}"
    assert params(Client.stream) == params(Client.stream_sync)
    assert params(Session.stream) == params(Session.stream_sync)


def test_no_public_parameter_is_typed_any():
    for where, fn in public_callables():
        for p in inspect.signature(fn).parameters.values():
            annotation = p.annotation if isinstance(p.annotation, str) else repr(p.annotation)
            assert not re.search(r"\bAny\b", annotation), f"{where}({p.name}: {annotation})"


@pytest.mark.parametrize("method", RUN_METHODS)
def test_a_misspelt_keyword_is_a_type_error_naming_the_method_on_every_method(
    method: str, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    env, fired = tripwire
    client = Client("codex", auth_source="external", env=env)

    def call(target: Any, name: str, **kw: Any) -> None:
        got = getattr(target, name)("hi", **kw)
        if inspect.iscoroutine(got):
            asyncio.run(got)

    with pytest.raises(
        TypeError,
        match=rf"^Client.{method}\(\) got an unexpected keyword argument 'cwdd' \(did you mean 'cwd'\?\)",
    ):
        call(client, method, cwdd=tmp_path)
    with (
        client.session(cwd=tmp_path) as session,
        pytest.raises(
            TypeError,
            match=rf"^Session.{method}\(\) got an unexpected keyword argument 'modle' \(did you mean 'model'\?\)",
        ),
    ):
        call(session, method, modle="x")
    for batch in ("map", "amap"):
        with pytest.raises(
            TypeError, match=rf"^Client.{batch}\(\) got an unexpected keyword argument 'cwdd'"
        ):
            getattr(client, batch)(["hi"], cwdd=tmp_path)
    with pytest.raises(TypeError, match=r"^Client.session\(\) got an unexpected keyword argument 'cwdd'"):
        client.session(cwdd=tmp_path)  # type: ignore[call-arg]
    assert not fired.exists()


def test_py_typed_ships_with_the_package():
    assert (Path(oauthpy.__file__).parent / "py.typed").is_file()
    pyproject = (REPO / "pyproject.toml").read_text()
    assert re.search(r'oauthpy = \[[^\]]*"py\.typed"', pyproject)
