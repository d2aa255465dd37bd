"""Assertions shared by the test modules, and each agent's rig read from the registry and its
provision (`oauthpy.testing.provision`): this file names no shipped agent
(tests/core/test_layers.py checks it); the suite's own ACP agent, a fixture of the suite, it
may."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import shlex
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, Event, EventKind, RunResult
from oauthpy import _registry as registry
from oauthpy._run_marks import parent_of
from oauthpy.testing import FakeServer, HttpError, live_processes_with_env, new_marker
from oauthpy.testing.processes import MARKER_VAR, live_processes_in_group
from oauthpy.testing.provision import DEFAULT, Provision
from tests.paths import REPO

#: what OpenAI's API says with each status (its error body's ``message``)
API_WORDS = {
    401: "Incorrect API key provided",
    403: "Forbidden",
    429: "Rate limit reached for requests",
    500: "The server had an error while processing your request",
    529: "The engine is currently overloaded, please try again later",
}


#: how long the idle agents of a client shared by tests (a warm rig, a module's) wait for the next
#: test: a loaded run has minutes between two of them, and an OpenCode start costs about 3 CPU-s,
#: as much as several minutes of its idle process (about 0.4 CPU-s a minute)
WARM_KEEP_ALIVE_S = 180.0


def shared_env(env: dict[str, str], home: Path) -> dict[str, str]:
    """``env`` for a client shared by tests: with fixed values of what pytest and the fixtures
    set per test (``PYTEST_CURRENT_TEST``, ``OAUTHPY_HOME``). A process's environment is part of
    its pool key: otherwise each test's calls would start agents of their own."""
    return {**env, "PYTEST_CURRENT_TEST": "shared client", "OAUTHPY_HOME": str(home)}


#: the suite's own ACP agent (tests/agents/acp_test), as a command for ``Client("acp", command=...)``
ACP_TEST_AGENT = [sys.executable, str(REPO / "tests" / "agents" / "acp_test" / "agent.py")]


def provision(provider: str) -> Provision:
    """The agent's test provision (``_agents/<name>/testing.py``), or every default."""
    found = registry.get(provider).load_provision()
    return found if found is not None else DEFAULT


def pinned_program(provider: str) -> str | None:
    """The agent's pinned program as scripts/test installs it, or the one its package carries
    (None: the one its auth finds, installed with the Python packages); its absence fails
    loudly, never skips."""
    path = provision(provider).pinned_program(REPO)
    if path is not None and not Path(path).exists():
        title = registry.get(provider).title
        pytest.fail(f"the pinned {title} is missing at {path}: run `bash scripts/test` to install it")
    return path


def pinned(provider: str) -> str:
    """The agent's pinned program (`pinned_program`), for a test that needs one: an agent with
    none fails loudly too."""
    path = pinned_program(provider)
    if path is None:
        pytest.fail(f"{registry.get(provider).title} has no pinned program (its provision names none)")
    return path


def vendor_binaries() -> dict[str, str]:
    """The variables that point oauthpy at the pinned programs scripts/test installs (not on
    PATH)."""
    return {
        binary_var(name): pinned(name) for name in registry.names(generic=False) if provision(name).pinned_var
    }


def binary_var(provider: str) -> str:
    """The variable that puts another program (a wrapper) in place of the provider's CLI."""
    return "OAUTHPY_" + provider.upper().replace("-", "_") + "_BINARY"


def real_binary(provider: str, env: dict[str, str]) -> str:
    """The provider's real CLI, as a run with ``env`` finds it (a wrapper execs this)."""
    pinned = pinned_program(provider)
    if pinned is not None:
        return pinned
    found = registry.get(provider).make_auth().find_binary({**os.environ, **env})
    assert found, f"{provider} is not installed"
    return str(found)


def model_for(provider: str) -> str | None:
    # Always a model for gemini: "auto" adds a router call to every turn.
    return registry.get(provider).fake_model


