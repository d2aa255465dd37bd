"""A spawn cancelled while asyncio is still connecting the new process's pipes: asyncio's own
cleanup kills that process alone, so whatever it started already must be stopped by us (a CI run
once found the test agent's shell command's ``sleep`` alive after a ``session/cancel`` that landed
in that window)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from oauthpy._commands import run_interactive
from oauthpy._process import Invocation, Process
from oauthpy.testing.processes import MARKER_VAR, live_processes_with_env, new_marker
from tests.agents.acp_test.actions import Tools
from tests.support import assert_no_fd_leak, group_left, open_pipes_and_files

pytestmark = pytest.mark.fast

BOUND_S = 10.0
#: a shell that writes its pid, then starts a child that would outlive it
SHELL = "echo $$ > pid; sleep 60"


class HeldSpawn:
    """Holds every spawn's pipe connection until the shell wrote its pid and the test cancelled."""

    def __init__(self, pid_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from asyncio import base_subprocess

        self.shell_running = asyncio.Event()
        self.cancelled = asyncio.Event()
        connect = base_subprocess.BaseSubprocessTransport._connect_pipes

        async def held(transport: Any, waiter: Any) -> None:
            for _ in range(int(BOUND_S / 0.01)):
                if pid_file.exists() and pid_file.read_text().strip():
                    break
                await asyncio.sleep(0.01)
            self.shell_running.set()
            await asyncio.wait_for(self.cancelled.wait(), BOUND_S)
            await connect(transport, waiter)

        monkeypatch.setattr(base_subprocess.BaseSubprocessTransport, "_connect_pipes", held)

    async def cancel(self, run: asyncio.Future[Any]) -> None:
        await asyncio.wait_for(self.shell_running.wait(), BOUND_S)
        run.cancel()
        self.cancelled.set()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(run, BOUND_S)


def test_the_test_agents_shell_cancelled_mid_spawn_leaves_no_process_of_its_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldSpawn(tmp_path / "pid", monkeypatch)

    async def nothing(*_: Any) -> Any:
        return {}

    async def main() -> int:
        await held.cancel(asyncio.ensure_future(Tools(nothing, nothing)._execute(SHELL, str(tmp_path))))
        return int((tmp_path / "pid").read_text())

    assert not group_left(asyncio.run(main()))


def test_an_interactive_command_cancelled_mid_spawn_leaves_nothing_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldSpawn(tmp_path / "pid", monkeypatch)
    marker = new_marker()
    monkeypatch.chdir(tmp_path)
    env = {"PATH": os.environ["PATH"], **marker}

    async def main() -> None:
        command = run_interactive(["/bin/sh", "-c", SHELL], env, timeout=BOUND_S, stdin=b"")
        await held.cancel(asyncio.ensure_future(command))

    asyncio.run(main())
    assert not live_processes_with_env(MARKER_VAR, marker[MARKER_VAR])


def test_a_run_cancelled_mid_spawn_stops_its_group_and_closes_its_pipes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldSpawn(tmp_path / "pid", monkeypatch)
    marker = new_marker()
    inv = Invocation(["/bin/sh", "-c", SHELL], {"PATH": os.environ["PATH"], **marker}, str(tmp_path))
    fds = open_pipes_and_files()

    async def main() -> None:
        await held.cancel(asyncio.ensure_future(Process.start(inv)))

    asyncio.run(main())
    assert not live_processes_with_env(MARKER_VAR, marker[MARKER_VAR])
    assert_no_fd_leak(fds)
