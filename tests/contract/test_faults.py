"""Faults, per provider, with the real CLI and the fakes.

For each: the documented error type, a redacted message that carries the vendor's own words,
a bounded run (every run here has a total timeout, so a hang would surface as the wrong error
type), and afterwards no process of the run and no leaked file descriptor.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from oauthpy import (
    AuthRequiredError,
    CommandExecutionError,
    EventKind,
    ProviderNotInstalledError,
    RateLimitError,
)
from oauthpy import _registry as registry
from oauthpy.testing import (
    Cut,
    Gate,
    HttpError,
    SseError,
    text,
)
from oauthpy.testing.processes import MARKER_VAR
from tests.support import LIVE_TRANSPORTS, Rig, binary_var, real_binary, vendor_cli_processes

BOUND_S = 60  # Rig.run bounds every run by the same: a hang shows up as TimeoutExceededError
#: how long an agent that retries by itself may take to give up on a dropped connection, which
#: no retry header shortens (OpenCode: 5 retries, 2 s doubling, about 67 s in all; Qwen Code: 7
#: attempts, 1.5 s doubling to 30 s with 30 % jitter, 86 s measured, up to 100 s)
GIVING_UP_S = 120


def bound(rig: Rig) -> float:
    agent = rig.provision
    return BOUND_S + (GIVING_UP_S if agent.own_retries or agent.retries_broken_connections else 0)


@contextlib.contextmanager
def gated_run(rig: Rig, gate: threading.Event) -> Iterator[dict[str, Any]]:
    """``rig.run()`` in a thread while the body acts on the run held at ``gate``; then the gate
    opens and the run is joined (bounded), also when the body fails, so that a failed test
    leaves no run going on. Yields the run's outcome: its ``result`` or its ``error``."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = rig.run()
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    try:
        yield outcome
    finally:
        gate.set()
        worker.join(BOUND_S)
    assert not worker.is_alive(), f"the run did not end within {BOUND_S} s"


def real(rig: Rig) -> str:
    return real_binary(rig.provider, rig.env)


def point_at(rig: Rig, url: str) -> None:
    """Send the CLI to ``url`` instead of the fake."""
    if rig.provision.redirect is not None:  # one that reads it from a file of its state
        rig.provision.redirect(rig.env, rig.fake.url, url)
        return
    for key, value in rig.env.items():  # every other agent finds its fake through its environment
        rig.env[key] = value.replace(rig.fake.url, url)


