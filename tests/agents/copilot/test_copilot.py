"""GitHub Copilot CLI (the pinned @github/copilot) through the generic ACP layer: what only
copilot does. The shared ``rig`` suite runs it like every other agent, on the chat-completions
and the Responses API; here the Messages API, its own notices and errors, per-turn usage and
its login state."""

from __future__ import annotations

import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import (
    AuthRequiredError,
    Client,
    CommandExecutionError,
    EventKind,
    OauthPyError,
    PermissionRequest,
)
from oauthpy.testing import FakeAnthropicServer, HttpError, call_tool, shell, text
from oauthpy.testing.processes import new_marker
from tests.support import Rig, assert_no_leftovers, open_rig, pinned, user_mcp_server

BOUND_S = 60


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


@pytest.fixture
def messages_rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path, fake="oauthpy.testing.anthropic:FakeAnthropicServer") as r:
        yield r
        assert_no_leftovers(r.env)


def client(rig: Rig) -> Client:
    return Client("copilot", auth_source="external", env=rig.env)


def test_it_asks_before_a_command_and_a_refused_one_does_not_run(rig: Rig):
    # copilot 1.0.81 ran commands over ACP without asking (github/copilot-cli#4537); and its
    # "allow every tool" variable in the environment does not answer for the caller
    rig.env["COPILOT_ALLOW_ALL"] = "1"
    asked: list[PermissionRequest] = []

    def refuse(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    rig.fake.script(shell("touch refused.txt"), text("Understood."))
    result = client(rig).run("make it", cwd=rig.work, on_permission=refuse, timeout=BOUND_S)
    assert [(a.kind, a.command) for a in asked] == [("command", "touch refused.txt")]
    assert not (rig.work / "refused.txt").exists()
    assert [e.status for e in result.events if e.kind is EventKind.COMMAND][-1] == "declined"


def test_copilot_allow_all_in_the_environment_does_not_open_what_oauthpy_keeps_closed(rig: Rig):
    # no on_permission: every question is refused, and COPILOT_ALLOW_ALL may not skip them
    rig.env["COPILOT_ALLOW_ALL"] = "1"
    rig.fake.script(shell("touch unasked.txt"), text("done"))
    result = client(rig).run("make it", cwd=rig.work, timeout=BOUND_S)
    assert not (rig.work / "unasked.txt").exists()
    assert [e.status for e in result.events if e.kind is EventKind.COMMAND][-1] == "declined"


def test_the_fake_env_shares_nodes_compile_cache_across_roots(rig: Rig):
    # copilot keeps Node's compile cache under TMPDIR, a new one per test root: compiling
    # again cost a quarter of every start's CPU. fake_env points it at one directory per user.
    rig.fake.script(text("cached"))
    assert client(rig).run("q", cwd=rig.work, timeout=BOUND_S).text == "cached"
    shared = Path(rig.env["NODE_COMPILE_CACHE"])
    assert not shared.is_relative_to(rig.root) and any(shared.iterdir())
    assert not Path(rig.env["TMPDIR"], "node-compile-cache").exists()


def test_the_messages_api_streams_runs_commands_and_calls_tools(messages_rig: Rig):
    assert isinstance(messages_rig.fake, FakeAnthropicServer)

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    messages_rig.fake.script(
        shell("echo from-the-shell"), call_tool("add", {"a": 2, "b": 40}), text("It is 42.", chunks=3)
    )
    events = list(
        client(messages_rig).stream_sync(
            "go", cwd=messages_rig.work, on_permission=lambda r: True, tools=[add], timeout=BOUND_S
        )
    )
    [command] = [e for e in events if e.kind is EventKind.COMMAND and e.status == "completed"]
    assert "from-the-shell" in (command.output or "") and command.exit_code == 0
    assert [(e.tool_name, e.output) for e in events if e.kind is EventKind.TOOL and e.output] == [
        ("add", "42")
    ]
    assert len([e for e in events if e.delta]) == 3 and events[-1].text == "It is 42."
    assert all(r.path == "/v1/messages" for r in messages_rig.fake.model_requests())


def test_its_notices_and_error_chunks_never_reach_the_answer(rig: Rig):
    # a 401 is no JSON-RPC error in copilot: the turn ends normally after an "Error: ..." chunk
    rig.fake.script(HttpError(401, "key rejected by fake"))
    events: list[object] = []
    with pytest.raises(AuthRequiredError, match="401"):
        for event in client(rig).stream_sync("hi", cwd=rig.work, timeout=BOUND_S):
            events.append(event)
    assert not [e for e in events if getattr(e, "kind", None) is EventKind.MESSAGE]
    # a 500 it retried by itself: an "Info: ... Retrying..." chunk, then the answer
    rig.fake.script(HttpError(500, "blip"), text("the answer"))
    result = client(rig).run("hi", cwd=rig.work, timeout=BOUND_S)
    assert len(rig.fake.model_requests()) >= 2  # it did retry
    assert result.text == "the answer"
    assert all("Info:" not in (e.text or "") for e in result.events if e.kind is EventKind.MESSAGE)


def test_usage_is_each_turn_s_own_though_copilot_reports_the_session_s_total(rig: Rig):
    rig.fake.script(text("one"), text("two"))
    with client(rig).session(cwd=rig.work, timeout=BOUND_S) as session:
        first = session.run("first")
        second = session.run("second")
    assert first.usage and second.usage
    assert (second.usage.input_tokens, second.usage.output_tokens) == (
        first.usage.input_tokens,
        first.usage.output_tokens,
    )


def test_with_no_login_the_status_says_so_without_starting_copilot(tmp_path: Path):
    env = {"COPILOT_HOME": str(tmp_path / "home"), "OAUTHPY_COPILOT_BINARY": pinned("copilot")}
    status = Client("copilot", auth_source="external", env=env).auth_status()
    assert status.installed and status.version and not status.authenticated
    assert status.reason == "not_authenticated" and "copilot login" in str(status.hint)
    assert not (tmp_path / "home").exists()  # a status writes nothing


def test_a_used_home_without_a_login_is_asked_over_copilot_s_own_status_request(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.json").write_text(json.dumps({"firstLaunchAt": "2026-11-23T00:00:00Z"}))
    env = {"COPILOT_HOME": str(home), "OAUTHPY_COPILOT_BINARY": pinned("copilot")}
    status = Client("copilot", auth_source="external", env=env).auth_status()
    assert not status.authenticated and status.reason == "not_authenticated"
    assert status.details and "statusMessage" in status.details  # copilot's own answer


class FakeGitHub:
    """The two GitHub endpoints a copilot login touches, on 127.0.0.1: copilot accepts any
    token for ``copilot login --host http://127.0.0.1:PORT`` that this host vouches for."""

    def __init__(self) -> None:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.paths.append(self.path)
                body = json.dumps(fake.answer(self.path)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.paths: list[str] = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, path: str) -> dict[str, object]:
        if path.startswith("/copilot_internal/user"):
            return {"login": "octo-fake", "chat_enabled": True, "endpoints": {"api": self.url}}
        if path.startswith("/models"):
            limits = {"max_prompt_tokens": 1000, "max_output_tokens": 100, "max_context_window_tokens": 2000}
            return {
                "data": [
                    {
                        "id": "fake-gh-model",
                        "name": "Fake GH Model",
                        "vendor": "Fakes Inc",
                        "model_picker_enabled": True,
                        "capabilities": {"type": "chat", "limits": limits, "supports": {"tool_calls": True}},
                        "policy": {"state": "enabled"},
                    }
                ]
            }
        return {}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(BOUND_S)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    yield fake
    fake.close()


def isolated(tmp_path: Path) -> tuple[Client, dict[str, str | None], Path]:
    """A client on oauthpy's isolated copilot state under ``tmp_path``, for a GitHub login (no
    model provider of its own, not offline), with no system keychain (no D-Bus session), as on CI."""
    root = tmp_path / "copilot-root"
    dirs = {var: root / var.lower() for var in ("HOME", "TMPDIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    for path in dirs.values():
        path.mkdir(parents=True)
    # one unpacked copilot per user, as the other copilot tests share (fake_env)
    cache = Path(os.environ.get("TMPDIR") or "/tmp") / f"oauthpy-copilot-cache-{os.getuid()}"
    env: dict[str, str | None] = {
        **{var: str(path) for var, path in dirs.items()},
        **new_marker(),
        "XDG_CACHE_HOME": str(cache),
        "NODE_COMPILE_CACHE": str(cache / "node-compile-cache"),
        "OAUTHPY_COPILOT_BINARY": pinned("copilot"),
        "COPILOT_AUTO_UPDATE": "false",
        **dict.fromkeys(("COPILOT_OFFLINE", "COPILOT_PROVIDER_BASE_URL", "COPILOT_MODEL")),
        "DBUS_SESSION_BUS_ADDRESS": None,
    }
    home = tmp_path / "oauthpy-home"
    return Client("copilot", auth_source="oauthpy", oauthpy_home=home, env=env), env, home / "copilot"


def test_with_no_login_models_need_one_and_logout_has_nothing_to_do(tmp_path: Path):
    client, env, state = isolated(tmp_path)
    with pytest.raises(AuthRequiredError, match="not logged in") as err:
        client.models()  # copilot's models are a GitHub login's (it asks GitHub)
    assert "copilot login" in str(err.value.hint)
    assert json.loads((state / "settings.json").read_text()) == {"storeTokenPlaintext": True}
    assert not (state / "logs").exists()  # its SDK server logs elsewhere
    status = client.logout()  # copilot is asked first, and nothing is stored
    assert not status.authenticated and status.reason == "not_authenticated"
    assert_no_leftovers({k: v for k, v in env.items() if v is not None})


def test_a_github_login_lists_its_models_and_without_a_keychain_copilot_cannot_log_it_out(
    tmp_path: Path, github: FakeGitHub
):
    client, env, state = isolated(tmp_path)
    token = "gho_" + "oauthpyfaketokenoauthpyfaketoken1234"
    status = client.login(api_key=token, provider_options={"host": github.url}, timeout=BOUND_S)
    assert status.authenticated and status.mode == "oauth" and status.details["login"] == "octo-fake"
    models = client.models()
    assert [(m.id, m.display_name, m.source) for m in models] == [
        ("auto", "Auto", "vendor"),
        ("fake-gh-model", "Fake GH Model", "vendor"),
    ]
    assert not (state / "session-state").exists()  # listing models opened no copilot session
    # copilot 1.0.102 deletes a login's keychain entry even when the token is in its config,
    # and fails without a keychain: the error says so and the login stays
    with pytest.raises(CommandExecutionError, match="could not log out") as err:
        client.logout()
    assert "keychain" in str(err.value) and token not in str(err.value)
    assert client.auth_status().authenticated
    assert_no_leftovers({k: v for k, v in env.items() if v is not None})


def test_an_isolated_logout_never_logs_out_your_own_login_of_the_same_github_user(
    tmp_path: Path, github: FakeGitHub
):
    # copilot's logout deletes the keychain entry of host + user, which every home signed in as
    # that user shares: oauthpy's isolated logout would take ~/.copilot's login with it
    client, env, state = isolated(tmp_path)
    yours = Path(str(env["HOME"])) / ".copilot"
    yours.mkdir()
    (yours / "settings.json").write_text('{"storeTokenPlaintext": true}')  # no keychain on CI
    token = "gho_" + "oauthpyfaketokenoauthpyfaketoken1234"
    own = Client("copilot", auth_source="external", env=env)
    assert own.login(api_key=token, provider_options={"host": github.url}, timeout=BOUND_S).authenticated
    assert client.login(api_key=token, provider_options={"host": github.url}, timeout=BOUND_S).authenticated
    with pytest.raises(OauthPyError, match=r"would log \S+ out too") as err:
        client.logout()
    said = f"{err.value} {err.value.hint}"
    assert "auth_source='external'" in said and f"remove {state}" in said
    assert own.auth_status().authenticated and client.auth_status().authenticated
    assert_no_leftovers({k: v for k, v in env.items() if v is not None})


def test_with_your_own_model_provider_copilot_lists_no_models_and_is_not_started_for_that(rig: Rig):
    # copilot's session/new offers no models with COPILOT_PROVIDER_BASE_URL, and its SDK server
    # lists the GitHub login's, which such a run does not use
    assert client(rig).models() == ()
    assert not (Path(rig.env["COPILOT_HOME"]) / "config.json").exists()  # it never started


def test_a_run_s_model_reaches_the_model_api_though_copilot_does_not_say_its_own(rig: Rig):
    # with a provider of one's own, copilot's session/new names no model: oauthpy sets the run's
    rig.fake.script(text("one"), text("two"))
    client = rig.client()
    client.run("hi", cwd=rig.work, model="model-x", timeout=60)
    with client.session(cwd=rig.work, model="model-y") as chat:
        chat.run("first", timeout=60)
    asked = [r.body.get("model") for r in rig.fake.model_requests() if isinstance(r.body, dict)]
    assert asked[0] == "model-x" and asked[-1] == "model-y"


def test_a_users_own_mcp_server_named_oauthpy_is_not_allowed_by_the_runs_tools(rig: Rig):
    # `oauthpy mcp serve` registered as "oauthpy" (as docs/mcp.md showed) in copilot's config:
    # the name oauthpy gives the run's own tools must not pre-approve that server's tools
    server = user_mcp_server(rig.root, rig.work)
    config = {"mcpServers": {"oauthpy": {"type": "local", **server, "tools": ["*"]}}}
    Path(rig.env["COPILOT_HOME"], "mcp-config.json").write_text(json.dumps(config))
    asked: list[PermissionRequest] = []

    def refuse(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    for tools in ([], [add]):
        asked.clear()
        rig.fake.script(call_tool("touch", {"name": "unasked.txt"}), text("done"))
        result = client(rig).run("go", cwd=rig.work, on_permission=refuse, tools=tools, timeout=BOUND_S)
        assert not (rig.work / "unasked.txt").exists(), tools
        assert [(r.kind, r.tool_name) for r in asked] == [("tool", "touch")], tools
        assert [e.status for e in result.events if e.kind is EventKind.TOOL][-1] == "declined"


def test_a_users_own_server_named_oauthpy_with_a_tool_named_like_the_runs_own_is_asked(rig: Rig):
    # red team T11: `--allow-tool=oauthpy(touch)` allowed the user's server's `touch` too when
    # the run's own tool had that name; the run's server now has a name no config can hold
    server = user_mcp_server(rig.root, rig.work)
    config = {"mcpServers": {"oauthpy": {"type": "local", **server, "tools": ["*"]}}}
    Path(rig.env["COPILOT_HOME"], "mcp-config.json").write_text(json.dumps(config))
    asked: list[PermissionRequest] = []
    ran: list[str] = []

    def refuse(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    def touch(name: str) -> str:
        """Note a name."""
        ran.append(name)
        return "noted"

    rig.fake.script(call_tool("oauthpy-touch", {"name": "unasked.txt"}), text("done"))
    result = client(rig).run("go", cwd=rig.work, on_permission=refuse, tools=[touch], timeout=BOUND_S)
    assert not (rig.work / "unasked.txt").exists()
    assert [(r.kind, r.tool_name) for r in asked] == [("tool", "touch")]
    assert [e.status for e in result.events if e.kind is EventKind.TOOL][-1] == "declined"
    assert ran == []
    # the run's own `touch` still runs unasked, under its own server's name
    asked.clear()
    from oauthpy._agents.copilot.profile import CopilotAcp

    assert CopilotAcp.tool_server.startswith("oauthpy-")
    rig.fake.script(call_tool(f"{CopilotAcp.tool_server}-touch", {"name": "mine"}), text("done"))
    result = client(rig).run("go", cwd=rig.work, on_permission=refuse, tools=[touch], timeout=BOUND_S)
    assert ran == ["mine"] and asked == []
