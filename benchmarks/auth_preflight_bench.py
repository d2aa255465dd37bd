"""The login check before a run: what it costs a run that is logged in, and how fast a run
that is not gets its `AuthRequiredError` (target: well under 5 s, for every provider and
transport).

    .venv/bin/python benchmarks/auth_preflight_bench.py [--reps N]

Prints one table. The cost rows time `AuthManager.preflight` in a fresh interpreter (its first
call, imports included) and warm (median of many calls); the error rows time ``Client.run`` from
the call to the error, with an empty isolated home and no key.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEMINI = os.environ.get("OAUTHPY_TEST_GEMINI_BINARY") or str(REPO / "tools/gemini/node_modules/.bin/gemini")
CREDENTIALS = ("OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN", "ANTHROPIC_API_KEY", "GEMINI_API_KEY")

#: one fresh interpreter: build the state, time the first preflight call (imports included)
_FRESH = """
import asyncio, sys, time, tempfile
from pathlib import Path
from oauthpy._auth.manager import AuthManager
from oauthpy._options import build_request
import oauthpy._agents.codex.provider  # a codex run imports it anyway
from oauthpy._agents.codex.testing import codex_config
home = Path(tempfile.mkdtemp())
if sys.argv[1] == "login-file":
    (home / "auth.json").write_text("{}")
else:
    (home / "config.toml").write_text(codex_config("http://127.0.0.1:1"))
env = {"CODEX_HOME": str(home), "OAUTHPY_FAKE_OPENAI_KEY": "k"}
m = AuthManager("codex", "external", Path(tempfile.mkdtemp()), env)
request, run_env = build_request("hi"), m.env_for("external", {})
async def once():
    start = time.perf_counter()  # inside the loop: the run has one already
    await m.preflight("external", run_env, request, "exec")
    return time.perf_counter() - start
print(asyncio.run(once()))
"""


def fresh_cost(case: str, reps: int) -> float:
    times = []
    for _ in range(reps):
        out = subprocess.run([sys.executable, "-c", _FRESH, case], capture_output=True, text=True, check=True)
        times.append(float(out.stdout))
    return statistics.median(times)


def warm_cost(case: str, n: int = 200) -> float:
    from oauthpy._agents.codex.testing import codex_config
    from oauthpy._auth.manager import AuthManager
    from oauthpy._options import build_request

    home = Path(tempfile.mkdtemp())
    if case == "login-file":
        (home / "auth.json").write_text("{}")
    else:
        (home / "config.toml").write_text(codex_config("http://127.0.0.1:1"))
    m = AuthManager("codex", "external", Path(tempfile.mkdtemp()), {"CODEX_HOME": str(home), "K": "k"})
    request, env = build_request("hi"), m.env_for("external", {})

    async def many() -> list[float]:
        out = []
        for _ in range(n):
            start = time.perf_counter()
            await m.preflight("external", env, request, "exec")
            out.append(time.perf_counter() - start)
        return out

    return statistics.median(asyncio.run(many()))


def time_to_error(provider: str, transport: str, reps: int) -> float:
    from oauthpy import AuthRequiredError, Client

    times = []
    for _ in range(reps):
        root = Path(tempfile.mkdtemp(prefix="oauthpy-bench-"))
        (root / "work").mkdir()
        os.environ["OAUTHPY_HOME"] = str(root / "home")
        env = {"HOME": str(root), "OAUTHPY_GEMINI_BINARY": GEMINI}
        client = Client(provider, auth_source="oauthpy", transport=transport, env=env)
        start = time.perf_counter()
        try:
            client.run("hi", cwd=root / "work", timeout=60)
        except AuthRequiredError:
            times.append(time.perf_counter() - start)
        else:
            raise SystemExit(f"{provider}/{transport} ran without a login")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    for var in CREDENTIALS:
        os.environ.pop(var, None)
    print("| what | median |\n|---|---|")
    for case in ("login-file", "custom-provider"):
        print(f"| codex check, {case}, fresh process | {fresh_cost(case, args.reps) * 1000:.2f} ms |")
        print(f"| codex check, {case}, warm | {warm_cost(case) * 1000:.3f} ms |")
    for provider, transport in [
        ("codex", "exec"),
        ("codex", "app-server"),
        ("claude", "sdk"),
        ("gemini", "stream-json"),
        ("gemini", "acp"),
    ]:
        took = time_to_error(provider, transport, args.reps)
        print(f"| no login -> AuthRequiredError, {provider} {transport} | {took:.3f} s |")


if __name__ == "__main__":
    main()
