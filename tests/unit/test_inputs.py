"""Validation of every public input, before anything is spawned."""

from __future__ import annotations

import os

import pytest

from oauthpy import Client, InvalidOptionsError, UnsupportedProviderError
from oauthpy.options import build_request, merged_env
from oauthpy.providers.codex import CodexProvider, toml_value


def test_unknown_provider_and_bad_auth_source_are_rejected():
    with pytest.raises(UnsupportedProviderError, match="choose one of codex, claude, gemini"):
        Client("gpt")
    with pytest.raises(InvalidOptionsError, match="auth_source"):
        Client("codex", auth_source="mine")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": 42}, "prompt must be a string"),
        ({"prompt": "   "}, "prompt is empty"),
        ({"cwd": "/no/such/dir"}, "cwd does not exist"),
        ({"timeout": 0}, "positive"),
        ({"timeout": "10"}, "number of seconds"),
        ({"timeout": True}, "number of seconds"),
        ({"idle_timeout": -1}, "positive"),
        ({"env": {"A": 1}}, "env value of A must be a string"),
        ({"env": ["A"]}, "env must be a mapping"),
        ({"provider_options": []}, "provider_options must be a mapping"),
        ({"output_schema": {"type": "no-such-type"}}, "not a valid JSON schema"),
        ({"output_schema": "schema"}, "JSON-schema dict or a pydantic model"),
    ],
)
def test_bad_input_names_the_problem(kwargs, message, tmp_path):
    args = {"prompt": "hi", "cwd": tmp_path, **kwargs}
    with pytest.raises(InvalidOptionsError, match=message):
        build_request(args.pop("prompt"), **args)


def test_cwd_that_is_a_file_is_rejected(tmp_path):
    f = tmp_path / "f"
    f.write_text("")
    with pytest.raises(InvalidOptionsError, match="not a directory"):
        build_request("hi", cwd=f)


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


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"full_auto": True}, "unknown provider_options key 'full_auto'"),
        ({"reasoning_effort": "max"}, "must be one of minimal, low, medium, high, xhigh"),
        ({"sandbox": "none"}, "read-only, workspace-write, danger-full-access"),
        ({"ephemeral": "yes"}, "must be bool"),
        ({"add_dirs": "src"}, "must be list or tuple"),
        ({"add_dirs": [1]}, "items must be str"),
        ({"max_retries": "3"}, "must be int"),
        ({"max_retries": True}, "must be int"),
        ({"config": {"x": object()}}, "cannot be TOML-encoded"),
        ({"images": ["missing.png"]}, "image not found"),
    ],
)
def test_codex_options_are_checked(options, message, tmp_path):
    request = build_request("hi", cwd=tmp_path, provider_options=options)
    with pytest.raises(InvalidOptionsError, match=message):
        CodexProvider().check(request)


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
    assert 'approval_policy="never"' in inv.argv and 'model_reasoning_effort="low"' in inv.argv
    assert "--ephemeral" in inv.argv and "--sandbox" in inv.argv
    # the shell snapshot is off, before the caller's own config (which may turn it back on)
    assert inv.argv.index("features.shell_snapshot=false") < inv.argv.index('approval_policy="never"')
