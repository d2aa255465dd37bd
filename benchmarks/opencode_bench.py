"""OpenCode through oauthpy against raw ``opencode run``, every one against the chat fake.

    .venv/bin/python benchmarks/opencode_bench.py [--reps N] [--runs N]

Rows (markdown, for benchmarks/results.md): a lone ``Client("opencode").run`` (a fresh
``opencode acp`` per run) against a raw ``opencode run``; runs 2..N inside ``with Client`` (a
new ACP session each, on one warm process) and session turns 2..N (one ACP session) against
the same raw one-shot. The pinned opencode comes from tools/opencode (scripts/test installs it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.stats import HEADER, Row, wall  # noqa: E402

from oauthpy import Client  # noqa: E402
from oauthpy._providers import registry  # noqa: E402
from oauthpy.testing import text  # noqa: E402

BINARY = os.environ.get("OAUTHPY_TEST_OPENCODE_BINARY") or str(
    REPO / "tools/opencode/node_modules/.bin/opencode"
)
PROMPT = "Say ok."


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--runs", type=int, default=4, help="runs or turns per warm process")
    args = ap.parse_args()
    if not Path(BINARY).exists():
        raise SystemExit(f"the pinned OpenCode is missing at {BINARY}: run `bash scripts/test` once")
    agent = registry.get("opencode")
    lone = Row("fresh process", "opencode: a lone Client.run", "raw opencode run", "Client.run", target="-")
    warm = Row(
        "warm pool",
        f"opencode: runs 2..{args.runs} in `with Client` (acp) vs a raw `opencode run`",
        "raw opencode run",
        "pooled run",
        target="<= 0.3x",
    )
    turns = Row(
        "sessions",
        f"opencode: session turns 2..{args.runs} vs a raw `opencode run`",
        "raw opencode run",
        "session turn",
        target="<= 0.3x",
    )
    with tempfile.TemporaryDirectory(prefix="oauthpy-bench-opencode-") as tmp, agent.fake_class()() as fake:
        fake.script(text("ok"))
        env = {**agent.fake_environment(fake, Path(tmp) / "state"), "OAUTHPY_OPENCODE_BINARY": BINARY}
        work = Path(tmp) / "work"
        work.mkdir()
        client = Client("opencode", auth_source="external", env=env)

        def raw() -> None:
            done = subprocess.run(
                [BINARY, "run", PROMPT], env={**os.environ, **env, "PWD": str(work)}, cwd=work,
                capture_output=True, stdin=subprocess.DEVNULL, check=False, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-500:]

        def ours(c: Client = client) -> None:
            assert c.run(PROMPT, cwd=work, timeout=120).text == "ok"

        for _ in range(args.reps):
            lone.a.append(wall(raw))
            lone.b.append(wall(ours))
            with Client("opencode", auth_source="external", env=env) as pooled:
                ours(pooled)  # run 1 starts the process
                for _ in range(args.runs - 1):
                    warm.a.append(wall(raw))
                    warm.b.append(wall(lambda c=pooled: ours(c)))
            with client.session(cwd=work, timeout=120) as session:
                session.run(PROMPT)  # turn 1 starts the process and the session
                for _ in range(args.runs - 1):
                    turns.a.append(wall(raw))
                    turns.b.append(wall(lambda s=session: s.run(PROMPT)))
    print(HEADER)
    for row in (lone, warm, turns):
        print(row.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