@dataclass
class Rig:
    """One provider's real CLI pointed at its fake, with isolated state under ``root``."""

    provider: str
    fake: FakeServer
    env: dict[str, str]
    root: Path

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def model(self) -> str | None:
        return model_for(self.provider)

    def client(self) -> Client:
        return Client(self.provider, auth_source="external", env=self.env)

    @property
    def provision(self) -> Provision:
        """What the shared suites may expect of this agent (its capabilities)."""
        return provision(self.provider)

    @property
    def write_options(self) -> dict[str, Any] | None:
        """Provider options under which an approved command may write in the work dir (codex's
        sandbox is read-only by default: `Provision.write_options`)."""
        options = self.provision.write_options
        return dict(options) if options is not None else None

    def run(self, prompt: str = "hi", **kw: Any) -> RunResult:
        kw.setdefault("timeout", 60)  # a hang surfaces as TimeoutExceededError, not a stuck test
        return self.client().run(prompt, cwd=self.work, model=self.model, **kw)

    def unasked_env(self, command: str) -> dict[str, str]:
        """What lets the agent run ``command`` (its program) with no one to ask (a CLI run has
        no ``on_permission``, and oauthpy refuses the questions nobody answers): a wrapper that
        adds its `Provision.unasked_args` (copilot asks before every command otherwise)."""
        allowing = self.provision.unasked_args
        if allowing is None:
            return {}
        var = binary_var(self.provider)
        wrapper = self.root / f"{self.provider}-allowing"
        real = self.env.get(var) or real_binary(self.provider, self.env)
        tail = " ".join(shlex.quote(arg) for arg in allowing(command))
        wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(real)} "$@" {tail}\n')
        wrapper.chmod(0o755)
        return {var: str(wrapper)}

    @property
    def own_retries(self) -> int:
        """How many times the agent retries a failed model request by itself."""
        return self.provision.own_retries

    def api_error(self, status: int, message: str, **kw: Any) -> HttpError:
        """A model API error as the agent's user meets it. An agent whose errors lose the HTTP
        status (OpenCode) passes on only the API's message: the fake then says what the real
        API says for that status, followed by ``message``."""
        if not self.provision.status_in_errors and status in API_WORDS:
            message = f"{API_WORDS[status]}: {message}"
        return HttpError(status, message, **kw)

    def model_bodies(self) -> list[str]:
        """The bodies of the model requests the fake got, as text: the turns' only
        (`Provision.is_turn`: not gemini's router calls)."""
        is_turn = self.provision.is_turn
        return [r.body_text for r in self.fake.model_requests() if is_turn is None or is_turn(r)]


def conversation(events: Iterable[Event]) -> list[tuple[str, str]]:
    """The prompts and replies of a transcript, in order: ``(kind, text)``."""
    return [(e.kind.value, e.text) for e in events if e.kind in (EventKind.USER, EventKind.MESSAGE)]


