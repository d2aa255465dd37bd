"""Record the bundled claude CLI's stream-json output (as the SDK sees it) against the fake.

Run: .venv/bin/python scripts/record_claude.py [SCENARIO...]  (rewrites tests/recordings/claude/*.jsonl,
or only the scenarios named)
The SDK is pointed at a wrapper that tees the real CLI's stdout to the recording file.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from oauthpy import Client, OauthPyError
from oauthpy._agents.claude.testing import subscription_env
from oauthpy.testing import HttpError, Reply, Tokens, quota_exceeded, text
from oauthpy.testing.anthropic import FakeAnthropicServer, bash, structured, write_file

OUT = Path(__file__).resolve().parent.parent / "tests" / "recordings" / "claude"
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}

SCENARIOS: dict[str, tuple[list, dict]] = {
    "plain": ([Reply(text="Hello there, world!", reasoning="thinking hard", usage=Tokens(120, 20, 7))], {}),
    "bash": ([bash("echo hello-from-shell", say="I will run it."), text("done")], {}),
    "write": ([write_file("notes.txt", "one\n"), text("written")], {"permission_mode": "acceptEdits"}),
    "structured": ([structured({"answer": "yes"})], {"output_schema": SCHEMA}),
    "http_401": ([HttpError(401, "bad key")], {}),
    "http_429": ([HttpError(429, "slow down", retry_after=1)], {}),
    "max_turns": ([bash("echo again")], {"max_turns": 1}),
    # a spent quota as the API answers an API key (out of credits) and a subscription (its
    # five-hour window rejected until an hour from now)
    "quota": ([quota_exceeded(resets_in=3600)], {}),
    "quota_subscription": ([quota_exceeded(resets_in=3600)], {"env": subscription_env()}),
}


def bundled_cli() -> str:
    import claude_agent_sdk

    return str(Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude")


def record(name: str, steps: list, kw: dict) -> None:
    with FakeAnthropicServer(steps) as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "work")
        work.mkdir()
        out = OUT / f"{name}.jsonl"
        out.write_text("")
        wrapper = Path(tmp, "claude-tee")
        wrapper.write_text(f'#!/bin/sh\n"{bundled_cli()}" "$@" | tee -a "{out}"\n')
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
        env = {**fake.env(tmp), **kw.get("env", {}), "OAUTHPY_CLAUDE_BINARY": str(wrapper)}
        opts = {k: v for k, v in kw.items() if k not in ("output_schema", "env")}
        try:
            Client("claude").run(
                f"scenario {name}",
                cwd=work,
                env=env,
                provider_options=opts,
                output_schema=kw.get("output_schema"),
            )
            outcome = "ok"
        except OauthPyError as exc:
            outcome = type(exc).__name__
        out.write_text(out.read_text().replace(tmp, "/tmp/REC"))
        print(f"{name}: {outcome}", file=sys.stderr)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.pop("CLAUDECODE", None)
    only = set(sys.argv[1:])
    for scenario, (script, kwargs) in SCENARIOS.items():
        if not only or scenario in only:
            record(scenario, script, kwargs)