def wrapper(rig: Rig, body: str) -> str:
    """An executable standing in for the vendor CLI; ``$REAL`` is the real one."""
    path = rig.root / f"fake-{rig.provider}"
    path.write_text(f"#!/bin/sh\nREAL='{real(rig)}'\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


# What each CLI says, in its own words, that oauthpy must carry into the error message, is its
# provision's `fault_words` for the fault's id.


@pytest.mark.parametrize(
    ("step", "error", "fault"),
    [
        (HttpError(401, "key rejected by fake"), AuthRequiredError, "401"),
        (HttpError(403, "forbidden by fake"), AuthRequiredError, "403"),
        (HttpError(429, "slow down", retry_after=1), RateLimitError, "429"),
        (HttpError(500, "fake fell over"), CommandExecutionError, "500"),
        (HttpError(529, "overloaded"), CommandExecutionError, "529"),
        (Cut("half a repl"), CommandExecutionError, "cut"),
        (SseError(), CommandExecutionError, "sse-error"),
    ],
    ids=["401", "403", "429", "500", "529", "cut", "sse-error"],
)
@pytest.mark.warm_agent(lone_runs=True)
@pytest.mark.timeout(60 + GIVING_UP_S)
@pytest.mark.waits_for_vendor_retries
def test_http_faults_map_to_their_error_types(rig: Rig, step: Any, error: type, fault: str):
    if isinstance(step, HttpError):
        step = rig.api_error(step.status, step.message, retry_after=step.retry_after)
    rig.fake.script(step)
    with pytest.raises(error) as err:
        rig.run(timeout=bound(rig))
    assert type(err.value) is error
    # the CLI's own words; an agent whose provision lists none is held to the type alone
    assert rig.provision.fault_words.get(fault, "") in str(err.value).lower()
    if error is AuthRequiredError:
        assert err.value.hint, "an auth failure says how to log in"
    else:
        assert err.value.transient, f"{rig.provider}: {err.value}"


@pytest.mark.timeout(60 + GIVING_UP_S)
@pytest.mark.waits_for_vendor_retries
def test_backend_down_is_a_transient_error(rig: Rig):
    import socket

    # a port bound and never listened on: every connection is refused, and no other test's
    # fake can take the port during the agent's minute of retries (CI saw OpenCode reach one
    # that a parallel test had started on the port once it was let go: "Unauthorized")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        point_at(rig, f"http://127.0.0.1:{s.getsockname()[1]}")
        with pytest.raises(CommandExecutionError) as err:
            rig.run(timeout=bound(rig))
    assert err.value.transient


def test_the_cli_killed_mid_run_is_a_transient_error(rig: Rig):
    opened = threading.Event()
    rig.fake.script(Gate(opened, text("never sent")))
    with gated_run(rig, opened) as outcome:
        rig.fake.wait_for_model_request()
        # The vendor CLI itself, not its helpers: SIGKILLing codex's shell snapshot mid-`pyenv
        # rehash` would leave a lock that stalls every later login shell.
        cli = vendor_cli_processes(rig.env[MARKER_VAR])
        assert cli
        for pid in cli:
            os.kill(pid, signal.SIGKILL)
    assert isinstance(outcome.get("error"), CommandExecutionError), outcome
    assert outcome["error"].transient


def test_a_missing_binary_says_how_to_install(rig: Rig):
    rig.env[binary_var(rig.provider)] = str(rig.root / "no-such-cli")
    with pytest.raises(ProviderNotInstalledError) as err:
        rig.run()
    hint = rig.provision.install_words or registry.get(rig.provider).make_auth().install_hint
    assert hint in str(err.value.hint)


def test_a_binary_that_is_not_the_vendor_cli(rig: Rig):
    rig.env[binary_var(rig.provider)] = wrapper(
        rig, "echo 'this is not json'; echo 'garbage-on-stderr' >&2; exit 3"
    )
    with pytest.raises(CommandExecutionError) as err:
        rig.run()
    assert "garbage-on-stderr" in err.value.stderr  # its own last words
    if rig.provision.exit_code_seen:  # an SDK may fail writing to the dead CLI before it sees it
        assert err.value.returncode == 3


@pytest.mark.warm_agent(lone_runs=True)
def test_five_megabyte_replies_arrive_whole(rig: Rig):
    import random

    # varied text: gemini stops a reply it sees repeating itself ("Loop detected"); words of 12
    # random hex digits (seeded), made in a tenth of a second rather than 3 CPU-s of hashing
    digits = random.Random(5).randbytes(5 * 1024 * 1024 // 2).hex()
    big = " ".join(digits[i : i + 12] for i in range(0, len(digits), 12))[: 5 * 1024 * 1024]
    rig.fake.script(text(big, chunks=1))
    result = rig.run()
    assert result.text == big


def test_a_non_utf8_byte_in_the_output(rig: Rig):
    rig.env[binary_var(rig.provider)] = wrapper(
        rig, 'printf \'noise \\377\\376 noise\\n\'; exec "$REAL" "$@"'
    )
    rig.fake.script(text("still fine"))
    if rig.provision.dies_on_bad_bytes:
        # An SDK that reads the CLI's stdout itself (claude's) and whose reader dies on the
        # byte: a transient, classified error (the real claude only ever writes JSON).
        with pytest.raises(CommandExecutionError, match="decode") as err:
            rig.run()
        assert err.value.transient
        return
    result = rig.run()  # oauthpy's own reader replaces the byte and carries the line as `other`
    assert result.text == "still fine"
    if result.transport in LIVE_TRANSPORTS:
        return  # on a live JSON-RPC agent a line that is not JSON-RPC is noise, not part of a turn
    others = [e for e in result.events if e.kind is EventKind.OTHER and "noise" in e.text]
    assert others and "\ufffd" in others[0].text


# the agents a full state dir stops, and what their error says: `Provision.full_disk_words`


def test_a_full_disk_in_the_state_dir_stops_a_run_only_of_an_agent_that_must_write_it(rig: Rig):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    state = registry.get(rig.provider).make_auth().state_var
    full = rig.root / "full"
    full.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)], check=True)
    try:
        shutil.copytree(rig.env[state], full, dirs_exist_ok=True)
        (full / "filler").write_bytes(b"\0" * (64 * 1024 - 8192))
        rig.env[state] = str(full)
        rig.fake.script(text("written somewhere"))
        stops = rig.provision.full_disk_words
        if stops is None:  # claude answers without being able to write its state
            assert rig.run().text == "written somewhere"
        else:
            with pytest.raises(CommandExecutionError, match=stops) as err:
                rig.run()
            # an agent that reports it says it is no passing failure (one that exits on it has
            # crashed, which may well pass: codex, opencode, qwen)
            assert not err.value.transient or rig.provision.full_disk_exits
    finally:
        subprocess.run(["umount", "-l", str(full)], check=False)


def test_a_cwd_deleted_mid_run_still_gives_the_answer(rig: Rig):
    opened = threading.Event()
    rig.fake.script(Gate(opened, text("the folder vanished")))
    with gated_run(rig, opened) as outcome:
        rig.fake.wait_for_model_request()
        shutil.rmtree(rig.work)
    # Every CLI keeps its process's working directory (an unlinked inode) and finishes.
    assert "error" not in outcome, outcome
    assert outcome["result"].text == "the folder vanished"
