"""A repository's own agent settings cannot switch ``on_permission`` off (red team R1).

Each case plants, in the run's folder, what the agent would read as its project, local or
agent-level settings and what would pre-approve a shell command or a file write (its
provision's `approving_settings`). With a deny-everything callback, nothing may be written or
run: the callback is asked, or the run is refused before the agent acts with an error naming
the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Decision, InvalidOptionsError, PermissionRequest
from oauthpy import _registry as registry
from oauthpy.testing import shell, text, write_file
from tests.support import assert_no_leftovers, open_rig, provision


def _cases() -> list[Any]:
    return [
        pytest.param(
            name,
            case,
            marks=[pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else [],
            id=f"{name}-{case}",
        )
        for name in registry.names(generic=False)
        for case in provision(name).approving_settings
    ]


def _merged(ours: str | None, theirs: str) -> str:
    """A variable the test's environment sets too (what points the agent at its fake), with the
    caller's settings added, as a caller's config would carry both."""
    return json.dumps({**json.loads(ours or "{}"), **json.loads(theirs)})


@pytest.mark.parametrize(("provider", "case"), _cases())
def test_repository_settings_cannot_preapprove_what_on_permission_must_see(
    provider: str, case: str, tmp_path: Path
) -> None:
    planted = provision(provider).approving_settings[case]
    with open_rig(provider, tmp_path) as rig:
        for rel, content in planted.files.items():
            path = rig.work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        for var, value in planted.env.items():
            rig.env[var] = _merged(rig.env.get(var), value) if var in rig.env else value
        rig.fake.script(
            write_file(str(rig.work / "evil.py"), "print('pwned')\n"),
            shell("touch pwned.txt"),
            text("I did not."),
        )
        asked: list[PermissionRequest] = []

        def deny(request: PermissionRequest) -> Decision:
            asked.append(request)
            return Decision.DENY

        try:
            rig.run("do it", on_permission=deny)
        except InvalidOptionsError as exc:  # refused before the agent acted: it names the file
            assert any(rel in str(exc) for rel in planted.files), str(exc)
            assert not rig.fake.model_requests()
        else:
            assert asked, "the callback was never asked"
        assert not (rig.work / "pwned.txt").exists()
        assert not (rig.work / "evil.py").exists()
        assert_no_leftovers(rig.env)
