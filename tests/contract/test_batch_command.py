"""``oauthpy batch`` on the real CLIs against the fakes: every item answered with its own
token, no sessions saved unless asked, failed items and a resume after a torn line, Ctrl-C and a
resume, and bad input refused before anything starts (``Client.map``: test_batch_map.py)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oauthpy import _registry as registry
from oauthpy.testing import Echo, Gate, HttpError, Match, text
from tests.contract.batch_cases import BOUND_S, read_lines, tokens, write_items
from tests.support import Rig, assert_no_leftovers, count_spawns, ended, sessions_side_by_side


def oauthpy_batch(rig: Rig, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """``oauthpy batch`` for the rig's provider, its agents in the rig's work dir."""
    cmd = [sys.executable, "-m", "oauthpy.cli", "batch", "-p", rig.provider, "--source", "external"]
    cmd += ["--cwd", str(rig.work), *(["-m", rig.model] if rig.model else []), *args]
    return subprocess.Popen(
        cmd,
        env={**os.environ, **rig.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def wait_until(condition: Callable[[], bool], what: str, within_s: float = BOUND_S) -> None:
    """Poll ``condition`` (a file or the fake's records) until it holds, for a bounded time."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within_s:g} s: {what}")
        time.sleep(0.02)


def test_a_batch_of_12_at_j3_answers_every_item_with_its_own_token(rig: Rig, tmp_path: Path):
    spawns = count_spawns(rig)
    rig.fake.script(Echo())
    items = write_items(tmp_path / "items.jsonl", tokens(12))
    out = tmp_path / "out.jsonl"
    code, err = finish(oauthpy_batch(rig, str(items), "-o", str(out), "-j", "3"))
    assert code == 0, err
    if sessions_side_by_side(rig.provider):  # the three workers' sessions ran in one process
        assert spawns.read_text().splitlines() == ["started"]
    lines = read_lines(out)
    assert sorted(line["id"] for line in lines) == sorted(tokens(12))
    for line in lines:
        assert line["ok"] is True and line["attempts"] == 1
        assert line["text"] == f"echo token-{int(line['id'].split('-')[1]):04x}"
        assert line["usage"]["total_tokens"] > 0 and line["elapsed_s"] > 0
        assert set(line) == {
            "id", "ok", "text", "output", "usage", "cost_usd", "cost_estimated", "model", "session_id",
            "elapsed_s", "attempts",
        }  # fmt: skip
    assert "batch: 12 ok, 0 failed of 12" in err


def saved_sessions(rig: Rig) -> list[str]:
    """The names of the sessions the vendor saved in the rig's isolated state (each holds its
    session id, or its first 8 characters): its provision's `saved_sessions`, else the files
    under the state dir it is given."""
    if rig.provision.saved_sessions is not None:
        return rig.provision.saved_sessions(rig.env)
    state = registry.get(rig.provider).make_auth().state_var
    return [path.name for path in Path(rig.env[state]).rglob("*") if path.is_file()]


def saved(rig: Rig, session_id: str) -> bool:
    return any(session_id[:8] in name for name in saved_sessions(rig))


def test_a_batch_saves_no_sessions_unless_asked_and_a_kept_one_resumes(rig: Rig, tmp_path: Path):
    # one item at a time: one agent serves the three items of each batch (a session each), where
    # the default concurrency would start three (OpenCode: about 3 CPU-s a start)
    rig.fake.script(Echo())
    items = write_items(tmp_path / "items.jsonl", tokens(3))
    out = tmp_path / "out.jsonl"
    code, err = finish(oauthpy_batch(rig, str(items), "-o", str(out), "-q", "-j", "1"))
    assert code == 0, err
    ids = [line["session_id"] for line in read_lines(out)]
    if not registry.get(rig.provider).make_provider().ephemeral:  # no way not to save them
        assert all(saved(rig, i) for i in ids)
    else:
        assert ids == [None] * 3 and saved_sessions(rig) == []

    kept = tmp_path / "kept.jsonl"
    code, err = finish(oauthpy_batch(rig, str(items), "-o", str(kept), "-q", "-j", "1", "--keep-sessions"))
    assert code == 0, err
    ids = [line["session_id"] for line in read_lines(kept)]
    assert len(set(ids)) == 3 and all(saved(rig, i) for i in ids)
    rig.fake.script(text("still here"))
    with rig.client().session(cwd=rig.work, resume=ids[0], model=rig.model, timeout=BOUND_S) as session:
        again = session.run("and now?")
    assert again.text == "still here" and again.session_id == ids[0]
    assert "token-" in rig.model_bodies()[-1]  # the item's own turn came back with it


def test_failed_items_are_written_and_resume_reruns_only_them_after_a_torn_line(rig: Rig, tmp_path: Path):
    prompts = tokens(6)
    prompts["item-1"] += " fail-400"
    prompts["item-4"] += " fail-500"
    rig.fake.script(
        Match("fail-400", HttpError(400, "bad request by fake"), otherwise=Match("fail-500", HttpError(500)))
    )
    items = write_items(tmp_path / "items.jsonl", prompts)
    out = tmp_path / "out.jsonl"
    # one item at a time: one agent per batch (failures at -j 3: the map test in test_batch_map.py)
    code, err = finish(oauthpy_batch(rig, str(items), "-o", str(out), "-j", "1"))
    assert code == 1, err
    lines = {line["id"]: line for line in read_lines(out)}
    assert {k for k, v in lines.items() if not v["ok"]} == {"item-1", "item-4"}
    for failed in ("item-1", "item-4"):
        assert lines[failed]["error"]["type"] and lines[failed]["error"]["message"]
        assert lines[failed]["text"] is None
    assert "batch: 4 ok, 2 failed of 6" in err
    named = err.split("\nfailed: ")[1]  # the summary names each failed id and its error kind
    for failed in ("item-1", "item-4"):
        assert f"{failed} ({lines[failed]['error']['type']})" in named, err

    with out.open("a") as f:  # a crash cut the last line short
        f.write('{"id": "item-9", "ok": tr')
    rig.fake.script(Echo())
    seen = len(rig.fake.model_requests())
    code, err = finish(oauthpy_batch(rig, str(items), "-o", str(out), "-j", "1", "--resume"))
    assert code == 0, err
    assert "resuming: 4 already done in OUTPUT, skipped; 2 to run" in err
    assert "batch: 2 ok, 0 failed of 2" in err and "· 4 already done, skipped" in err
    again = [r.body_text for r in rig.fake.model_requests()[seen:]]
    assert sorted(re.findall(r"fail-[45]00", " ".join(again))) == ["fail-400", "fail-500"]
    assert not any(f"token-{i:04x}" in body for body in again for i in (0, 2, 3, 5))
    final = read_lines(out)  # every line parses: the torn one is gone
    assert {line["id"] for line in final[-2:]} == {"item-1", "item-4"}
    assert sorted(line["id"] for line in final if line["ok"]) == sorted(prompts)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_keeps_finished_lines_and_resume_completes_every_id_once(rig: Rig, tmp_path: Path, stop: int):
    opened = threading.Event()
    prompts = tokens(8)
    for i in (4, 5, 6, 7):
        prompts[f"item-{i}"] += " HOLD-ITEM"
    rig.fake.script(Match("HOLD-ITEM", Gate(opened, text("too late")), otherwise=Echo()))
    items = write_items(tmp_path / "items.jsonl", prompts)
    out = tmp_path / "out.jsonl"
    proc = oauthpy_batch(rig, str(items), "-o", str(out), "-j", "2")
    try:
        held = lambda: sum("HOLD-ITEM" in r.body_text for r in rig.fake.model_requests())  # noqa: E731
        wait_until(lambda: held() >= 2, "two held items reach the model")
        wait_until(lambda: out.exists() and len(out.read_text().splitlines()) == 4, "four lines written")
        proc.send_signal(stop)
        code, err = finish(proc)
    finally:
        opened.set()
        ended(proc)
    assert code == 128 + stop, err  # 130 for Ctrl-C, 143 for SIGTERM
    assert "interrupted: 4 ok, 0 failed of 8" in err and "--resume" in err
    assert sorted(line["id"] for line in read_lines(out)) == [f"item-{i}" for i in range(4)]
    assert_no_leftovers(rig.env)

    rig.fake.script(Echo())
    # one worker: what is checked is which items the resume runs (an agent each worker starts)
    code, err = finish(oauthpy_batch(rig, str(items), "-o", str(out), "-j", "1", "--resume"))
    assert code == 0, err
    ids = [line["id"] for line in read_lines(out)]
    assert sorted(ids) == sorted(prompts) and len(ids) == len(set(ids)) == 8


@pytest.mark.parametrize("provider", registry.names(generic=False))
def test_bad_input_is_refused_with_line_numbers_before_anything_starts(
    provider: str, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    env, fired = tripwire
    items = tmp_path / "items.jsonl"
    items.write_text('{"id": "a", "prompt": "fine"}\n{"id": "a", "prompt": "again"}\n{"id": "b"}\n[1, 2]\n')
    out = tmp_path / "out.jsonl"
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "oauthpy.cli", "batch", "-p", provider, *a],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    proc = run(str(items), "-o", str(out))
    assert proc.returncode == 2
    assert "line 2: id 'a' is already used by line 1" in proc.stderr
    assert "line 3: no prompt" in proc.stderr and "line 4: not a JSON object" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()

    items.write_text('{"id": "a", "prompt": "fine"}\n{"id": "b", "prompt": "x", "cwd": "/no/such/dir"}\n')
    proc = run(str(items), "-o", str(out))
    assert proc.returncode == 2 and "line 2: cwd does not exist" in proc.stderr and not out.exists()

    out.write_text('{"id": "a", "ok": true}\n')
    proc = run(str(items), "-o", str(out), "-j", "2")
    assert proc.returncode == 2 and "--resume" in proc.stderr
    assert out.read_text() == '{"id": "a", "ok": true}\n'
    for bad in (["-j", "0"], ["--max-retries", "-1"], ["--timeout", "nan"]):
        assert run(str(items), "-o", str(tmp_path / "new.jsonl"), *bad).returncode == 2, bad
    assert not fired.exists()
