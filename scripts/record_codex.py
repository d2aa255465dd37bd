"""Record real `codex exec --json` output against the fake, for the parser's unit tests.

Run: .venv/bin/python scripts/record_codex.py  (rewrites tests/recordings/codex/*.jsonl)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from oauthpy.options import build_request, merged_env
from oauthpy.providers.codex import CodexProvider
from oauthpy.testing import Cut, FakeResponsesServer, HttpError, Reply, Tokens, apply_patch, shell, text

OUT = Path(__file__).resolve().parent.parent / "tests" / "recordings" / "codex"
PATCH = "*** Begin Patch\n*** Add File: notes.txt\n+first line\n*** End Patch\n"

SCENARIOS = {
    "plain": [text("Hello from the fake, in pieces.", usage=Tokens(input=321, cached=21, output=9))],
    "reasoning": [Reply(text="thought about it", reasoning="**Plan** think first")],
    "shell": [shell("echo hello-from-shell; exit 3", say="Let me check."), text("finished")],
    "patch": [apply_patch(PATCH), text("created")],
    "http_401": [HttpError(401, "bad key")],
    "http_429": [HttpError(429, "slow down", retry_after=0)],
    "http_500": [HttpError(500, "boom")],
    "cut": [Cut("half an ans")],
}


def record(name: str, steps: list) -> None:
    with FakeResponsesServer(steps) as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "work")
        work.mkdir()
        env = fake.codex_env(Path(tmp, "home"))
        opts = {"sandbox": "workspace-write"} if name == "patch" else {}
        req = build_request(f"scenario {name}", cwd=work, provider_options=opts)
        inv = CodexProvider().build(req, merged_env(env))
        proc = subprocess.run(
            inv.argv, input=inv.stdin, capture_output=True, cwd=inv.cwd, env=inv.env, timeout=60
        )
        inv.cleanup()
        lines = proc.stdout.decode().replace(tmp, "/tmp/REC").splitlines()
        (OUT / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
        print(f"{name}: rc={proc.returncode}, {len(lines)} lines", file=sys.stderr)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for scenario, script in SCENARIOS.items():
        record(scenario, script)
