"""oauthpy's own cost, measured beside the raw vendor CLIs against the offline fakes.

    .venv/bin/python benchmarks/run.py                 # everything, ~10 minutes
    .venv/bin/python benchmarks/run.py --quick         # one repetition of a few rows (smoke)
    .venv/bin/python benchmarks/run.py --providers codex --sections runs,parsers

Prints a markdown table (medians, min-max, and each ratio as the median of A/B pairs measured
alternately) and writes it to benchmarks/results.md (``--out``). codex is measured on both of
its transports (``app-server``, the default, and ``exec``), each beside the raw work it does.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attachments_bench
import batch_bench
import compare_bench
import mcp_bench
import workspace_bench
from rigs import PROMPT, Rig, reset_peak_rss, rig, rss_mb
from stats import HEADER, Row, paired, wall

from oauthpy._agents.gemini.acp import NO_RELAUNCH_VAR

HERE = Path(__file__).resolve().parent
HEAVY = ("claude_agent_sdk", "pydantic", "prompt_toolkit", "rich", "jsonschema", "tomlkit")
SECTIONS = (
    "imports",
    "fresh",
    "runs",
    "first-event",
    "parsers",
    "concurrency",
    "sessions",
    "pool",
    "batch",
    "attachments",
    "mcp",
    "workspace",
    "compare",
)
#: the sections ``--quick`` leaves out unless ``--sections`` names them (tests/core/
#: test_benchmarks_smoke.py runs the others in two halves and reads both tuples from the source)
SLOW_SECTIONS = ("fresh", "compare")
QUICK_SECTIONS = tuple(s for s in SECTIONS if s not in SLOW_SECTIONS)


def transports(provider: str) -> list[str | None]:
    """What each provider is measured on: codex on both of its transports."""
    return ["exec", "app-server"] if provider == "codex" else [None]


def tagged(provider: str, transport: str | None) -> str:
    return f"{provider} ({transport})" if transport else provider


def _py(code: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *extra, "-c", code], capture_output=True, text=True, check=True)


def _process_cpu(code: str) -> float:
    """CPU seconds (user + system) of a whole Python process that runs ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _py(code)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cumulative_us(module: str, code: str | None = None) -> float:
    """Seconds ``code`` (default ``import module``) spends importing ``module`` and its
    submodules, from ``-X importtime``: the top-level lines of the package, summed (oauthpy's
    names load on first use, so ``from oauthpy import Client`` imports ``oauthpy._client`` as a
    top-level import of its own)."""
    err = _py(code or f"import {module}", "-X", "importtime").stderr
    total = 0.0
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[2].startswith(" ") or parts[2].startswith("  "):
            continue
        name = parts[2].strip()
        if name == module or name.startswith(module + "."):
            total += float(parts[1]) / 1e6
    if not total:
        raise RuntimeError(f"no importtime line for {module}")
    return total


def imports(reps: int, providers: list[str]) -> list[Row]:
    loaded = json.loads(
        _py(
            f"import json, sys, oauthpy; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
        ).stdout
    )
    print(f"heavy modules imported by `import oauthpy`: {loaded or 'none'}", file=sys.stderr)
    row = Row(
        "imports",
        "import time (cumulative, -X importtime)",
        "import asyncio",
        "from oauthpy import Client",
        target="<= 1.2x",
    )
    client = "from oauthpy import Client"
    rows = [paired(row, lambda: _cumulative_us("asyncio"), lambda: _cumulative_us("oauthpy", client), reps)]
    built = 'from oauthpy import Client; Client("codex")'
    client_row = Row(
        "imports", "a ready client, whole process CPU", "import asyncio", built, target="<= 1.25x"
    )
    rows.append(paired(client_row, lambda: _process_cpu("import asyncio"), lambda: _process_cpu(built), reps))
    help_row = Row(
        "imports", "`oauthpy --help` wall time", "python -c pass", "oauthpy --help", target="<= 3x"
    )
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
from collections.abc import Callable
from pathlib import Path
sys.path.insert(0, {str(HERE)!r})
from rigs import rig
with tempfile.TemporaryDirectory() as tmp, rig({provider!r}, Path(tmp)) as r:
    r.oauthpy_run()
