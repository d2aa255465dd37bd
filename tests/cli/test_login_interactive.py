"""The official interactive logins, on a real terminal (pexpect), with no account and no network.

Each flow gets as far as printing its sign-in URL; the tests then interrupt it or let the
login timeout fire, and check that nothing is left running.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from oauthpy.testing import new_marker
from tests.auth_support import mode_of
from tests.support import assert_no_leftovers

# codex login listens on a fixed port (1455): these tests must not overlap.
pytestmark = pytest.mark.xdist_group("interactive-login")

# The leak check runs inside the script, while its terminal is still open: once the session
# leader exits, the kernel hangs up the terminal and would kill a leftover for us.
SCRIPT = """
import os, sys, time
from oauthpy import Client
from oauthpy._errors import OauthPyError
from oauthpy.testing import live_processes_with_env
from oauthpy.testing.processes import MARKER_VAR

def report_leftovers():
    deadline = time.monotonic() + 3
    while (left := live_processes_with_env(MARKER_VAR, os.environ[MARKER_VAR])) and time.monotonic() < deadline:
        time.sleep(0.02)
    print("LEFT", left, flush=True)

provider, timeout, device = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "device"
try:
    Client(provider, auth_source="oauthpy").login(timeout=timeout, device_code=device)
except KeyboardInterrupt:
    print("LOGIN-INTERRUPTED", flush=True)
except OauthPyError as exc:
    print("LOGIN-ERROR", type(exc).__name__, str(exc).splitlines()[0], flush=True)
else:
    print("LOGIN-DONE", flush=True)
report_leftovers()
"""


def _spawn(
    provider: str, home: Path, timeout: float, *, device: bool = False, extra: dict[str, str] | None = None
) -> tuple[pexpect.spawn, dict[str, str]]:
    marker = new_marker()
    env = {**os.environ, "OAUTHPY_HOME": str(home), **marker, "NO_COLOR": "1", **(extra or {})}
    child = pexpect.spawn(
        sys.executable,
        ["-c", SCRIPT, provider, str(timeout), "device" if device else "browser"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 400),
    )
    return child, marker


def _expect_clean_exit(child: pexpect.spawn, marker: dict[str, str]) -> None:
    child.expect(r"LEFT \[(.*)\]")
    assert child.match.group(1) == "", f"processes left behind: {child.match.group(1)}"
    child.expect(pexpect.EOF)
    assert_no_leftovers(marker)


def test_codex_login_runs_the_official_flow_in_the_isolated_home_and_stops_on_ctrl_c(tmp_path: Path):
    home = tmp_path / "oauthpy"
    child, marker = _spawn("codex", home, 120)
    child.expect("https://auth.openai.com/oauth/authorize")
    assert mode_of(home / "codex") == 0o700
    assert 'cli_auth_credentials_store = "file"' in (home / "codex" / "config.toml").read_text()
    child.sendintr()
    child.expect(["LOGIN-INTERRUPTED", "LOGIN-ERROR CommandExecutionError"])
    _expect_clean_exit(child, marker)


def test_codex_login_is_bounded_by_its_timeout(tmp_path: Path):
    child, marker = _spawn("codex", tmp_path / "oauthpy", 2)
    child.expect("auth.openai.com")
    child.expect("LOGIN-ERROR TimeoutExceededError")
    _expect_clean_exit(child, marker)


def test_codex_device_code_login_reports_the_vendor_failure_offline(tmp_path: Path):
    child, marker = _spawn("codex", tmp_path / "oauthpy", 60, device=True)
    child.expect("LOGIN-ERROR CommandExecutionError codex login did not complete")
    _expect_clean_exit(child, marker)


def test_claude_login_runs_claude_auth_login_with_the_isolated_config_dir(tmp_path: Path):
    home = tmp_path / "oauthpy"
    child, marker = _spawn("claude", home, 120)
    child.expect("oauth/authorize")
    child.expect("Paste code here")
    assert (home / "claude" / ".claude.json").exists()  # the CLI's state went to the isolated dir
    child.sendintr()
    child.expect(["LOGIN-INTERRUPTED", "LOGIN-ERROR CommandExecutionError"])
    _expect_clean_exit(child, marker)


@pytest.mark.xdist_group("gemini")
def test_gemini_login_opens_the_clis_own_sign_in_in_the_isolated_home(tmp_path: Path):
    from tests.support import pinned

    home = tmp_path / "oauthpy"
    # CI=true would make the CLI headless even on this terminal; login() must still sign in.
    extra = {
        "OAUTHPY_GEMINI_BINARY": pinned("gemini"),
        "TERM": "xterm",
        "HOME": str(tmp_path / "user"),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
    }
    # The CLI takes its terminal raw, so Ctrl-C goes to its UI, not to us: the login's own
    # timeout ends this one. It must leave room for Node to start on a loaded CI machine.
    child, marker = _spawn("gemini", home, 25, extra=extra)
    child.expect("Waiting for auth")  # the Gemini CLI's own sign-in, waiting for the browser
    child.expect("LOGIN-ERROR TimeoutExceededError")
    _expect_clean_exit(child, marker)
    assert (home / "gemini" / ".gemini").is_dir()  # its state went to the isolated home
    assert not (tmp_path / "user" / ".gemini").exists()
