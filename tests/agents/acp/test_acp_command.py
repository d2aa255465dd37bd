"""``Client("acp", command=[...])``: any ACP agent by its command, here the test suite's own
agent (tests/acp_agent) against the chat-completions fake, with nothing registered for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import (
    AuthRequiredError,
    Client,
    EventKind,
    InvalidOptionsError,
    PermissionRequest,
    ProviderNotInstalledError,
    SessionNotFoundError,
)
from oauthpy.testing import FakeChatServer, shell, text
from oauthpy.testing.processes import live_processes_with_env
from tests.support import ACP_TEST_AGENT as AGENT
from tests.support import assert_no_leftovers, new_marker

BOUND_S = 60


@pytest.fixture
def fake() -> Iterator[FakeChatServer]:
    with FakeChatServer() as server:
        yield server


@pytest.fixture
def env(fake: FakeChatServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    home = tmp_path / "agent-home"
    home.mkdir()
    env = {**fake.env(tmp_path / "fake"), "ACP_TEST_AGENT_HOME": str(home), **new_marker()}
    yield env
    assert_no_leftovers(env)


def client(env: dict[str, str], **kw: object) -> Client:
    return Client("acp", command=AGENT, env=env, **kw)  # type: ignore[arg-type]


def test_a_run_streams_deltas_and_reports_the_agent_s_session_id(fake, env, tmp_path):
    fake.script(text("Hello from any agent.", chunks=3))
    events = list(client(env).stream_sync("hi", cwd=tmp_path, timeout=BOUND_S))
    deltas = [e.text for e in events if e.kind is EventKind.MESSAGE and e.delta]
    assert len(deltas) == 3 and "".join(deltas) == "Hello from any agent."
    assert all(e.status == "in_progress" for e in events if e.delta)
    done = events[-1]
    assert done.kind is EventKind.DONE and done.text == "Hello from any agent."
    assert done.session_id and done.usage and done.usage.output_tokens == 20

    fake.script(text("again"))
    result = client(env).run("hi", cwd=tmp_path, timeout=BOUND_S)
    assert result.provider == "acp" and result.transport == "acp" and result.session_id


def test_a_session_keeps_its_context_and_resume_loads_it_in_a_new_process(fake, env, tmp_path):
    fake.script(text("the first answer"), text("the second answer"))
    with client(env).session(cwd=tmp_path, timeout=BOUND_S) as session:
        first = session.run("first question")
        second = session.run("second question")
    assert second.session_id == first.session_id
    assert "the first answer" in fake.model_requests()[1].body_text

    fake.script(text("the third answer"))
    with client(env).session(cwd=tmp_path, resume=first.session_id, timeout=BOUND_S) as session:
        third = session.run("third question")
    assert third.text == "the third answer" and third.session_id == first.session_id
    assert "the second answer" in fake.model_requests()[-1].body_text  # session/load replayed it


def test_an_unknown_session_is_session_not_found(fake, env, tmp_path):
    with pytest.raises(SessionNotFoundError), client(env).session(cwd=tmp_path, resume="sess-unknown") as s:
        s.run("hi", timeout=BOUND_S)
    assert fake.model_requests() == []


def test_a_refused_command_does_not_run_and_no_callback_refuses_too(fake, env, tmp_path):
    asked: list[PermissionRequest] = []

    def deny(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    fake.script(shell("touch denied.txt"), text("I will not."))
    result = client(env).run("go", cwd=tmp_path, on_permission=deny, timeout=BOUND_S)
    assert [a.command for a in asked] == ["touch denied.txt"] and asked[0].provider == "acp"
    assert not (tmp_path / "denied.txt").exists() and result.text == "I will not."
    assert [e.status for e in result.events if e.kind is EventKind.COMMAND][-1] == "declined"

    fake.script(shell("touch unasked.txt"), text("Not run."))
    client(env).run("go", cwd=tmp_path, timeout=BOUND_S)
    assert not (tmp_path / "unasked.txt").exists()  # approvals fail closed


def test_the_run_s_own_python_tools_are_served_over_mcp(fake, env, tmp_path):
    from oauthpy.testing import call_tool

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    fake.script(call_tool("add", {"a": 2, "b": 40}), text("It is 42."))
    result = client(env).run("add them", cwd=tmp_path, tools=[add], timeout=BOUND_S)
    tools = [(e.tool_name, e.status, e.output) for e in result.events if e.kind is EventKind.TOOL]
    assert tools == [("add", "in_progress", None), ("add", "completed", "42")]
    assert "42" in fake.model_requests()[-1].body_text


def test_warm_runs_share_one_agent_process_inside_with_client(fake, env, tmp_path):
    fake.script(text("one"), text("two"))
    with client(env) as warm:
        assert warm.run("a", cwd=tmp_path, timeout=BOUND_S).text == "one"
        assert warm.run("b", cwd=tmp_path, timeout=BOUND_S).text == "two"
        marker = env["OAUTHPY_TEST_MARKER"]
        assert len(live_processes_with_env("OAUTHPY_TEST_MARKER", marker)) == 1
    assert_no_leftovers(env)


def test_models_come_from_the_agent(env):
    assert [m.id for m in client(env).models()] == ["fake-model", "fake-model-large"]


def test_no_login_is_auth_required_naming_the_agent_s_auth_methods(fake, env, tmp_path):
    env = {**env, "OPENAI_API_KEY": ""}
    with pytest.raises(AuthRequiredError) as err:
        client(env).run("hi", cwd=tmp_path, timeout=BOUND_S)
    assert "OpenAI API key (set OPENAI_API_KEY)" in str(err.value.hint)


def test_a_missing_program_is_not_installed_before_anything_starts(env, tmp_path):
    with pytest.raises(ProviderNotInstalledError, match="no-such-agent"):
        Client("acp", command=["no-such-agent", "acp"], env=env).run("hi", cwd=tmp_path)


def test_the_cli_runs_any_acp_agent_by_its_command(fake, env, tmp_path):
    fake.script(text("from the command line"))
    line = " ".join(AGENT)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "oauthpy.cli",
            "run",
            "-p",
            "acp",
            "--command",
            line,
            "--cwd",
            str(tmp_path),
            "hi",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert "from the command line" in done.stdout


def test_login_is_the_agent_s_own_sign_in_over_acp(fake, env, tmp_path):
    # ACP `authenticate`, carried out by the agent: it leaves the agent's sign-in file
    env = {**env, "ACP_TEST_AGENT_SIGN_IN": "1"}
    with pytest.raises(AuthRequiredError):
        client(env).run("hi", cwd=tmp_path, timeout=BOUND_S)
    client(env).login(provider_options={"method": "test-login"}, timeout=BOUND_S)
    assert (Path(env["ACP_TEST_AGENT_HOME"]) / "signed-in").exists()
    fake.script(text("signed in"))
    assert client(env).run("hi", cwd=tmp_path, timeout=BOUND_S).text == "signed in"


def _login_on_a_terminal(env: dict[str, str], answer: str) -> str:
    import pexpect

    argv = ["-m", "oauthpy.cli", "auth", "login", "-p", "acp", "--command", " ".join(AGENT)]
    child = pexpect.spawn(
        sys.executable,
        [*argv, "--method", "test-terminal"],
        env={**os.environ, **env},
        encoding="utf-8",
        timeout=BOUND_S,
    )
    try:
        child.expect(r"Run it\? \[y/N\] ")
        shown = child.before
        child.sendline(answer)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return shown + child.before


def test_a_terminal_sign_in_runs_its_command_only_when_the_person_says_yes(fake, env):
    env = {**env, "ACP_TEST_AGENT_SIGN_IN": "1"}
    said = _login_on_a_terminal(env, "n")
    assert "--sign-in" in said and "was not run" in said  # shown, and refused
    assert not (Path(env["ACP_TEST_AGENT_HOME"]) / "signed-in").exists()
    said = _login_on_a_terminal(env, "y")
    assert (Path(env["ACP_TEST_AGENT_HOME"]) / "signed-in").exists(), said


def test_a_terminal_sign_in_with_no_terminal_runs_nothing_and_names_the_command(env, tmp_path):
    env = {**env, "ACP_TEST_AGENT_SIGN_IN": "1"}
    with pytest.raises(
        InvalidOptionsError, match=r"asks to run '.*--sign-in' on a terminal, and there is none"
    ):
        client(env).login(provider_options={"method": "test-terminal", "yes": True}, timeout=BOUND_S)
    line = " ".join(AGENT)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "oauthpy.cli",
            "auth",
            "login",
            "-p",
            "acp",
            "--command",
            line,
            "--method",
            "test-terminal",
            "--yes",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and "--sign-in" in done.stderr and "nothing was run" in done.stderr, (
        done.stderr
    )
    assert not (Path(env["ACP_TEST_AGENT_HOME"]) / "signed-in").exists()


def test_login_names_the_agent_s_methods_when_it_cannot_tell_which(env):
    with pytest.raises(InvalidOptionsError, match="several sign-in methods: 'openai-api-key', 'test-login'"):
        client(env).login(timeout=BOUND_S)
    with pytest.raises(InvalidOptionsError, match="no sign-in method 'nope'; it offers 'openai-api-key'"):
        client(env).login(provider_options={"method": "nope"}, timeout=BOUND_S)
    with pytest.raises(InvalidOptionsError, match="API key or a device code"):
        client(env).login(device_code=True)


def test_the_cli_logs_in_with_a_method_of_the_agent(env, tmp_path):
    line = " ".join(AGENT)
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy.cli", "auth", "login", "-p", "acp", "--command", line],
        env={**os.environ, **env, "ACP_TEST_AGENT_SIGN_IN": "1"},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        stdin=subprocess.DEVNULL,
    )
    assert "several sign-in methods" in done.stderr and done.returncode != 0
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "oauthpy.cli",
            "auth",
            "login",
            "-p",
            "acp",
            "--command",
            line,
            "--method",
            "test-login",
        ],
        env={**os.environ, **env, "ACP_TEST_AGENT_SIGN_IN": "1"},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert (Path(env["ACP_TEST_AGENT_HOME"]) / "signed-in").exists()