print(json.dumps("claude_agent_sdk" in sys.modules))
"""


#: the fresh codex row: `oauthpy run -p codex` without --stream (cli/run_exec.py)
FRESH_CODEX = "codex (oauthpy run: exec, started before the imports)"


def fresh(reps: int, providers: list[str], root: Path) -> list[Row]:
    """A whole `oauthpy run` process against the same vendor work in a fresh process."""
    rows = []
    targets = {"codex": "<= 1.45x", "claude": "<= 1.03x", "gemini": "<= 1.03x"}
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
            # without --stream the command runs `codex exec`, started before its imports
            what = FRESH_CODEX if provider == "codex" else provider
            target = targets[provider]
            if provider == "gemini":
                # oauthpy's gemini skips the CLI's relaunch (docs/gemini.md): beside the command
                # as a user runs it, and beside the same single Node process (oauthpy's overhead)
                what, target = "gemini vs `gemini` as a user runs it (it relaunches itself)", "-"
                single = {**env, NO_RELAUNCH_VAR: "true"}
                rows.append(
                    paired(
                        Row(
                            "fresh process",
                            "gemini vs raw gemini without its relaunch (like for like)",
                            "raw gemini, one Node process",
                            "oauthpy run",
                            target=targets[provider],
                        ),
                        lambda single=single: raw(env=single),
                        mine,
                        reps,
                    )
                )
            rows.append(
                paired(Row("fresh process", what, label, "oauthpy run", target=target), raw, mine, reps)
            )
            if provider == "codex":
                auto = [a for a in ours if a not in ("--source", "external")]
                rows.append(
                    paired(
                        Row(
                            "fresh process", f"{FRESH_CODEX}, --source auto", label, "oauthpy run", target="-"
                        ),
                        raw,
                        lambda auto=auto: mine(auto),
                        reps,
                    )
                )
                rows += _python_floors(raw, raw_cmd, raw_in, env, r.work, reps)
    return rows


def _python_floors(
    raw: Callable[[], None], argv: list[str], stdin: str, env: dict[str, str], cwd: Path, reps: int
) -> list[Row]:
    """What any Python front end costs before it does anything of its own: a Python process
    that only runs the same ``codex exec`` and waits (through ``subprocess``, then through
    ``asyncio`` as oauthpy's runtime does), beside ``codex exec`` itself. The fresh codex
    target's margin is measured against these."""
    floors = {
        "python + subprocess.run(codex exec), nothing else": (
            f"import subprocess, sys\nsubprocess.run({argv!r}, input=sys.stdin.read(), text=True, "
            "capture_output=True, check=True)"
        ),
        "python + asyncio running codex exec, nothing else": (
            "import asyncio, sys\n"
            "async def main():\n"
            f"    p = await asyncio.create_subprocess_exec(*{argv!r}, stdin=-1, stdout=-1, stderr=-1)\n"
            "    await p.communicate(sys.stdin.buffer.read())\n"
            "asyncio.run(main())"
        ),
        # the best a start-first front end could do (issue 44): codex is spawned before any
        # import, and everything `oauthpy run` imports loads while it works
        "python: spawn codex exec first, then import oauthpy's run machinery, then read": (
            "import subprocess, sys\n"
            f"p = subprocess.Popen({argv!r}, stdin=-1, stdout=-1, stderr=-1, start_new_session=True)\n"
            "p.stdin.write(sys.stdin.buffer.read()); p.stdin.close()\n"
            "import asyncio, oauthpy.cli.run_cmd, oauthpy._runner, oauthpy._process, oauthpy._events\n"
            "import oauthpy._agents.codex.provider, oauthpy._transports.oneshot\n"
            "from oauthpy import Client\n"
            "Client('codex', auth_source='external')\n"
            "p.stdout.read(); p.stderr.read(); p.wait()"
        ),
    }
    rows = []
    for what, code in floors.items():

        def floor(code: str = code) -> None:
            subprocess.run(
                [sys.executable, "-c", code],
                input=stdin,
                env=env,
                cwd=cwd,
                capture_output=True,
                text=True,
                check=True,
            )

        rows.append(
            paired(Row("fresh process", what, "codex exec", "python floor", target="-"), raw, floor, reps)
        )
    return rows


_RAW_CLAUDE = """
import asyncio, sys
from claude_agent_sdk import ClaudeAgentOptions, query
async def main():
    # the options `oauthpy run -p claude` passes (no model, no effort: the CLI's defaults)
    opts = ClaudeAgentOptions(cwd=sys.argv[1], include_partial_messages=True)
    async for _ in query(prompt=sys.stdin.read(), options=opts):
        pass
asyncio.run(main())
"""


def runs(reps: int, providers: list[str], root: Path) -> list[Row]:
    """One run in a warm Python process, beside the same vendor work done raw (no pool)."""
    rows = []
    for provider in providers:
        with rig(provider, root / f"warm-{provider}") as r:
            for transport in transports(provider):
                client = r.client_on(transport)
                if transport == "app-server":
                    what, raw = "codex (app-server, a process per run)", r.raw_app_run
                    label = "raw start + thread + turn + close"
                else:
                    what, raw, label = tagged(provider, transport), r.raw_run, "raw"
                row = Row("warm run", what, label, "Client.run", target="<= 1.02x")
                rows.append(paired(row, raw, lambda r=r, c=client: r.oauthpy_run(c), reps, warmup=2))
    return rows


def first_event(reps: int, providers: list[str], root: Path) -> list[Row]:
    """From the fake's first streamed delta to the first message event the consumer sees."""
    from oauthpy.testing import Reply

    rows = []
    for provider in providers:
        with rig(provider, root / f"ttfe-{provider}") as r:
            for transport in transports(provider):
                client = r.client_on(transport)
                what = f"{tagged(provider, transport)}: fake's first delta -> consumer"
                raw = r.raw_first_event
                if transport == "app-server":
                    what = "codex (app-server): fake's first delta -> first text delta"
                    raw = r.raw_app_first_event
                elif transport == "exec":
                    what = "codex (exec): fake's first delta -> first message event (whole message)"
                row = Row(
                    "first event",
                    what,
                    "raw stdout/SDK",
                    "stream()",
                    unit="ms",
                    compare="diff",
                    target="< +5 ms",
                )
                rows.append(paired(row, raw, lambda r=r, c=client: r.oauthpy_first_event(c), reps, warmup=1))
            if provider == "gemini":
                rows.append(_gemini_first_delta(reps, r))
            if provider != "codex":
                continue
            # The transports against each other: the first text a consumer of oauthpy sees.
            on_exec, on_app = r.client_on("exec"), r.client_on("app-server")
            for reply, how in (
                (None, "a reply of 3 pieces at once"),
                (Reply(text="ok", chunks=2, chunk_delay_s=0.1), "a reply streamed over 0.2 s"),
            ):
                if reply is not None:
                    r.fake.script(reply)
                row = Row(
                    "first event",
                    f"codex, {how}: first text on app-server (a delta) vs on exec (the message)",
                    "exec: message event",
                    "app-server: delta",
                    unit="ms",
                    compare="diff",
                    target="- (< 0: app-server first)",
                )
                rows.append(
                    paired(
                        row,
                        lambda r=r, c=on_exec: r.oauthpy_first_event(c),
                        lambda r=r, c=on_app: r.oauthpy_first_event(c),
                        reps,
                        warmup=1,
                    )
                )
    return rows


def _gemini_first_delta(reps: int, r: Rig) -> Row:
    """gemini's first text delta on a warm ACP agent against a stream-json run's."""
    row = Row(
        "first event",
        "gemini: fake's first delta -> first text delta, on a warm acp agent vs on stream-json",
        "stream-json",
        "acp (warm)",
        unit="ms",
        compare="diff",
        target="-",
    )
    lone = r.client_on("stream-json")
    with r.client_on("acp") as warm:
        r.oauthpy_first_event(warm)  # starts the process
        row = paired(
            row, lambda: r.oauthpy_first_event(lone), lambda: r.oauthpy_first_event(warm), min(reps, 3)
        )
    return row


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
    """N runs at once: oauthpy's ``asyncio.gather`` of ``arun`` against N raw runs on threads.

    Memory is this Python process's own (the vendor processes are not counted, and are the
    same on both sides): how much its resident set grows at the peak of N concurrent runs,
    divided by N, and the peak of Python allocations (tracemalloc, a second batch) divided by N.
    """
    rows = []
    for provider in providers:
        for transport in transports(provider):
            for n in levels:
                what = f"{tagged(provider, transport)} x{n}"
                wall_row = Row(
                    "concurrency", f"{what}: wall", "raw", "oauthpy", target="<= 1.10x" if n == 32 else "-"
                )
                rss = Row(
                    "concurrency",
                    f"{what}: Python process RSS growth at the peak, per run (MB)",
                    "raw",
                    "oauthpy",
                    unit="MB",
                    compare="diff",
                    target="< +2 MB",
                )
                heap = Row(
                    "concurrency",
                    f"{what}: Python allocations at the peak (tracemalloc), per run (MB)",
                    "raw",
                    "oauthpy",
                    unit="MB",
                    compare="diff",
                    target="-",
                )
                for _ in range(reps):
                    a, b = _child("raw", provider, n, transport), _child("oauthpy", provider, n, transport)
                    for row, key in ((wall_row, "wall"), (rss, "rss_mb"), (heap, "heap_mb")):
                        if a.get(key) is not None and b.get(key) is not None:
                            row.a.append(a[key])
                            row.b.append(b[key])
                rows += [row for row in (wall_row, rss, heap) if row.a]
    return rows


def _child(mode: str, provider: str, n: int, transport: str | None) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(HERE / "run.py"), "--child", mode, provider, str(n), transport or "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def child(mode: str, provider: str, n: int, transport: str | None) -> None:
    """One concurrency measurement in a fresh process, so that its memory is its own."""
    import gc
    import tracemalloc

    with tempfile.TemporaryDirectory() as tmp, rig(provider, Path(tmp)) as r:
        client = r.client_on(transport)
        if mode == "oauthpy":
            one = lambda: r.oauthpy_run(client)  # noqa: E731

            async def many(k: int) -> None:
                results = await asyncio.gather(
                    *(client.arun(PROMPT, cwd=r.work, model=r.model) for _ in range(k))
                )
                assert all(x.text == "ok" for x in results)

            def batch(k: int) -> None:
                asyncio.run(many(k))

        else:
            from concurrent.futures import ThreadPoolExecutor

            one = r.raw_app_run if transport == "app-server" else r.raw_run

            def batch(k: int) -> None:
                with ThreadPoolExecutor(k) as pool:
                    list(pool.map(lambda _: one(), range(k)))

        one()  # alone: the first run sets up the vendor's state dir
        batch(min(n, 2))  # the batch path's own first-use costs (imports, caches) are not per run
        gc.collect()
        linux = Path("/proc/self/clear_refs").exists()
        if linux:
            reset_peak_rss()
        before = rss_mb()[0] if linux else 0.0
        took = wall(lambda: batch(n))
        rss = (rss_mb()[1] - before) / n if linux else None
        gc.collect()
        tracemalloc.start()
        batch(n)
        heap = tracemalloc.get_traced_memory()[1] / n / 2**20
        tracemalloc.stop()
    print(json.dumps({"wall": took, "rss_mb": rss, "heap_mb": heap}))


def sessions(reps: int, providers: list[str], root: Path, turns: int) -> list[Row]:
    """Follow-up turns of a session against fresh one-shot runs (and, for codex, raw turns)."""
    rows = []
    for provider in providers:
        with rig(provider, root / f"session-{provider}") as r:
            if provider == "codex":
                rows += _codex_sessions(reps, r, turns)
                continue
            reps = min(reps, 2)  # claude and gemini: a few seconds a turn
            client = r.client
            what = f"{provider}: turns 2..{turns}" + (" (acp)" if provider == "gemini" else "")
            row = Row(
                "sessions",
                what,
                "fresh one-shot run",
                "session turn",
                target="<= 0.05x" if provider == "gemini" else "-",
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


def _codex_sessions(reps: int, r: Rig, turns: int) -> list[Row]:
    """A session turn (one app-server process and thread for the session) beside a fresh
    one-shot run on ``codex exec`` and beside a raw follow-up turn on a live thread."""
    what = f"codex: session turns 2..{turns} (app-server)"
    vs_exec = Row(
        "sessions",
        f"{what} vs a fresh one-shot run on exec",
        "run on exec",
        "session turn",
        target="<= 0.35x",
    )
    vs_raw = Row(
        "sessions",
        f"{what} vs a raw follow-up turn on a live thread",
        "raw turn",
        "session turn",
        target="<= 1.05x",
    )
    on_exec = r.client_on("exec")
    request = r.request()

    def turn(chat: Any) -> None:
        result = chat.run(PROMPT)
        assert result.text == "ok" and result.transport == "app-server", result

    for _ in range(reps):
        with r.client.session(cwd=r.work, model=r.model) as chat, r.raw_app() as raw:
            turn(chat)  # turn 1 starts the process and the thread, on both sides
            thread = raw.thread(request)
            raw.turn(thread, request)
            for _ in range(turns - 1):
                vs_exec.a.append(wall(lambda: r.oauthpy_run(on_exec)))
                ours = wall(lambda chat=chat: turn(chat))
                vs_exec.b.append(ours)
                vs_raw.b.append(ours)
                vs_raw.a.append(wall(lambda raw=raw, thread=thread: raw.turn(thread, request)))
    return [vs_exec, vs_raw]


def pool(reps: int, providers: list[str], root: Path, runs: int) -> list[Row]:
    """Runs 2..N inside ``with Client``: a new thread (codex), conversation (claude) or ACP
    session (gemini) each, on one warm process."""
    rows = []
    if "codex" in providers:
        rows += _codex_pool(reps, root, runs)
    if "claude" in providers:
        what = "vs a fresh claude run (SDK query())"
        rows += _one_process_pool("claude", what, "fresh query()", "<= 0.3x", min(reps, 3), root, runs)
    if "gemini" in providers:
        what, raw = "(acp) vs a raw `gemini` one-shot", "raw gemini -o stream-json"
        # a raw gemini run takes seconds
        rows += _one_process_pool("gemini", what, raw, "<= 0.1x", min(reps, 2), root, runs, "acp")
    return rows


def _codex_pool(reps: int, root: Path, runs: int) -> list[Row]:
    what = f"codex: runs 2..{runs} in `with Client` (app-server)"
    vs_exec = Row(
        "warm pool",
        f"{what} vs a raw `codex exec` one-shot",
        "raw codex exec",
        "pooled run",
        target="<= 0.6x",
    )
    vs_raw = Row(
        "warm pool",
        f"{what} vs raw new thread + turn on a live app-server",
        "raw thread + turn",
        "pooled run",
        target="<= 1.05x",
    )
    with rig("codex", root / "pool-codex") as r:
        request = r.request()
        for _ in range(reps):
            with r.client as client, r.raw_app() as raw:
                r.oauthpy_run(client)  # run 1 starts the process, on both sides
                raw.run(request)
                for _ in range(runs - 1):
                    vs_exec.a.append(wall(r.raw_run))
                    ours = wall(lambda client=client: r.oauthpy_run(client))
                    vs_exec.b.append(ours)
                    vs_raw.b.append(ours)
                    vs_raw.a.append(wall(lambda raw=raw: raw.run(request)))
                _assert_warm(client, runs)
    return [vs_exec, vs_raw]


def _one_process_pool(
    provider: str,
    what: str,
    baseline: str,
    target: str,
    reps: int,
    root: Path,
    runs: int,
    transport: str | None = None,
) -> list[Row]:
    """Runs 2..N of one ``with Client`` block (one warm process) against ``r.raw_run``."""
    row = Row(
        "warm pool",
        f"{provider}: runs 2..{runs} in `with Client` {what}",
        baseline,
        "pooled run",
        target=target,
    )
    with rig(provider, root / f"pool-{provider}") as r:
        for _ in range(reps):
            with r.client as client:
                r.oauthpy_run(client, transport)  # run 1 starts the process
                for _ in range(runs - 1):
                    row.a.append(wall(r.raw_run))
                    row.b.append(wall(lambda client=client: r.oauthpy_run(client, transport)))
                _assert_warm(client, runs)
    return [row]


def _assert_warm(client: Any, runs: int) -> None:
    agents = client._runner.pool
    assert agents is not None and (agents.started, agents.reused) == (1, runs - 1), "the runs were not warm"


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.platform()}, Python {platform.python_version()}, {cpus} CPUs"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one repetition of small workloads, of the cheap sections unless --sections names some",
    )
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--providers", default="codex,claude,gemini")
    ap.add_argument("--sections", help="a comma list (default: all; with --quick, its cheap ones)")
    ap.add_argument("--out", default=str(HERE / "results.md"))
    ap.add_argument(
        "--child", nargs=4, metavar=("MODE", "PROVIDER", "N", "TRANSPORT"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.child:
        mode, provider, n, transport = args.child
        child(mode, provider, int(n), None if transport == "-" else transport)
        return 0
    providers = args.providers.split(",")
    asked = args.sections.split(",") if args.sections else None
    unknown = sorted(set(asked or ()) - set(SECTIONS))
    if unknown:
        ap.error(f"unknown sections: {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    sections = asked or list(SECTIONS)
    reps, levels, n_lines, turns, batch = args.reps, [1, 8, 32], 100_000, 10, (32, 1000, 100)
    files = workspace_bench.FILES
    if args.quick:
        providers = [p for p in providers if p == "codex"] or providers[:1]
        sections = asked or list(QUICK_SECTIONS)
        # the smoke checks that the harness runs, not its figures: small workloads and repositories
        reps, levels, n_lines, turns, batch, files = 1, [2], 2_000, 2, (4, 12, 4), 100
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
        "sessions": lambda root: sessions(reps, providers, root, turns),
        "pool": lambda root: pool(reps, providers, root, turns),
        "attachments": lambda root: attachments_bench.attachments(reps, providers, root),
        "mcp": lambda root: mcp_bench.mcp(reps, providers, root),
        "workspace": lambda root: workspace_bench.workspace(reps, providers, root, files),
        "compare": lambda root: compare_bench.compare(reps, providers, root),
        "batch": lambda root: (
            batch_bench.batch(reps, providers, root, batch[0])
            + (batch_bench.like_for_like(min(reps, 3), root, batch[0]) if "codex" in providers else [])
            + batch_bench.memory(providers, root, batch[1], batch[2])
        ),
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
