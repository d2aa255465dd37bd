"""oauthpy's own cost, measured beside the raw vendor CLIs against the offline fakes.

    .venv/bin/python benchmarks/run.py                 # everything, ~10 minutes
    .venv/bin/python benchmarks/run.py --quick         # one repetition of a few rows (smoke)
    .venv/bin/python benchmarks/run.py --providers codex --sections runs,parsers

Prints a markdown table (medians, min-max, and each ratio as the median of A/B pairs measured
alternately) and writes it to benchmarks/results.md (``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rigs import PROMPT, peak_rss_mb, rig
from stats import HEADER, Row, paired

HERE = Path(__file__).resolve().parent
HEAVY = ("claude_agent_sdk", "pydantic", "prompt_toolkit", "rich", "jsonschema", "tomlkit")
SECTIONS = ("imports", "fresh", "runs", "first-event", "parsers", "concurrency", "sessions")


def _py(code: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *extra, "-c", code], capture_output=True, text=True, check=True)


def _cumulative_us(module: str) -> float:
    err = _py(f"import {module}", "-X", "importtime").stderr
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == f" {module}":
            return float(parts[1]) / 1e6
    raise RuntimeError(f"no importtime line for {module}")


def imports(reps: int, providers: list[str]) -> list[Row]:
    loaded = json.loads(
        _py(
            f"import json, sys, oauthpy; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
        ).stdout
    )
    print(f"heavy modules imported by `import oauthpy`: {loaded or 'none'}", file=sys.stderr)
    row = Row("imports", "import time (cumulative, -X importtime)", "asyncio", "oauthpy", target="<= 1.5x")
    rows = [paired(row, lambda: _cumulative_us("asyncio"), lambda: _cumulative_us("oauthpy"), reps)]
    help_row = Row("imports", "`oauthpy --help` wall time", "python -c pass", "oauthpy --help", target="-")
    rows.append(
        paired(
            help_row,
            lambda: (_py("pass"), None)[1],
            lambda: (
                subprocess.run(
                    [sys.executable, "-m", "oauthpy.cli", "--help"], capture_output=True, check=True
                ),
                None,
            )[1],
            reps,
        )
    )
    for provider in [p for p in providers if p != "claude"]:
        code = _codex_or_gemini_run_imports(provider)
        found = json.loads(_py(code).stdout)
        print(f"a {provider} run imported claude_agent_sdk: {found}", file=sys.stderr)
        assert not found, f"a {provider} run imported claude_agent_sdk"
    return rows


def _codex_or_gemini_run_imports(provider: str) -> str:
    return f"""
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, {str(HERE)!r})
from rigs import rig
with tempfile.TemporaryDirectory() as tmp, rig({provider!r}, Path(tmp)) as r:
    r.oauthpy_run()
print(json.dumps("claude_agent_sdk" in sys.modules))
"""


def fresh(reps: int, providers: list[str], root: Path) -> list[Row]:
    """A whole `oauthpy run` process against the same vendor work in a fresh process."""
    rows = []
    targets = {"codex": "<= 1.25x", "claude": "<= 1.03x", "gemini": "<= 1.03x"}
    for provider in providers:
        with rig(provider, root / f"fresh-{provider}") as r:
            env = {**os.environ, **r.env}
            ours = [
                sys.executable,
                "-m",
                "oauthpy.cli",
                "run",
                "-p",
                provider,
                "--source",
                "external",
                "--cwd",
                str(r.work),
            ]
            if r.model:
                ours += ["--model", r.model]
            if provider == "claude":
                raw_cmd = [sys.executable, "-c", _RAW_CLAUDE, str(r.work)]
                raw_in = PROMPT
            else:
                inv = r._invocation()
                raw_cmd, raw_in = inv.argv, inv.stdin.decode()

            def raw(cmd: list[str] = raw_cmd, stdin: str = raw_in, env: dict[str, str] = env) -> None:
                subprocess.run(
                    cmd, input=stdin, env=env, cwd=r.work, capture_output=True, text=True, check=True
                )

            def mine(cmd: list[str] = ours, env: dict[str, str] = env) -> None:
                subprocess.run(
                    [*cmd, PROMPT], env=env, cwd=r.work, capture_output=True, text=True, check=True
                )

            label = (
                "codex exec"
                if provider == "codex"
                else "raw gemini"
                if provider == "gemini"
                else "python + query()"
            )
            rows.append(
                paired(
                    Row("fresh process", provider, label, "oauthpy run", target=targets[provider]),
                    raw,
                    mine,
                    reps,
                )
            )
    return rows


_RAW_CLAUDE = """
import asyncio, sys
from claude_agent_sdk import ClaudeAgentOptions, query
async def main():
    opts = ClaudeAgentOptions(model="opus", effort="low", cwd=sys.argv[1], include_partial_messages=True)
    async for _ in query(prompt=sys.stdin.read(), options=opts):
        pass
