"""``oauthpy.testing`` as a product: one set of steps for every agent, on the real CLIs (its
``fake_for`` and pytest fixture: tests/features/test_testing_plugin.py)."""

from __future__ import annotations

import pytest

from oauthpy import EventKind, PermissionRequest
from oauthpy.testing import shell, text, write_file
from tests.support import Rig


@pytest.mark.warm_agent  # of what the steps make an agent do, not of its start
def test_shell_and_write_file_are_the_same_steps_for_every_agent(rig: Rig):
    rig.fake.script(shell("echo made-by-shell"), write_file("made.txt", "hello\n"), text("Done."))
    asked: list[str] = []

    def allow(request: PermissionRequest) -> bool:
        asked.append(request.kind)
        return True

    result = rig.run("go", on_permission=allow, provider_options=rig.write_options)
    assert result.text == "Done."
    assert (rig.work / "made.txt").read_text() == "hello\n"
    commands = [e for e in result.events if e.kind is EventKind.COMMAND and e.status == "completed"]
    assert commands and "echo made-by-shell" in (commands[-1].command or "")
    if rig.provision.command_output_carried:  # gemini's ACP does not carry it
        assert "made-by-shell" in (commands[-1].output or "")
    assert "file_change" in asked, asked  # every agent asks before it writes a file