def count_spawns(rig: Rig) -> Path:
    """Put a wrapper in front of the rig's real CLI that logs a line per start; returns the log."""
    real = real_binary(rig.provider, rig.env)
    log, wrapper = rig.root / "spawns.log", rig.root / f"{rig.provider}-counted"
    log.write_text("")
    wrapper.write_text(f"#!/bin/sh\necho started >> '{log}'\nexec '{real}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    rig.env[binary_var(rig.provider)] = str(wrapper)
    return log


def sessions_side_by_side(provider: str) -> bool:
    """Whether one process of the agent serves a batch's workers at once (its warm runs'
    conversation says: `AcpProfile.sessions_side_by_side`)."""
    from oauthpy._pool import AgentPool

    made = registry.get(provider).make_provider()
    return bool(getattr(made.open(None, session=False, pool=AgentPool(1.0)), "side_by_side", False))


def shell_step(provider: str, command: str, *, say: str = "") -> Any:
    """A fake model reply that asks the provider's agent to run a shell ``command``."""
    return provision(provider).shell(command, say=say)


def start_fake(provider: str) -> Any:
    """The provider's fake backend, started (use it as a context manager)."""
    from oauthpy.testing import fake_for

    return fake_for(provider)


def provider_env(
    provider: str, fake: Any, root: Path, marker: dict[str, str] | None = None
) -> dict[str, str]:
    """The env that points the provider's real CLI at ``fake``, its state under ``root/<provider>``,
    with a leak-check marker (a new one unless ``marker`` is shared)."""
    env = registry.get(provider).fake_environment(fake, root / provider, defaults=False)
    kit = provision(provider)
    if kit.pinned_var:  # only this agent's: the fast tier installs no npm CLI
        env[binary_var(provider)] = pinned(provider)
    if kit.answered_at_once:
        env["PATH"] = kit.path_answering_at_once(root / "answered-at-once")
    return {**env, **(marker or new_marker())}


@contextlib.contextmanager
def open_rig(provider: str, root: Path, *, fake: str = "") -> Iterator[Rig]:
    """The provider's real CLI against its fake, or against ``fake`` (a ``module:Class`` of its
    `Provision.more_fakes`: another wire API)."""
    (root / "work").mkdir(parents=True, exist_ok=True)
    module, _, name = fake.partition(":")
    with getattr(importlib.import_module(module), name)() if fake else start_fake(provider) as server:
        yield Rig(provider, server, provider_env(provider, server, root), root)


#: ``oauthpy compare`` as a user runs it, before its agents (``-p``) and prompt
COMPARE = [sys.executable, "-m", "oauthpy.cli", "compare", "--source", "external"]


#: the transports of a live JSON-RPC agent: one process serves the whole run, retries included
LIVE_TRANSPORTS = ("acp", "app-server")


def batch(provider: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``oauthpy batch -p <provider>`` as a user runs it, with ``env`` (the fake's), bounded."""
    return subprocess.run(
        [sys.executable, "-m", "oauthpy.cli", "batch", "-p", provider, "--source", "external", *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHELLS = {"sh", "bash", "dash", "zsh"}


def vendor_cli_processes(marker: str) -> list[int]:
    """The vendor CLI a test's run started: our direct child and, when that is a launcher (npm's
    ``codex`` is a node script that runs the native binary as its child), the programs under it,
    but not the shells the CLI runs for its tools."""
    marked = live_processes_with_env(MARKER_VAR, marker)
    found = {pid for pid in marked if parent_of(pid) == os.getpid()}
    while more := {
        pid
        for pid in marked
        if pid not in found and parent_of(pid) in found and program_name(pid) not in SHELLS
    }:
        found |= more
    return sorted(found)


def program_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def assert_no_leftovers(env: dict[str, str], within_s: float = 0.5) -> None:
    """No live process of the run (found by its env marker) remains.

    SIGKILL is asynchronous: a killed grandchild may need a moment to die, so this polls the
    process table for a bounded time instead of asserting on the first look.
    """
    left = processes_left(MARKER_VAR, env[MARKER_VAR], within_s)
    assert left == [], f"processes left behind: {left}"


def processes_left(var: str, value: str, within_s: float) -> list[int]:
    """The live processes whose environment has ``var=value``, after polling (bounded) for
    them to end: a killed process may need a moment to die."""
    deadline = time.monotonic() + within_s
    while (left := live_processes_with_env(var, value)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def group_left(pgid: int, within_s: float = 2.0) -> list[int]:
    """The live processes of group ``pgid``, after polling (bounded) for killed ones to go."""
    deadline = time.monotonic() + within_s
    while (left := live_processes_in_group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def assert_no_fd_leak(before: set[str], within_s: float = 2.0) -> None:
    """No pipe or file opened since ``before`` is still open.

    Pipes close in event-loop callbacks just after a run ends, so this polls for a bounded
    time: what it catches is a descriptor that stays open.
    """
    deadline = time.monotonic() + within_s
    while (extra := open_pipes_and_files() - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not extra, f"file descriptors leaked: {sorted(extra)}"


def ended(proc: subprocess.Popen[Any]) -> None:
    """A test's own child, ended whatever happened: killed if it still runs, reaped (bounded)
    and its pipes closed. A failed wait must not leave them to the next test's leak checks."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


async def failed_by_the_agents_exit(began: asyncio.Event) -> None:
    """A request whose agent exits as its wait is given up: it ends in that error, not cancelled."""
    began.set()
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        raise RuntimeError("the agent exited with code -15") from None


def open_pipes_and_files() -> set[str]:
    """This process's open pipes and files, for fd-leak checks.

    Sockets are left out: the fakes run in this process and keep their own connections.
    """
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if not target.startswith(("socket:", "anon_inode:")) and "/proc/" not in target:
            out.add(f"{fd}->{target}")
    return out


def answer_from_a_client_never_exited(
    provider: str, workdir: Path, env: dict[str, str], model: str | None
) -> str:
    """Run one prompt in a fresh interpreter through a ``with``-style client whose block never
    ends, and return its answer: the exit hook alone must stop its warm agent."""
    script = (
        "import sys; from oauthpy import Client\n"
        f"c = Client({provider!r}, auth_source='external').__enter__()  # never exited\n"
        f"print(c.run('q', cwd=sys.argv[1], model={model!r}).text)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(workdir)],
        env={**os.environ, **{k: v for k, v in env.items() if v is not None}},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


_USER_MCP_SERVER = """\
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer

server = MCPServer("user")


@server.tool()
def touch(name: str) -> str:
    \"\"\"Create a file.\"\"\"
    Path(sys.argv[1], name).write_text("made")
    return "made"


server.run()
"""


def user_mcp_server(root: Path, folder: Path) -> dict[str, Any]:
    """A stdio MCP server of the user's own (written under ``root``) whose one tool, ``touch``,
    creates a file in ``folder``: ``{"command": ..., "args": [...]}`` for an agent's config."""
    script = root / "user_mcp_server.py"
    script.write_text(_USER_MCP_SERVER)
    return {"command": sys.executable, "args": [str(script), str(folder)]}
