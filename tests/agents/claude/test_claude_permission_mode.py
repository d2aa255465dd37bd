"""Claude Code started in a permission mode that would answer for ``on_permission`` (the user's
own settings, which still load): the run stops at its start, saying which mode it found. A
repository's settings, every agent's: tests/contract/test_repo_settings.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy import Decision, InvalidOptionsError
from oauthpy.testing import text
from oauthpy.testing.anthropic import write_file
from tests.support import assert_no_leftovers, open_rig


def test_claude_started_in_another_permission_mode_stops_before_any_tool_runs(tmp_path: Path) -> None:
    with open_rig("claude", tmp_path) as rig:
        config = Path(rig.env["CLAUDE_CONFIG_DIR"])
        (config / "settings.json").write_text(json.dumps({"permissions": {"defaultMode": "acceptEdits"}}))
        rig.fake.script(write_file(str(rig.work / "evil.py"), "print('pwned')\n"), text("I did not."))

        with pytest.raises(InvalidOptionsError, match="permission mode 'acceptEdits'"):
            rig.run("do it", on_permission=lambda request: Decision.DENY)
        assert not (rig.work / "evil.py").exists()
        assert_no_leftovers(rig.env)
