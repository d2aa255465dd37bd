"""Input handling that is not a rejection: env merging, codex argv and TOML encoding, and what an
error about a secret-bearing input leaves out. Every rejected input is in test_bad_input_matrix."""

from __future__ import annotations

import os

import pytest

from oauthpy import InvalidOptionsError
from oauthpy._agents.codex.provider import CodexProvider, toml_value
from oauthpy._options import build_request, merged_env

pytestmark = pytest.mark.fast


def test_env_value_error_does_not_echo_the_value(tmp_path):
    with pytest.raises(InvalidOptionsError) as info:
        build_request("hi", cwd=tmp_path, env={"OPENAI_API_KEY": b"sk-secret-bytes-value"})
    assert "sk-secret" not in str(info.value)


def test_env_overrides_merge_and_none_removes():
    base = {"KEEP": "1", "DROP": "2", "CHANGE": "3"}
    assert merged_env({"DROP": None, "CHANGE": "x", "NEW": "y"}, base) == {
        "KEEP": "1",
        "CHANGE": "x",
        "NEW": "y",
    }
    assert merged_env({})["PATH"] == os.environ["PATH"]


def test_toml_values_are_encoded_for_codex_config_overrides():
    assert toml_value('a "q" \\ b') == '"a \\"q\\" \\\\ b"'
    assert toml_value(True) == "true"
    assert toml_value(3) == "3" and toml_value(1.5) == "1.5"
    assert toml_value(["x", 2, False]) == '["x", 2, false]'
    assert toml_value({"name": "Mock", "weird key": 1}) == '{name = "Mock", "weird key" = 1}'


def test_codex_argv_puts_the_prompt_on_stdin_and_options_in_flags(tmp_path):
    request = build_request(
        "--looks like a flag",
        cwd=tmp_path,
        model="gpt-5.5",
        provider_options={
            "sandbox": "workspace-write",
            "config": {"approval_policy": "never"},
            "ephemeral": True,
        },
    )
    inv = CodexProvider().build(request, {"OAUTHPY_CODEX_BINARY": "/bin/codex"})
    assert inv.argv[:3] == ["/bin/codex", "exec", "--json"]
    assert inv.argv[-1] == "-" and "--looks like a flag" not in inv.argv
    assert inv.stdin == b"--looks like a flag"
    assert inv.argv[inv.argv.index("-m") : inv.argv.index("-m") + 2] == ["-m", "gpt-5.5"]
    assert 'approval_policy="never"' in inv.argv
    # no effort asked: codex's own default for the model, as `codex exec` alone sends
    assert not any(a.startswith("model_reasoning_effort=") for a in inv.argv)
    assert "--ephemeral" in inv.argv and "--sandbox" in inv.argv
    # the shell snapshot is off, before the caller's own config (which may turn it back on)
    assert inv.argv.index("features.shell_snapshot=false") < inv.argv.index('approval_policy="never"')


def test_an_env_value_with_a_nul_is_refused_without_echoing_it(tmp_path):
    with pytest.raises(InvalidOptionsError) as info:
        build_request("hi", cwd=tmp_path, env={"OPENAI_API_KEY": "sk-secret\0value"})
    assert "sk-secret" not in str(info.value) and "OPENAI_API_KEY" in str(info.value)


def test_a_failed_codex_build_leaves_no_schema_file(tmp_path, monkeypatch):
    import tempfile

    from oauthpy._agents.codex import provider as codex

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken_dump(*args: object, **kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(codex.json, "dump", broken_dump)
    request = build_request("hi", cwd=tmp_path, output_schema={"type": "object"})
    with pytest.raises(OSError, match="No space left"):
        CodexProvider().build(request, {"OAUTHPY_CODEX_BINARY": "/bin/codex"})
    assert list(tmp_path.glob("oauthpy-schema-*")) == []


@pytest.mark.parametrize(
    ("provider", "kw", "message"),
    [
        (
            "codex",
            {"transport": "nope"},
            "unknown transport 'nope' for codex; choose one of app-server, exec",
        ),
        (
            "gemini",
            {"transport": "exec"},
            "unknown transport 'exec' for gemini; choose one of stream-json, acp",
        ),
        ("claude", {"transport": 3}, "transport must be a string"),
        ("codex", {"keep_alive": -1}, "keep_alive"),
        ("codex", {"keep_alive": float("nan")}, "keep_alive"),
    ],
)
def test_bad_transport_or_keep_alive_is_refused_when_the_client_is_made(provider, kw, message):
    from oauthpy import Client

    with pytest.raises(InvalidOptionsError, match=message):
        Client(provider, **kw)


def test_each_provider_names_its_transports_default_first():
    from oauthpy import Client

    assert Client("codex").transports == ("app-server", "exec") and Client("codex").transport == "app-server"
    assert Client("codex", transport="exec").transport == "exec"
    assert (Client("claude").transport, Client("gemini").transport) == ("sdk", "stream-json")
    assert Client("gemini").transports == ("stream-json", "acp")
    assert Client("gemini", transport="acp").transport == "acp"


def test_gemini_chooses_acp_for_sessions_and_warm_clients_and_stream_json_for_a_lone_run():
    from oauthpy._agents.gemini.provider import GeminiProvider
    from oauthpy._pool import AgentPool

    gemini = GeminiProvider()
    assert gemini.open(None, session=False, pool=None).transport == "stream-json"
    assert gemini.open(None, session=True, pool=None).transport == "acp"
    assert gemini.open(None, session=False, pool=AgentPool(1.0)).transport == "acp"
    # asked for, a transport is used whatever the conversation
    assert gemini.open("stream-json", session=True, pool=None).transport == "stream-json"
    assert gemini.open("acp", session=False, pool=None).transport == "acp"
