"""A fresh ``oauthpy run -p codex`` that asks for the answer alone runs ``codex exec``, started
before the event loop and the client load (cli/run_exec.py): the same output and exit codes as
the general path, nothing left running however it ends; ``--stream`` keeps the app-server and
its text deltas. Both vendors are told it is oauthpy, with its version."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oauthpy import __version__
from oauthpy.testing import Hang, HttpError, text
from tests.support import assert_no_leftovers

#: the command as `oauthpy` runs it, with ``setup`` first (a patch that watches or interrupts)
_AS_COMMAND = """
import os, signal, sys
sys.argv[0] = "oauthpy"
{setup}
from oauthpy.cli import entry
sys.exit(entry())
"""
#: the general path: what every run took before (here on exec, as the command now asks)
GENERAL = "from oauthpy.cli import run_exec\nrun_exec.fits = lambda args: False"
#: says on stderr, at codex's start, its subcommand and whether the client had loaded (the
#: general path's way in, and with it the event loop; an OAUTHPY_AGENTS entry may load asyncio)
WATCH_SPAWN = """
import subprocess
started = subprocess.Popen.__init__
def watched(self, argv, *a, **k):
    if "codex" in os.path.basename(argv[0]):
        print(f"spawned {argv[1]} client={'oauthpy._client' in sys.modules}", file=sys.stderr, flush=True)
    started(self, argv, *a, **k)
subprocess.Popen.__init__ = watched
"""
#: ``{sig}`` to the command itself the moment codex has started, before anything else loads
SIGNAL_AT_SPAWN = """
import subprocess
started = subprocess.Popen.__init__
def then_signal(self, argv, *a, **k):
    started(self, argv, *a, **k)
    if "codex" in os.path.basename(argv[0]):
        print(f"codex {{argv[1]}} started", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.{sig})
subprocess.Popen.__init__ = then_signal
"""
#: says on stderr whether each message event the stream printer gets is a delta
WATCH_STREAM = """
from oauthpy.cli import render
feed = render.StreamPrinter.feed
def watched(self, event):
    if event.kind.value == "message":
        print(f"message delta={event.delta}", file=sys.stderr, flush=True)
    return feed(self, event)
