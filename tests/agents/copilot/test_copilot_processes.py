"""Copilot's processes: its npm package's ``copilot`` is a Node loader that runs the native CLI as
its child, which oauthpy stops first so that the loader reaps it (the pinned native CLI, which the
other tests run, is the agent itself)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy._agents.copilot.sdk_server import is_npm_loader
from oauthpy.testing import text
from tests.orphans import left_by_a_run
from tests.paths import REPO
from tests.support import Rig, assert_no_leftovers, open_rig, pinned

#: what `npm install @github/copilot` puts on PATH
NPM_LOADER = REPO / "tools" / "copilot" / "node_modules" / ".bin" / "copilot"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def test_the_npm_loader_is_told_from_the_native_cli() -> None:
    assert is_npm_loader(str(NPM_LOADER))
    assert not is_npm_loader(pinned("copilot"))


def test_a_run_through_the_npm_loader_leaves_the_native_cli_to_the_loader_not_to_pid_1(rig: Rig) -> None:
    # signalled together, the loader went first and left the native CLI to PID 1 at the end of
    # every run (in a container without an init: a zombie a run)
    rig.fake.script(text("done"))
    said = left_by_a_run(rig, {"OAUTHPY_COPILOT_BINARY": str(NPM_LOADER)})
    assert said == {"text": "done", "left": []}
