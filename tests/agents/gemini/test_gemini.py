"""The real Gemini CLI (@google/gemini-cli 0.61.0, pinned in tools/gemini) through Client("gemini").

Each run costs about 2-3 s of Node start-up.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from pydantic import BaseModel

from oauthpy import (
    AuthRequiredError,
    Client,
    CommandExecutionError,
    EventKind,
    InvalidOptionsError,
    StructuredOutputError,
)
from oauthpy._agents.gemini.fake import shell_call, write_call
from oauthpy._options import merged_env
from oauthpy.testing import Cut, Gate, Reply, Tokens, text
from tests.contract.test_attachments import asked_with, picture
from tests.support import MARKER_VAR, assert_no_leftovers, live_processes_with_env, open_rig

# One xdist group: these run one after another on one worker, beside the codex and claude
# tests. Several gemini start-ups at once on a 2-core machine made one run exit 0 without a
# result line (cause not yet understood; see the closing notes).
pytestmark = pytest.mark.xdist_group("gemini")


@pytest.fixture(params=["stream-json", "acp"])
def gemini(request: pytest.FixtureRequest) -> Client:
    """Every test here runs on both transports: a process per run, and a live ACP agent."""
    return Client("gemini", auth_source="external", transport=request.param)


MODEL = "gemini-2.5-flash"  # an explicit model avoids the CLI's router call


def test_exact_text_from_deltas_usage_and_model(gemini, gemini_fake, gemini_env, workdir):
    gemini_fake.script(
        text("Hello from the fake, in pieces.", chunks=4, usage=Tokens(input=321, cached=21, output=9))
    )
    result = gemini.run("say hi", cwd=workdir, env=gemini_env, model=MODEL)
    deltas = [e.text for e in result.events if e.kind is EventKind.MESSAGE and e.delta]
    assert len(deltas) == 4 and "".join(deltas) == result.text == "Hello from the fake, in pieces."
    u = result.usage
    cached = 21 if gemini.transport == "stream-json" else 0  # ACP 0.61 reports no cached tokens
    assert (u.input_tokens, u.cached_input_tokens, u.output_tokens, u.total_tokens) == (321, cached, 9, 330)
    assert result.model == MODEL and result.session_id
    assert_no_leftovers(gemini_env)


@pytest.mark.parametrize(
    ("relaunch", "node_processes"), [(None, 1), ("", 2)], ids=["one-process", "relaunch-kept"]
)
def test_a_run_is_one_node_process_unless_the_callers_env_keeps_the_relaunch(
    gemini, gemini_fake, gemini_env, workdir, relaunch, node_processes
):
    # The CLI's launcher re-spawns itself for a larger heap; oauthpy's runs skip that (about a
    # second less per start) unless the caller's env sets GEMINI_CLI_NO_RELAUNCH to "".
    env = gemini_env if relaunch is None else {**gemini_env, "GEMINI_CLI_NO_RELAUNCH": relaunch}
    opened = threading.Event()
    gemini_fake.script(Gate(opened, text("answered"), timeout_s=60))
    results: list[str] = []
    run = threading.Thread(
        target=lambda: results.append(gemini.run("q", cwd=workdir, env=env, model=MODEL).text)
    )
    run.start()
    try:
        gemini_fake.wait_for_model_request(timeout=60)  # the CLI is up and mid-turn
        found = live_processes_with_env(MARKER_VAR, env[MARKER_VAR])
        assert len(found) == node_processes, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in found]
    finally:
        opened.set()
        run.join(60)
    assert results == ["answered"]
    assert_no_leftovers(env)


def test_default_model_is_auto_and_the_model_actually_used_is_reported(
    gemini, gemini_fake, gemini_env, workdir
):
    gemini_fake.script(text("routed"))
    result = gemini.run("hi", cwd=workdir, env=gemini_env)
    assert result.text == "routed"
    main_path = gemini_fake.model_requests()[0].path
    assert result.model and result.model in main_path and result.model != "auto"


def test_shell_tool_becomes_a_command_with_output_and_final_text_is_the_last_turn(
    gemini, gemini_fake, gemini_env, workdir
):
    gemini_fake.script(
        Reply(text="Running it.", tool_calls=shell_call("echo hello-from-tool").tool_calls), text("finished")
    )
    result = gemini.run("run", cwd=workdir, env=gemini_env, model=MODEL, provider_options={"yolo": True})
    done = [e for e in result.events if e.kind is EventKind.COMMAND and e.status == "completed"]
    # ACP 0.61 does not carry a shell command's output (docs/live.md): why stream-json stays
    # the default for a lone run
    output = "hello-from-tool" if gemini.transport == "stream-json" else None
    assert [(e.command, e.output) for e in done] == [("echo hello-from-tool", output)]
    assert result.text == "finished"


def test_write_file_becomes_a_file_change(gemini, gemini_fake, gemini_env, workdir):
    gemini_fake.script(write_call(str(workdir / "a.txt"), "x\n"), text("written"))
    result = gemini.run(
        "write", cwd=workdir, env=gemini_env, model=MODEL, provider_options={"approval_mode": "yolo"}
    )
    changes = [e for e in result.events if e.kind is EventKind.FILE_CHANGE and e.status == "completed"]
    assert [c.changes[0].path for c in changes] == [str(workdir / "a.txt")]
    assert (workdir / "a.txt").read_text() == "x\n"


def test_prompt_with_leading_dashes_and_200kb_goes_through_stdin(gemini, gemini_fake, gemini_env, workdir):
    prompt = "--not-a-flag " + "y" * 200_000
    gemini_fake.script(text("big ok"))
    assert gemini.run(prompt, cwd=workdir, env=gemini_env, model=MODEL).text == "big ok"
    assert prompt in str(gemini_fake.model_requests()[0].body["contents"])


class City(BaseModel):
    name: str
    population: int


def test_a_prompt_over_the_context_window_is_refused_before_anything_starts(
    gemini, gemini_env, workdir, tmp_path
):
    # The CLI sends a request only if it fits the model's context window at 4 characters (UTF-16
    # code units) per token; above it, it never calls the model and still reports success.
    fired = tmp_path / "spawned"
    tripwire = tmp_path / "gemini-tripwire"
    tripwire.write_text(f"#!/bin/sh\ntouch '{fired}'\nexit 1\n")
    tripwire.chmod(tripwire.stat().st_mode | stat.S_IXUSR)
    env = {**gemini_env, "OAUTHPY_GEMINI_BINARY": str(tripwire)}
    with pytest.raises(
        InvalidOptionsError, match="model 'auto' only with at most 4194304, its 1048576-token"
    ):
        gemini.run("y" * (4 * 1_048_576 + 1), cwd=workdir, env=env)
    emoji = "y" * (4 * 1_048_576 - 100) + "\U0001f600" * 100  # at the limit in code points
    with pytest.raises(InvalidOptionsError, match="is 4194404 characters"):  # an emoji is 2 units
        gemini.run(emoji, cwd=workdir, env=env)
    with pytest.raises(InvalidOptionsError, match="model 'gemma-4-31b-it' only with at most 1024000,"):
        gemini.run("y" * (4 * 256_000 + 1), cwd=workdir, env=env, model="gemma-4-31b-it")
    assert not fired.exists(), "a process was started for a prompt the CLI would never send"


def test_a_run_that_never_calls_the_model_is_an_error_not_an_empty_answer(
    gemini, gemini_fake, gemini_env, workdir
):
    # At the window's size the prompt passes oauthpy's check, but the CLI's own session context
    # tips its estimate over: it skips the model, exits 0 and says "success" with empty stats.
    gemini_fake.script(text("must not be reached"))
    with pytest.raises(CommandExecutionError, match="never called the model") as info:
        gemini.run("y" * (4 * 1_048_576), cwd=workdir, env=gemini_env, model=MODEL)
    assert not info.value.transient
    assert info.value.returncode == (0 if gemini.transport == "stream-json" else None)
    assert gemini_fake.requests == []
    assert_no_leftovers(gemini_env)


def test_structured_output_into_a_pydantic_model(gemini, gemini_fake, gemini_env, workdir):
    gemini_fake.script(text('```json\n{"name": "Lyon", "population": 522000}\n```'))
    result = gemini.run("city?", cwd=workdir, env=gemini_env, model=MODEL, output_schema=City)
    assert result.output == City(name="Lyon", population=522000)
    assert '"population"' in str(gemini_fake.model_requests()[0].body["contents"])  # the schema was asked for


def test_nonconforming_structured_output_raises(gemini, gemini_fake, gemini_env, workdir):
    gemini_fake.script(text('{"name": "Lyon"}'))
    with pytest.raises(StructuredOutputError, match="does not match City"):
        gemini.run("city?", cwd=workdir, env=gemini_env, model=MODEL, output_schema=City)


def test_stream_without_finish_reason_and_exit_zero_is_an_error(gemini, gemini_fake, gemini_env, workdir):
    gemini_fake.script(Cut("half an ans"))
    said = "finish reason" if gemini.transport == "stream-json" else "model stream was cut"
    with pytest.raises(CommandExecutionError, match=said) as info:
        gemini.run("hi", cwd=workdir, env=gemini_env, model=MODEL)
    assert info.value.transient
    assert info.value.returncode == (0 if gemini.transport == "stream-json" else None)


def test_missing_auth_exits_41_as_auth_required(gemini, gemini_fake, gemini_env, workdir):
    settings = Path(gemini_env["GEMINI_CLI_HOME"], ".gemini", "settings.json")
    settings.write_text("{}")
    env = {**gemini_env, "GEMINI_API_KEY": None, "GOOGLE_GEMINI_BASE_URL": None}
    with pytest.raises(AuthRequiredError) as info:
        gemini.run("hi", cwd=workdir, env=env, model=MODEL)
    assert info.value.hint and gemini_fake.requests == []


def test_untrusted_folder_says_how_to_trust_it(gemini, gemini_fake, gemini_env, workdir):
    env = {**gemini_env, "GEMINI_CLI_TRUST_WORKSPACE": None}
    if gemini.transport == "acp":
        # gemini --acp 0.61 does not refuse a folder it does not trust; it runs without the
        # folder's own settings (docs/live.md)
        gemini_fake.script(text("ran anyway"))
        assert gemini.run("hi", cwd=workdir, env=env, model=MODEL).text == "ran anyway"
        return
    with pytest.raises(CommandExecutionError, match="does not trust") as info:
        gemini.run("hi", cwd=workdir, env=env, model=MODEL)
    assert info.value.returncode == 55 and "GEMINI_CLI_TRUST_WORKSPACE=true" in str(info.value)


def test_writes_nothing_under_the_real_home(gemini, gemini_fake, gemini_env, workdir):
    gemini_fake.script(text("ok"))
    real = Path(os.path.expanduser("~/.gemini"))
    before = sorted(real.rglob("*")) if real.exists() else None
    gemini.run("hi", cwd=workdir, env=gemini_env, model=MODEL)
    assert (sorted(real.rglob("*")) if real.exists() else None) == before
    assert Path(gemini_env["GEMINI_CLI_HOME"], ".gemini", "projects.json").exists()


def test_options_are_checked_before_anything_starts(gemini, gemini_fake, gemini_env, workdir):
    with pytest.raises(InvalidOptionsError, match="no reasoning-effort"):
        gemini.run("hi", cwd=workdir, env=gemini_env, provider_options={"reasoning_effort": "low"})
    with pytest.raises(InvalidOptionsError, match="default, auto_edit, yolo, plan"):
        gemini.run("hi", cwd=workdir, env=gemini_env, provider_options={"approval_mode": "always"})
    with pytest.raises(InvalidOptionsError, match="valid keys"):
        gemini.run("hi", cwd=workdir, env=gemini_env, provider_options={"max_turns": 2})
    assert gemini_fake.requests == []


def test_gemini_s_session_cleanup_does_not_run_in_oauthpy_s_runs(gemini, gemini_fake, gemini_env, workdir):
    # gemini 0.61's cleanup deletes every file of a session when one has no resumable content,
    # which a resumed session crossing a minute boundary leaves behind (docs/sessions.md).
    settings_file = Path(gemini_env["GEMINI_CLI_HOME"], ".gemini", "settings.json")
    settings = json.loads(settings_file.read_text())
    settings["general"]["sessionRetention"] = {"enabled": True, "maxAge": "30d"}  # the user's choice
    settings_file.write_text(json.dumps(settings))
    gemini_fake.script(text("ok"))
    gemini.run("hi", cwd=workdir, env=gemini_env, model=MODEL)
    chats = next(Path(gemini_env["GEMINI_CLI_HOME"]).rglob("chats"))
    planted = chats / "session-2026-01-01T00-00-0badc0de.jsonl"
    record = {"sessionId": "0badc0de-0000-4000-8000-000000000000", "projectHash": "x", "kind": "main"}

    # Without oauthpy, the CLI deletes such a file when it starts in the project ...
    planted.write_text(json.dumps(record) + "\n")
    env = merged_env(gemini_env)
    argv = [env["OAUTHPY_GEMINI_BINARY"], "-o", "stream-json", "--model", MODEL]
    subprocess.run(argv, input=b"hi", env=env, cwd=workdir, capture_output=True, timeout=120, check=True)
    assert not planted.exists()
    # ... and in oauthpy's runs it does not, while the user's own settings stay as they were.
    planted.write_text(json.dumps(record) + "\n")
    gemini.run("hi again", cwd=workdir, env=gemini_env, model=MODEL)
    assert planted.exists()
    assert json.loads(settings_file.read_text())["general"]["sessionRetention"]["enabled"] is True
    assert_no_leftovers(gemini_env)


def test_a_lone_gemini_run_with_a_picture_goes_over_acp(tmp_path: Path):
    shot, b64 = picture(tmp_path, 5)
    with open_rig("gemini", tmp_path / "rig") as rig:
        rig.fake.script(text("seen"))
        result = rig.run("Name OKAPI-5", attachments=[shot])
        assert result.transport == "acp"  # headless gemini takes text only
        assert asked_with(rig, b64, "OKAPI-5")