asyncio.run(main())
"""


def runs(reps: int, providers: list[str], root: Path) -> list[Row]:
    rows = []
    for provider in providers:
        with rig(provider, root / f"warm-{provider}") as r:
            client = r.client
            row = Row("warm run", provider, "raw", "Client.run", target="<= 1.02x")
            rows.append(paired(row, r.raw_run, lambda r=r, c=client: r.oauthpy_run(c), reps, warmup=2))
    return rows


def first_event(reps: int, providers: list[str], root: Path) -> list[Row]:
    rows = []
    for provider in providers:
        with rig(provider, root / f"ttfe-{provider}") as r:
            client = r.client
            row = Row(
                "first event",
                f"{provider}: fake's first delta -> consumer",
                "raw stdout/SDK",
                "stream()",
                unit="ms",
                compare="diff",
                target="< +5 ms",
            )
            rows.append(
                paired(row, r.raw_first_event, lambda r=r, c=client: r.oauthpy_first_event(c), reps, warmup=1)
            )
    return rows


def parsers(reps: int, providers: list[str], n_lines: int) -> list[Row]:
    from parsers_bench import bare_and_ours

    rows = []
    for provider in providers:
        bare, ours = bare_and_ours(provider, n_lines)
        row = Row(
            "parser",
            f"{provider}: {n_lines:,} recorded lines",
            bare.__doc__ or "bare",
            "parser",
            target="<= 1.43x (rate >= 0.7)",
        )
        rows.append(paired(row, bare, ours, reps))
    return rows


def concurrency(reps: int, providers: list[str], levels: list[int]) -> list[Row]:
    rows = []
    for provider in providers:
        for n in levels:
            wall = Row(
                "concurrency",
                f"{provider} x{n}: wall",
                "raw",
                "oauthpy",
                target="<= 1.10x" if n == 32 else "-",
            )
            rss = Row(
                "concurrency",
                f"{provider} x{n}: peak RSS",
                "raw",
                "oauthpy",
                unit="MB",
                compare="diff",
                target=f"< +{2 * n} MB",
            )
            for _ in range(reps):
                a, b = _child("raw", provider, n), _child("oauthpy", provider, n)
                wall.a.append(a["wall"])
                wall.b.append(b["wall"])
                rss.a.append(a["rss_mb"])
                rss.b.append(b["rss_mb"])
            rows += [wall, rss]
    return rows


def _child(mode: str, provider: str, n: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(HERE / "run.py"), "--child", mode, provider, str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def child(mode: str, provider: str, n: int) -> None:
    """One concurrency measurement in a fresh process, so its peak RSS is its own."""
    with tempfile.TemporaryDirectory() as tmp, rig(provider, Path(tmp)) as r:
        client = r.client
        r.raw_run() if mode == "raw" else r.oauthpy_run(client)  # warm-up
        started = time.perf_counter()
        if mode == "oauthpy":

            async def many() -> None:
                results = await asyncio.gather(
                    *(client.arun(PROMPT, cwd=r.work, model=r.model) for _ in range(n))
                )
                assert all(x.text == "ok" for x in results)

            asyncio.run(many())
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(n) as pool:
                list(pool.map(lambda _: r.raw_run(), range(n)))
        wall = time.perf_counter() - started
    print(json.dumps({"wall": wall, "rss_mb": peak_rss_mb()}))


def sessions(reps: int, providers: list[str], root: Path, turns: int) -> list[Row]:
    rows = []
    for provider in providers:
        with rig(provider, root / f"session-{provider}") as r:
            client = r.client
            row = Row(
                "sessions", f"{provider}: turns 2..{turns}", "fresh one-shot run", "session turn", target="-"
            )
            for _ in range(reps):
                with client.session(cwd=r.work, model=r.model) as chat:
                    chat.run(PROMPT)
                    for _ in range(turns - 1):
                        t = time.perf_counter()
                        r.oauthpy_run(client)
                        row.a.append(time.perf_counter() - t)
                        t = time.perf_counter()
                        chat.run(PROMPT)
                        row.b.append(time.perf_counter() - t)
            rows.append(row)
    return rows


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.platform()}, Python {platform.python_version()}, {cpus} CPUs"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one repetition of a few cheap rows (smoke test)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--providers", default="codex,claude,gemini")
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--out", default=str(HERE / "results.md"))
    ap.add_argument("--child", nargs=3, metavar=("MODE", "PROVIDER", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    providers = args.providers.split(",")
    sections = args.sections.split(",")
    reps, levels, n_lines, turns = args.reps, [1, 8, 32], 100_000, 10
    if args.quick:
        providers = [p for p in providers if p == "codex"] or providers[:1]
        sections = ["imports", "runs", "parsers", "concurrency", "sessions"]
        reps, levels, n_lines, turns = 1, [2], 2_000, 2
    # An installed wheel ships compiled bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 would recompile oauthpy from source in every fresh process.
    compileall.compile_dir(str(HERE.parent / "src" / "oauthpy"), quiet=1)
    rows: list[Row] = []
    failed: list[str] = []
    runners = {
        "imports": lambda root: imports(reps, providers),
        "fresh": lambda root: fresh(reps, providers, root),
        "runs": lambda root: runs(reps, providers, root),
        "first-event": lambda root: first_event(reps, providers, root),
        "parsers": lambda root: parsers(reps, providers, n_lines),
        "concurrency": lambda root: concurrency(1 if args.quick else max(1, reps // 3), providers, levels),
        "sessions": lambda root: sessions(1 if args.quick else 2, providers, root, turns),
    }
    with tempfile.TemporaryDirectory(prefix="oauthpy-bench-") as tmp:
        for section in sections:
            print(f"== {section}", file=sys.stderr, flush=True)
            try:
                rows += runners[section](Path(tmp))
            except Exception as exc:  # one broken section must not lose the others' numbers
                failed.append(
                    f"{section}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                )
                print(f"section {section} failed: {exc!r}", file=sys.stderr, flush=True)
            _write(args.out, rows, reps, failed)
    print(Path(args.out).read_text())
    return 1 if failed else 0


def _write(out: str, rows: list[Row], reps: int, failed: list[str]) -> None:
    lines = [f"Machine: {machine()}. Repetitions: {reps}.", "", HEADER, *(r.markdown() for r in rows)]
    if failed:
        lines += ["", "Sections that failed:", *(f"- {f}" for f in failed)]
    Path(out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
