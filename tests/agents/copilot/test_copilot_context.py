"""``Session.context()`` on copilot: its ACP agent's ``usage_update`` (sent after each model call
by the pinned @github/copilot), through the real CLI against the chat-completions fake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy.testing import text
from tests.support import Rig, assert_no_leftovers, open_rig

BOUND_S = 60


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def test_context_reports_copilots_used_and_window_tokens(rig: Rig) -> None:
    rig.fake.script(text("first answer"), text("second answer"))
    options = {"model": rig.model} if rig.model else {}
    with rig.client().session(cwd=rig.work, timeout=BOUND_S, **options) as chat:  # type: ignore[arg-type]
        chat.run("one")
        first = chat.context()
        chat.run("two")
        second = chat.context()
    assert first.used_tokens > 0 and first.window_tokens is not None
    assert first.window_tokens > first.used_tokens
    assert first.raw["sessionUpdate"] == "usage_update"
    assert second.used_tokens > first.used_tokens  # the conversation grew by a turn
