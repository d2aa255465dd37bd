"""Shared fixtures: fake backends per test, isolated vendor homes, leak checks."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client
from oauthpy import _registry as registry
from oauthpy.testing import FakeResponsesServer
from oauthpy.testing.anthropic import FakeAnthropicServer
from tests.paths import REPO
from tests.support import (
    Rig,
    assert_no_fd_leak,
    assert_no_leftovers,
    binary_var,
    open_pipes_and_files,
    open_rig,
    provider_env,
    provision,
    start_fake,
)
from tests.warm_rigs import WarmRigs, rig_id, takes_a_warm_rig

pytest_plugins = ["tests.cpu_log", "tests.ordering", "tests.vendor_logs"]


def _register_test_agents() -> None:
    """Every ``tests/agents/<agent>/entry.py`` is an agent of the registry for the whole test run: the
    shared suites then run it like every named agent, with no other edit. The CLIs the tests
    start get them through OAUTHPY_AGENTS (and the repository on their import path)."""
    repo = str(REPO)
    entries = sorted((REPO / "tests" / "agents").glob("*/entry.py"))
    paths = [f"tests.agents.{p.parent.name}.entry:ENTRY" for p in entries]
    os.environ[registry.AGENTS_VAR] = ",".join(paths)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (repo, os.environ.get("PYTHONPATH"))))
    registry.names()  # loads them now: a bad entry fails the whole run at once


_register_test_agents()


def _ctrl_c_reaches_the_commands_we_start() -> None:
    """A suite started as a background job of a script (``bash .ci/run &``) inherits SIGINT
    ignored, and so would every command it starts: an ignored signal stays ignored across exec,
    and Python then sets no handler of its own. The tests of Ctrl-C need it back."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_ctrl_c_reaches_the_commands_we_start()


@pytest.fixture(autouse=True)
def _private_oauthpy_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the real ~/.oauthpy."""
    home = tmp_path / "oauthpy-home"
    monkeypatch.setenv("OAUTHPY_HOME", str(home))
    return home


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /dev/shm (what the worktree tests check is where oauthpy puts a worktree,
    not tmpfs), with OAUTHPY_HOME unset and the temporary folder (a worktree's place on disk,
    shared by every process of the user otherwise) under tmp_path."""
    import tempfile

    from oauthpy import _worktree_place

    ram = tmp_path / "shm"
    ram.mkdir()
    (tmp_path / "tmp").mkdir()
    monkeypatch.delenv("OAUTHPY_HOME")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(_worktree_place, "RAM_BASE", str(ram))
    monkeypatch.setattr(_worktree_place, "RAM_MIN_FREE", 0)
    return ram


