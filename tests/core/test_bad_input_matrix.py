"""Bad input, per provider: rejected with a message naming the problem, before anything starts.

Each provider's binary is replaced by a script that leaves a file behind when it runs, so
"nothing was spawned" is checked, not assumed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, InvalidOptionsError, UnsupportedProviderError
from oauthpy import _registry as registry

pytestmark = pytest.mark.fast

#: every agent of the registry (the generic ACP one with a ``command=``, the suite's own too):
#: a new agent is checked here without an edit
PROVIDERS = registry.names()


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("codex", {"prompt": 7}, "prompt must be a string"),
    ("claude", {"prompt": ""}, "prompt is empty"),
    ("gemini", {"cwd": "/no/such/dir"}, "cwd does not exist"),
    ("codex", {"timeout": -5}, "positive"),
    ("claude", {"timeout": "soon"}, "number of seconds"),
    ("gemini", {"idle_timeout": 0}, "positive"),
    ("codex", {"provider_options": {"colour": "blue"}}, "unknown provider_options key 'colour'"),
    ("claude", {"provider_options": {"max_turns": "3"}}, "max_turns'] must be int"),
    ("gemini", {"provider_options": {"yolo": "yes"}}, "yolo'] must be bool"),
    (
        "codex",
        {"provider_options": {"reasoning_effort": "maximum"}},
        "minimal, low, medium, high, xhigh, max, ultra",
    ),
    ("claude", {"provider_options": {"reasoning_effort": "minimal"}}, "low, medium, high, xhigh, max"),
    ("gemini", {"provider_options": {"reasoning_effort": "low"}}, "no reasoning-effort setting"),
    ("codex", {"provider_options": {"max_retries": -1}}, "must not be negative"),
    ("claude", {"output_schema": {"type": "bogus"}}, "not a valid JSON schema"),
    ("gemini", {"env": {"GEMINI_API_KEY": 12345}}, "env value of GEMINI_API_KEY must be a string"),
]


# The same for every provider: checked by the shared validation before any provider code runs.
GENERIC: list[tuple[dict[str, Any], str]] = [
    ({"prompt": 42}, "prompt must be a string"),
    ({"prompt": "   "}, "prompt is empty"),
    ({"prompt": "bytes that were not UTF-8: \udcff"}, "lone surrogate"),
    ({"prompt": "a NUL \0 inside"}, "NUL"),
    ({"timeout": True}, "number of seconds"),
    ({"timeout": 10**400}, "positive number of seconds"),
    ({"timeout": float("nan")}, "positive number of seconds"),
    ({"timeout": float("inf")}, "positive number of seconds"),
    ({"idle_timeout": 1e12}, "at most 31536000 s"),
    ({"model": "gpt\0x"}, "model contains a NUL"),
    ({"model": "\udce9t\udce9"}, "lone surrogate"),
    ({"env": ["A"]}, "env must be a mapping"),
    ({"env": {"A": "x\0y"}}, "env value of A contains a NUL"),
    ({"env": {"A\0B": "x"}}, "an env key contains a NUL"),
    ({"provider_options": []}, "provider_options must be a mapping"),
    ({"provider_options": {"retry_backoff_s": float("inf")}}, "finite, non-negative"),
    ({"provider_options": {"retry_backoff_max_s": float("nan")}}, "finite, non-negative"),
    ({"provider_options": {"retry_jitter_s": 10**400}}, "finite, non-negative"),
    ({"output_schema": "schema"}, "JSON-schema dict or a pydantic model"),
    ({"output_schema": {"type": "object", "default": object()}}, "output_schema is not JSON"),
    ({"output_schema": {"type": "number", "maximum": float("nan")}}, "output_schema is not JSON"),
    ({"output_schema": {"$ref": "#/$defs/missing"}}, "$ref that does not resolve: '#/$defs/missing'"),
    (
        {"output_schema": {"properties": {"a": {"$ref": "https://example.com/a.json"}}}},
        "$ref that does not resolve: 'https://example.com/a.json' at /properties/a",
    ),
]
CASES += [(provider, kwargs, message) for provider in PROVIDERS for kwargs, message in GENERIC]
CASES += [
    ("codex", {"provider_options": {"extra_args": ["--x\0"]}}, "extra_args'] contains a NUL"),
    ("gemini", {"provider_options": {"extra_args": ["--x\0"]}}, "extra_args'] contains a NUL"),
    ("codex", {"provider_options": {"config": {"model": "a\0b"}}}, "config'] contains a NUL"),
    ("claude", {"provider_options": {"system_prompt": "be \udcff brief"}}, "lone surrogate"),
    ("codex", {"provider_options": {"sandbox": "none"}}, "read-only, workspace-write, danger-full-access"),
    ("codex", {"provider_options": {"ephemeral": "yes"}}, "must be bool"),
    ("codex", {"provider_options": {"add_dirs": "src"}}, "must be list or tuple"),
    ("codex", {"provider_options": {"add_dirs": [1]}}, "items must be str"),
    ("codex", {"provider_options": {"max_retries": True}}, "must be int"),
    ("codex", {"provider_options": {"config": {"x": object()}}}, "cannot be TOML-encoded"),
    ("codex", {"attachments": ["missing.png"]}, "attachment not found"),
]


@pytest.mark.parametrize(("provider", "kwargs", "message"), CASES)
def test_bad_input_is_rejected_before_anything_starts(
    provider: str, kwargs: dict[str, Any], message: str, tripwire: Any, tripwire_client: Any, tmp_path: Path
):
    _env, fired = tripwire
    args = {"prompt": "hi", "cwd": tmp_path, **kwargs}
    client = tripwire_client(provider)
    with pytest.raises(InvalidOptionsError) as err:
        client.run(args.pop("prompt"), **args)
    assert message in str(err.value)
    assert not fired.exists(), "a process was started for bad input"


def _nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_nul_in_oauthpy_home_and_a_5000_deep_schema_are_invalid_options(
    provider: str, tripwire: Any, tripwire_client: Any, tmp_path: Path
):
    _env, fired = tripwire
    with pytest.raises(InvalidOptionsError, match="oauthpy_home contains a NUL"):
        tripwire_client(provider, auth_source="oauthpy", oauthpy_home="/a\0b").run("hi", cwd=tmp_path)
    client = tripwire_client(provider)
    with pytest.raises(InvalidOptionsError, match="output_schema is nested more than 100 levels deep"):
        client.run("hi", cwd=tmp_path, output_schema=_nested(5000))
    assert not fired.exists()
    loop: dict[str, Any] = {"type": "object"}
    loop["properties"] = {"self": loop}  # circular: still the JSON error, not a hang
    with pytest.raises(InvalidOptionsError, match="output_schema is not JSON"):
        client.run("hi", cwd=tmp_path, output_schema=loop)
    from oauthpy._options import _schema

    assert _schema(_nested(40))[0] == _nested(40)  # as deep as real answers get: fine


def test_unknown_provider_and_auth_source():
    with pytest.raises(UnsupportedProviderError, match="choose one of codex, claude, gemini"):
        Client("goose")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionsError, match="choose one of auto, oauthpy, external"):
        Client("codex", auth_source="somebody-else")


def test_cwd_that_is_a_file(tmp_path: Path, tripwire: Any):
    env, fired = tripwire
    (tmp_path / "file").write_text("")
    with pytest.raises(InvalidOptionsError, match="not a directory"):
        Client("gemini", auth_source="external", env=env).run("hi", cwd=tmp_path / "file")
    assert not fired.exists()


def test_gemini_login_without_a_terminal_says_so_before_anything_starts(tmp_path: Path, tripwire: Any):
    # The Gemini CLI's sign-in is its full-screen UI: without a terminal it would only fail
    # with a misleading "Please set an Auth method". Run where stdin and stdout are pipes.
    env, fired = tripwire
    script = (
        "import sys\nfrom oauthpy import Client, InvalidOptionsError\n"
        f"client = Client('gemini', auth_source='oauthpy', env={env!r})\n"
        "try:\n    client.login(timeout=30)\n"
        "except InvalidOptionsError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OAUTHPY_HOME": str(tmp_path / "home")},
    )
    assert "needs a terminal" in done.stdout, done.stderr
    assert "oauthpy auth login --provider gemini" in done.stdout
    assert not fired.exists(), "the CLI was started without a terminal"
