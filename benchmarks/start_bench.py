"""The start rows: what importing oauthpy costs, and a whole `oauthpy run` process beside the
same vendor work in a fresh process (with, for codex, the floors any Python front end pays).

Imported by run.py (sections ``imports`` and ``fresh``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rigs import PROMPT, rig
from stats import Row, paired

from oauthpy._agents.gemini.acp import NO_RELAUNCH_VAR

HERE = Path(__file__).resolve().parent
#: what `import oauthpy` must not load
HEAVY = ("claude_agent_sdk", "pydantic", "prompt_toolkit", "rich", "jsonschema", "tomlkit")


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
FRESH_CODEX_TERMINAL = "codex, stdin a terminal (oauthpy run: app-server, where codex asks its questions)"


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

            def mine(cmd: list[str] = ours, env: dict[str, str] = env, terminal: bool = False) -> None:
                # stdin no terminal, as in a script, whoever starts the benchmark, unless
                # ``terminal``: on one, codex's run takes the app-server (where it asks)
                main, side = os.openpty() if terminal else (-1, subprocess.DEVNULL)
                try:
                    subprocess.run(
                        [*cmd, PROMPT],
                        env=env,
                        cwd=r.work,
                        stdin=side,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                finally:
                    if terminal:
                        os.close(main)
                        os.close(side)

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
                rows.append(
                    paired(
                        Row("fresh process", FRESH_CODEX_TERMINAL, label, "oauthpy run", target="-"),
                        raw,
                        lambda: mine(terminal=True),
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