@pytest.fixture
def tripwire(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """Every provider's binary replaced by a script that leaves a file when it runs: the env
    that selects it, and the file, so that a test checks "nothing was spawned"."""
    fired = tmp_path / "spawned"
    script = tmp_path / "vendor"
    script.write_text(f"#!/bin/sh\ntouch '{fired}'\nexit 1\n")
    script.chmod(0o755)
    # every agent of the registry, the suite's own included (the generic ``acp`` agent is
    # given the script as its ``command=``: `tripwire_client`)
    env = {binary_var(name): str(script) for name in registry.names()}
    return env, fired


@pytest.fixture
def tripwire_client(tripwire: tuple[dict[str, str], Path]) -> Any:
    """``make(provider, **kw)``: a `Client` of any agent of the registry whose program is the
    tripwire's script (``command=`` for the generic agent)."""
    env, fired = tripwire
    script = str(fired.parent / "vendor")

    def make(provider: str, **kw: Any) -> Client:
        if registry.get(provider).takes_command:
            kw.setdefault("command", [script])
        kw.setdefault("auth_source", "external")
        return Client(provider, env={**env, **kw.pop("env", {})}, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    d = tmp_path / "work"
    d.mkdir()
    return d


def _agent_fixtures(name: str) -> tuple[Any, Any]:
    """``<name>_fake`` (the agent's fake, started) and ``<name>_env`` (its real CLI pointed at
    that fake, its state under the test's folder), for each agent of the registry."""

    @pytest.fixture(name=f"{name}_fake")
    def fake() -> Iterator[Any]:
        with start_fake(name) as server:
            yield server

    @pytest.fixture(name=f"{name}_env")
    def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
        return provider_env(name, request.getfixturevalue(f"{name}_fake"), tmp_path)

    return fake, env


def _wire_fixture(name: str, fake_class: type) -> Any:
    """``<name>``: the fake of the agent a wire API's fake is wired to first (the same server
    that agent's ``<agent>_env`` points at)."""

    @pytest.fixture(name=name)
    def fake(request: pytest.FixtureRequest) -> Any:
        owner = registry.owner_of_fake(fake_class)
        assert owner is not None, f"no agent of the registry is wired to {fake_class.__name__}"
        return request.getfixturevalue(f"{owner.name}_fake")

    return fake


for _name in registry.names(generic=False):
    if _name.isidentifier():
        globals()[f"_{_name}_fake"], globals()[f"_{_name}_env"] = _agent_fixtures(_name)
openai_fake = _wire_fixture("openai_fake", FakeResponsesServer)
anthropic_fake = _wire_fixture("anthropic_fake", FakeAnthropicServer)


def _named_agents() -> list[object]:
    """Each agent against its fake, and against each of its `Provision.more_fakes` (another wire
    API: ``"copilot/oauthpy.testing.responses:FakeResponsesServer"``, id ``copilot-responses``)."""
    params = []
    for name in registry.names(generic=False):
        marks = [pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else []
        params.append(pytest.param(name, marks=marks, id=name))
        for fake in provision(name).more_fakes:
            param = f"{name}/{fake}"
            params.append(pytest.param(param, marks=marks, id=rig_id(param)))
    return params


@pytest.fixture(params=_named_agents())
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """Each agent of the registry in turn: its real CLI against its fake (for tests that hold
    for all of them).

    Afterwards, no process of the test's runs may be left and no file descriptor leaked.

    A test marked ``warm_agent`` (of what an agent does, not of its start or its end) gets this
    worker's warm rig of the agent instead (`WarmRig`): its fake emptied, its work folder
    emptied, its env not to be changed; its processes are checked when the worker ends. With
    ``warm_agent(lone_runs=True)`` (a test of lone runs that do not ask), only the agents whose
    warm client takes a lone run's transport get it: the others (gemini: ``stream-json`` alone,
    ACP warm) start fresh, so the test still covers the transport of a lone run. With
    ``warm_agent(costly_starts=True)``, only the agents whose `Provision.costly_starts` get it.
    """
    provider, _, fake = request.param.partition("/")
    if takes_a_warm_rig(request.node, request.param):
        yield request.getfixturevalue("_warm_rigs").fresh(request.param)
        return
    with open_rig(provider, tmp_path, fake=fake) as r:
        fds = open_pipes_and_files()
        yield r
        assert_no_leftovers(r.env)
        assert_no_fd_leak(fds)


@pytest.fixture(scope="session")
def _warm_rigs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarmRigs]:
    rigs = WarmRigs(tmp_path_factory.mktemp("warm"))
    try:
        yield rigs
    finally:
        rigs.close()


#: the bound of a test that runs an agent of costly starts (OpenCode: its processes start one at
#: a time, Bun, several seconds each), so a test of a few batches takes 60-100 s on a 2-core
#: machine under load
COSTLY_START_TEST_TIMEOUT_S = 240


def _fast_agents() -> tuple[str, ...]:
    """The agents of the fast tier's shared suites: they start in milliseconds and need no
    separate install (`Provision.starts_at_once`: a native binary, the suite's own ACP agent)."""
    return tuple(n for n in registry.names(generic=False) if provision(n).starts_at_once)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help="the fast tier (scripts/test --fast): the unit tests, and the shared suites that run "
        f"every agent of the registry, for {' and '.join(_fast_agents())} only",
    )


def _in_fast_tier(item: pytest.Item, fast_agents: tuple[str, ...]) -> bool:
    if item.get_closest_marker("fast"):
        return True
    callspec = getattr(item, "callspec", None)
    return (
        "rig" in getattr(item, "fixturenames", ())
        and callspec is not None
        and (callspec.params.get("rig") in fast_agents)
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give tests that run an agent of costly starts a longer bound (unless they set their own),
    its own test file's too; fail loudly if
    xdist_group is silently ignored: some tests must never overlap. ``--fast`` keeps the fast
    tier only."""
    if config.getoption("fast"):
        fast_agents = _fast_agents()
        fast = [_in_fast_tier(item, fast_agents) for item in items]
        config.hook.pytest_deselected(
            items=[item for item, keep in zip(items, fast, strict=True) if not keep]
        )
        items[:] = [item for item, keep in zip(items, fast, strict=True) if keep]
    costly = [n for n in registry.names(generic=False) if provision(n).costly_starts]
    for item in items:
        runs_costly = any(f"[{n}" in item.nodeid or f"tests/agents/{n}/" in item.nodeid for n in costly)
        if runs_costly and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(COSTLY_START_TEST_TIMEOUT_S))
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
            raise pytest.UsageError(
                "pytest-xdist ignored xdist_group (a pytest/xdist version mismatch); "
                "install the versions pinned in pyproject.toml"
            )