render.StreamPrinter.feed = watched
"""


def oauthpy(*args: str, env: dict[str, str], setup: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _AS_COMMAND.format(setup=setup), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def comparable(out: str) -> dict[str, Any]:
    """``--json`` output without what differs from run to run (ids, times)."""
    found: dict[str, Any] = json.loads(out)
    for key in ("session_id", "elapsed_s"):
        found.pop(key)
    for event in found["events"]:
        event.pop("timestamp", None)
        event.pop("session_id", None)
    return found


def test_a_run_without_stream_starts_codex_exec_before_the_client_loads(
    openai_fake, codex_env, workdir: Path
):
    openai_fake.script(text("answer from exec"))
    done = oauthpy("run", "-p", "codex", "--cwd", str(workdir), "hi", env=codex_env, setup=WATCH_SPAWN)
    assert (done.returncode, done.stdout) == (0, "answer from exec\n"), done.stderr
    assert "spawned exec client=False" in done.stderr, done.stderr
    assert openai_fake.model_requests()[0].headers["originator"] == "codex_exec"


def test_a_chatgpt_login_on_file_starts_codex_exec_without_asking_codex_first(
    openai_fake, codex_env, workdir: Path
):
    from oauthpy._agents.codex.fake_chatgpt import log_in

    log_in(codex_env["CODEX_HOME"], openai_fake)  # auth.json, as `codex login` leaves it
    openai_fake.script(text("answer on a plan"))
    done = oauthpy("run", "-p", "codex", "--cwd", str(workdir), "hi", env=codex_env, setup=WATCH_SPAWN)
    assert (done.returncode, done.stdout) == (0, "answer on a plan\n"), done.stderr
    # the default source (auto) found the login on file: no `codex login status` before the run
    assert done.stderr == "spawned exec client=False\n", done.stderr


def test_its_output_is_the_general_paths_as_text_and_json(openai_fake, codex_env, workdir: Path):
    openai_fake.script(text("the same answer"))
    run = ["run", "-p", "codex", "--cwd", str(workdir), "--json", "hi"]
    early, general = oauthpy(*run, env=codex_env), oauthpy(*run, env=codex_env, setup=GENERAL)
    assert early.returncode == general.returncode == 0, early.stderr + general.stderr
    assert comparable(early.stdout) == comparable(general.stdout)
    assert comparable(early.stdout)["transport"] == "exec"
    plain = oauthpy(*run[:-2], "hi", env=codex_env)
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, "the same answer\n", "")


def test_no_login_is_refused_before_codex_starts_with_the_general_paths_words(
    openai_fake, codex_env, workdir: Path, tmp_path: Path
):
    env = {**codex_env, "OAUTHPY_HOME": str(tmp_path / "empty-home")}
    run = ["run", "-p", "codex", "--source", "oauthpy", "--cwd", str(workdir), "hi"]
    early = oauthpy(*run, env=env)
    general = oauthpy(*run, env=env, setup=GENERAL)
    assert early.returncode == general.returncode == 2
    assert early.stderr.startswith("error: codex is not logged in"), early.stderr
    assert early.stderr == general.stderr
    assert openai_fake.requests == []


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (HttpError(400, "the request was refused"), "the request was refused"),
        (HttpError(401, "bad key"), "error: "),  # the vendor's own auth failure
    ],
)
def test_a_failed_run_says_what_the_general_path_says(
    answer: HttpError, said: str, openai_fake, codex_env, workdir: Path
):
    openai_fake.script(answer)
    run = ["run", "-p", "codex", "--cwd", str(workdir), "hi"]
    early = oauthpy(*run, env=codex_env, setup=WATCH_SPAWN)
    assert early.stderr.startswith("spawned exec client=False\n"), early.stderr
    general = oauthpy(*run, env=codex_env, setup=GENERAL)
    assert early.returncode == general.returncode == 2, early.stderr
    assert said in early.stderr and "Traceback" not in early.stderr
    assert early.stderr.removeprefix("spawned exec client=False\n") == general.stderr
    assert_no_leftovers(codex_env)


def test_a_timeout_ends_codex_and_says_so(openai_fake, codex_env, workdir: Path):
    openai_fake.script(Hang(60))
    run = ["run", "-p", "codex", "--cwd", str(workdir), "--timeout", "3", "hi"]
    done = oauthpy(*run, env=codex_env, setup=WATCH_SPAWN)
    said = done.stderr.removeprefix("spawned exec client=False\n")
    assert done.returncode == 2 and said.startswith("error: total timeout fired"), done.stderr
    assert_no_leftovers(codex_env)


def test_ctrl_c_or_sigterm_the_moment_codex_started_leaves_nothing_running(codex_env, workdir: Path):
    for sig, code, said in (("SIGINT", 130, "error: interrupted"), ("SIGTERM", 143, "error: terminated")):
        done = oauthpy(
            "run",
            "-p",
            "codex",
            "--cwd",
            str(workdir),
            "hi",
            env=codex_env,
            setup=SIGNAL_AT_SPAWN.format(sig=sig),
        )
        assert done.returncode == code, done.stderr
        assert said in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert "codex exec started" in done.stderr  # the signal came once codex was running
        # at once: the command ends only when codex is gone (left alone, codex would end later,
        # when it noticed its input had closed)
        assert_no_leftovers(codex_env, within_s=0.0)


def test_ctrl_c_while_codex_exec_waits_for_the_model_stops_it(openai_fake, codex_env, workdir: Path):
    openai_fake.script(Hang(60))
    proc = subprocess.Popen(
        [sys.executable, "-m", "oauthpy.cli", "run", "-p", "codex", "--cwd", str(workdir), "hang"],
        env={**os.environ, **codex_env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        request = openai_fake.wait_for_model_request()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert request.headers["originator"] == "codex_exec"
    assert proc.returncode == 130 and err.startswith("error: interrupted"), err
    assert_no_leftovers(codex_env)


def test_stream_keeps_the_app_server_and_its_deltas_and_names_oauthpy(openai_fake, codex_env, workdir: Path):
    openai_fake.script(text("streamed in pieces", chunks=3))
    run = ["run", "-p", "codex", "--cwd", str(workdir), "--stream", "hi"]
    done = oauthpy(*run, env=codex_env, setup=WATCH_STREAM)
    assert (done.returncode, done.stdout) == (0, "streamed in pieces\n"), done.stderr
    assert done.stderr.count("message delta=True") == 3, done.stderr
    headers = openai_fake.model_requests()[0].headers
    assert headers["originator"] == "oauthpy"  # codex's app-server, told oauthpy's clientInfo
    assert f"(oauthpy; {__version__})" in headers["user-agent"]


def test_claude_is_told_the_runs_come_from_oauthpy(anthropic_fake, claude_env, workdir: Path):
    anthropic_fake.script(text("hello"))
    done = oauthpy("run", "-p", "claude", "--cwd", str(workdir), "hi", env=claude_env)
    assert (done.returncode, done.stdout) == (0, "hello\n"), done.stderr
    agent = anthropic_fake.model_requests()[0].headers["user-agent"]
    assert f"client-app/oauthpy/{__version__}" in agent, agent
