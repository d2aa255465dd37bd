"""``lean=True``: a text-in, text-out run whose first model request is a fraction of a default
run's (docs/lean.md), against each agent's fake.

Each agent's provision says how small its lean request must be (`Provision.lean_share`: its
CLI may keep a base prompt no option removes), which tools no option removes
(`Provision.lean_tools`), and whether a lean run still takes ``on_permission`` and ``tools=``
(`Provision.lean_takes_callbacks`); else both are refused before anything starts. An agent
with no lean run (`Provision.lean_share` None: a generic ACP agent) has ``lean=True`` refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from oauthpy import InvalidOptionsError
from oauthpy.testing import text
from tests.support import Rig, batch

PROMPT = "Reply with the word ok."


def _turns(rig: Rig) -> list[Any]:
    is_turn = rig.provision.is_turn
    return [r for r in rig.fake.requests if r.method == "POST" and (is_turn is None or is_turn(r))]


def _size(request: Any) -> int:
    length = request.headers.get("content-length")
    return int(length) if length else len(request.body_text.encode())


def declared_tools(body: Any) -> list[str]:
    """The tool names a model request declares, in each wire API's shape (Responses, Chat
    Completions, Anthropic Messages, Gemini)."""
    names: list[str] = []
    for tool in (body.get("tools") if isinstance(body, dict) else None) or []:
        if not isinstance(tool, dict):
            continue
        for decl in tool.get("functionDeclarations") or ():
            names.append(str(decl.get("name")))
        name = tool.get("name") or (tool.get("function") or {}).get("name") or tool.get("type")
        if name and "functionDeclarations" not in tool:
            names.append(str(name))
    return names


def _first_request(rig: Rig, **kw: Any) -> Any:
    before = len(_turns(rig))
    rig.fake.script(text("ok"))
    result = rig.run(PROMPT, **kw)
    assert result.text.strip() == "ok"
    return _turns(rig)[before]


# of what a lean run sends, not of the start: the default run goes on the worker's warm client
# (the lean run's other settings start an agent of their own)
@pytest.mark.warm_agent(lone_runs=True)
def test_a_lean_run_sends_a_fraction_of_the_request_and_still_answers(rig: Rig) -> None:
    share = rig.provision.lean_share
    if share is None:  # an agent with no lean run: refused before anything starts
        with pytest.raises(InvalidOptionsError, match="no lean run"):
            rig.run(PROMPT, lean=True)
        assert rig.fake.requests == []
        return
    default = _first_request(rig)
    lean = _first_request(rig, lean=True)
    assert _size(lean) <= share * _size(default), (
        f"lean request {_size(lean)} B, default {_size(default)} B: more than {share:.0%}"
    )
    assert PROMPT in lean.body_text
    assert set(declared_tools(lean.body)) <= set(rig.provision.lean_tools), declared_tools(lean.body)
    assert set(declared_tools(default.body)) - set(rig.provision.lean_tools), "the default run declares tools"


def test_a_lean_run_takes_or_refuses_on_permission_and_tools_before_it_starts(rig: Rig) -> None:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    asks: list[dict[str, Any]] = [{"on_permission": lambda request: True}, {"tools": [add]}]
    if rig.provision.lean_share is None:
        asks = []  # refused whatever comes with it (the test above)
    for options in asks:
        if rig.provision.lean_takes_callbacks:
            _first_request(rig, lean=True, **options)
        else:
            with pytest.raises(InvalidOptionsError, match="lean"):
                rig.run(PROMPT, lean=True, **options)
    if not rig.provision.lean_takes_callbacks:
        assert rig.fake.requests == []


@pytest.mark.parametrize("value", [1, "yes", None])
def test_lean_must_be_a_bool(rig: Rig, value: Any) -> None:
    with pytest.raises(InvalidOptionsError, match="lean must be True or False"):
        rig.run(PROMPT, lean=value)
    assert rig.fake.requests == []


def test_oauthpy_run_and_batch_take_lean(rig: Rig) -> None:
    """``oauthpy run --lean`` and ``oauthpy batch --lean``: each model request declares no tool
    but those no option removes (a default run's declare shell and file tools: above)."""
    model = ["-m", rig.model] if rig.model else []
    rig.fake.script(text("ok"), text("ok"), text("ok"))
    cli = [sys.executable, "-m", "oauthpy.cli", "run", "-p", rig.provider, "--source", "external"]
    run = subprocess.run(
        [*cli, "--cwd", str(rig.work), *model, "--lean", PROMPT],
        env={**os.environ, **rig.env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    items = rig.root / "items.txt"
    items.write_text(f"{PROMPT}\n{PROMPT}\n")
    out = rig.root / "out.jsonl"
    # one worker: one agent serves both lines (the default concurrency would start two)
    lean_batch = [str(items), "-o", str(out), "--cwd", str(rig.work), *model, "--lean", "-j", "1"]
    done = batch(rig.provider, rig.env, *lean_batch)
    if rig.provision.lean_share is None:
        assert run.returncode == 2 and "no lean run" in run.stderr, run.stderr
        assert done.returncode == 2 and "no lean run" in done.stderr, done.stderr
        assert rig.fake.requests == []
        return
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
    assert done.returncode == 0, done.stderr
    turns = _turns(rig)
    assert len(turns) == 3
    for request in turns:
        assert set(declared_tools(request.body)) <= set(rig.provision.lean_tools), declared_tools(
            request.body
        )
