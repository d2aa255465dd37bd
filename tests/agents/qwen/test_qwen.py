"""Qwen Code (the pinned @qwen-code/qwen-code) through the generic ACP layer, against the Responses
fake: what its package (src/oauthpy/_agents/qwen/) adds, end to end. The shared suites run it
like every agent of the registry; these tests are the ones only it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError, Client, Decision, EventKind, InvalidOptionsError, PermissionRequest
from oauthpy.testing import shell, text
from tests.orphans import left_by_a_run
from tests.support import Rig, assert_no_leftovers, open_rig, vendor_binaries

BOUND_S = 90


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("qwen", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def test_a_run_streams_deltas_and_a_two_turn_session_keeps_its_context(rig: Rig) -> None:
    rig.fake.script(text("first answer, in pieces", chunks=3), text("second answer"))
    with rig.client().session(cwd=rig.work, timeout=BOUND_S) as session:
        events = list(session.stream_sync("first"))
        second = session.run("second")
    deltas = [e.text for e in events if e.delta]
    assert len(deltas) == 3 and events[-1].text == "first answer, in pieces"
    assert events[-1].usage and events[-1].usage.input_tokens > 0  # from its chunks' _meta.usage
    assert events[-1].model == "fake-model"  # its model id is "...|fake-model(openai-responses)"
    assert second.text == "second answer" and second.session_id == events[-1].session_id
    assert "first answer, in pieces" in rig.fake.model_requests()[-1].body_text
    # the session is Qwen Code's own, listed by the catalogue
    listed = rig.client().sessions(cwd=rig.work)
    assert second.session_id in {s.id for s in listed}


def test_on_permission_deny_and_allow_on_a_shell_command(rig: Rig) -> None:
    asked: list[PermissionRequest] = []

    def deny(request: PermissionRequest) -> Decision:
        asked.append(request)
        return Decision.DENY

    rig.fake.script(shell("touch denied.txt"), text("not reached: a refusal ends Qwen Code's turn"))
    denied = rig.run("make it", on_permission=deny)
    assert not (rig.work / "denied.txt").exists()
    assert [r.command for r in asked] == ["touch denied.txt"]
    assert [e.status for e in denied.events if e.kind is EventKind.PERMISSION] == ["denied"]
    rig.fake.script(shell("touch allowed.txt"), text("made"))
    allowed = rig.run("make it", on_permission=lambda request: True)
    assert (rig.work / "allowed.txt").exists() and allowed.text == "made"
    # the command's own output and exit code, not its shell tool's report around them
    (ran,) = [e for e in allowed.events if e.kind is EventKind.COMMAND and e.status == "completed"]
    assert (ran.command, ran.output, ran.exit_code) == ("touch allowed.txt", "", 0)


def test_no_key_is_auth_required_within_seconds_with_the_way_to_give_one(rig: Rig) -> None:
    env = {**rig.env, "OPENAI_API_KEY": ""}
    (Path(env["QWEN_HOME"]) / "settings.json").write_text(
        json.dumps({"privacy": {"usageStatisticsEnabled": False}})
    )
    started = time.monotonic()
    with pytest.raises(AuthRequiredError) as caught:
        Client("qwen", auth_source="external", env=env).run("hi", cwd=rig.work, timeout=BOUND_S)
    assert time.monotonic() - started < 20
    assert "OPENAI_API_KEY" in (caught.value.hint or "")
    assert not rig.fake.model_requests()


def test_workspace_settings_that_approve_are_refused_before_anything_starts(rig: Rig) -> None:
    settings = rig.work / ".qwen" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"tools": {"approvalMode": "yolo"}, "permissions": {"allow": ["Bash"]}}))
    with pytest.raises(
        InvalidOptionsError, match=r"settings\.json set tools\.approvalMode, permissions\.allow"
    ):
        rig.run("hi", on_permission=lambda request: False)
    assert not rig.fake.model_requests()


def test_doctor_shows_qwen_and_its_version(rig: Rig, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "doctor", "-p", "qwen", "--source", "external"],
        env={**os.environ, **rig.env, **vendor_binaries(), "OAUTHPY_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    row = next(line for line in done.stdout.splitlines() if line.startswith("qwen "))
    assert row.split()[1:4] == ["yes", "0.24.4", "yes"], row  # installed, its version, a key in env


def test_a_stopped_run_leaves_the_cli_to_its_launcher_not_to_pid_1(rig: Rig) -> None:
    # `qwen` runs the CLI as its child: signalled together, the launcher went first and left
    # the CLI (a `node`) to PID 1 at the end of every run
    rig.fake.script(text("done"))
    said = left_by_a_run(rig)
    assert said["text"] == "done"
    # its own helpers may be left (a `sh -c ps ...` of the walk up its parents it starts with,
    # when the run ends before the walk does): the CLI's, not oauthpy's, to wait for
    assert "node" not in said["left"], said
