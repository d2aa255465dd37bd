"""docs/acp.md's "complete" module (a named agent of the user's own) is complete: saved as the
``my_agents.py`` it says, registered the way the page says (``OAUTHPY_AGENTS=my_agents:MY_AGENT``),
it runs a prompt through ``oauthpy run -p my-agent``, offline. Its program ``my-agent`` is the
test suite's own ACP agent (tests/agents/acp_test/agent.py) behind a wrapper, against the chat fake."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

ROOT = REPO
MODULE = re.compile(r'^```python\n("""oauthpy entries for agents of my own.*?)^```$', re.M | re.S)


def test_the_complete_module_of_the_acp_page_runs_a_prompt(tmp_path: Path) -> None:
    (code,) = MODULE.findall((ROOT / "docs" / "acp.md").read_text())
    (tmp_path / "my_agents.py").write_text(code)
    program = tmp_path / "my-agent"
    program.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "tests/agents/acp_test/agent.py"}" "$@"\n'
    )
    program.chmod(0o755)
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "OAUTHPY_AGENTS": "my_agents:MY_AGENT",
        "OAUTHPY_MY_AGENT_BINARY": str(program),  # the page's program() hook reads it
        "OAUTHPY_OFFLINE": "1",
        "OAUTHPY_HOME": str(tmp_path / "oauthpy-home"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy", "run", "-p", "my-agent", "hi"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"  # the offline fake's answer, through the page's agent
    assert "my-agent" in done.stderr  # the offline note names the registered agent
