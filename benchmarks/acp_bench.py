"""A named ACP agent (opencode, copilot) through oauthpy against its own raw one-shot command,
every one against the agent's fake.

    .venv/bin/python benchmarks/acp_bench.py --agent copilot [--reps N] [--runs N] [--batch N]

Rows (markdown, for benchmarks/results.md): a lone ``Client(agent).run`` (a fresh agent process
per run) against the raw one-shot (``opencode run``, ``copilot -p``); runs 2..N inside ``with
Client`` (a new ACP session each, on one warm process) and session turns 2..N (one ACP session)
against the same raw one-shot; and a batch of N prompts (``Client.map``, 4 at a time) against N
raw one-shots run 4 at a time. The pinned CLIs come from tools/ (scripts/test installs them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.stats import HEADER, Row, wall  # noqa: E402

from oauthpy import Client  # noqa: E402
from oauthpy import _registry as registry  # noqa: E402
from oauthpy.testing import text  # noqa: E402

PROMPT = "Say ok."
#: each agent's own one-shot command (after its program)
RAW = {"opencode": ["run", PROMPT], "copilot": ["-p", PROMPT, "--no-auto-update"]}
#: the program the tests run, as scripts/test installs it
PINNED = {
    "opencode": "tools/opencode/node_modules/.bin/opencode",
    "copilot": "tools/copilot/node_modules/@github/copilot-linux-x64/copilot",
}
CONCURRENCY = 4


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agent", choices=sorted(RAW), default="opencode")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--runs", type=int, default=4, help="runs or turns per warm process")
    ap.add_argument("--batch", type=int, default=0, help="prompts per batch (0: no batch row)")
    args = ap.parse_args()
    name, var = args.agent, args.agent.upper()
    binary = os.environ.get(f"OAUTHPY_TEST_{var}_BINARY") or str(REPO / PINNED[name])
    if not Path(binary).exists():
        raise SystemExit(f"the pinned {name} is missing at {binary}: run `bash scripts/test` once")
    raw_name = f"raw {name} {RAW[name][0]}"
    lone = Row("fresh process", f"{name}: a lone Client.run", raw_name, "Client.run", target="-")
    warm = Row(
        "warm pool",
        f"{name}: runs 2..{args.runs} in `with Client` (acp) vs a raw `{name} {RAW[name][0]}`",
        raw_name,
        "pooled run",
        target="<= 0.3x",
    )
    turns = Row(
        "sessions",
        f"{name}: session turns 2..{args.runs} vs a raw `{name} {RAW[name][0]}`",
        raw_name,
        "session turn",
        target="<= 0.3x",
    )
    batch = Row(
        "batch",
        f"{name}: {args.batch} prompts, {CONCURRENCY} at a time (Client.map) vs raw one-shots",
        f"{args.batch} x {raw_name}",
        "Client.map",
        target="<= 0.6x",
    )
    agent = registry.get(name)
    with tempfile.TemporaryDirectory(prefix=f"oauthpy-bench-{name}-") as tmp, agent.fake_class()() as fake:
        fake.script(text("ok"))
        env = {**agent.fake_environment(fake, Path(tmp) / "state"), f"OAUTHPY_{var}_BINARY": binary}
        work = Path(tmp) / "work"
        work.mkdir()
        client = Client(name, auth_source="external", env=env)  # type: ignore[arg-type]

        def raw() -> None:
            done = subprocess.run(
                [binary, *RAW[name]], env={**os.environ, **env, "PWD": str(work)}, cwd=work,
                capture_output=True, stdin=subprocess.DEVNULL, check=False, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-500:]

        def ours(c: Client = client) -> None:
            assert c.run(PROMPT, cwd=work, timeout=120).text == "ok"

        def raw_batch() -> None:
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                list(pool.map(lambda _: raw(), range(args.batch)))

        def our_batch() -> None:
            with Client(name, auth_source="external", env=env) as pooled:  # type: ignore[arg-type]
                done = pooled.map([PROMPT] * args.batch, concurrency=CONCURRENCY, cwd=work, timeout=120)
            assert all(getattr(r, "text", None) == "ok" for r in done), done

        for _ in range(args.reps):
            lone.a.append(wall(raw))
            lone.b.append(wall(ours))
            with Client(name, auth_source="external", env=env) as pooled:  # type: ignore[arg-type]
                ours(pooled)  # run 1 starts the process
                for _ in range(args.runs - 1):
                    warm.a.append(wall(raw))
                    warm.b.append(wall(lambda c=pooled: ours(c)))
            with client.session(cwd=work, timeout=120) as session:
                session.run(PROMPT)  # turn 1 starts the process and the session
                for _ in range(args.runs - 1):
                    turns.a.append(wall(raw))
                    turns.b.append(wall(lambda s=session: s.run(PROMPT)))
            if args.batch:
                batch.a.append(wall(raw_batch))
                batch.b.append(wall(our_batch))
    print(HEADER)
    for row in (lone, warm, turns, *([batch] if args.batch else [])):
        print(row.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
