"""``oauthpy compare``: one task, several agents at once, each in its own worktree; a table of
what each did (or ``--json``), each diff saved with ``--out``. ``oauthpy workspaces clean``
removes worktrees kept with ``--keep`` (docs/workspaces.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any


def _examples() -> str:
    from oauthpy._registry import names

    a, b, c = (names() * 3)[:3]  # the registry's first agents
    return f"""examples:
  oauthpy compare -p {a},{b},{c} "Fix the failing test in tests/test_api.py"
  oauthpy compare -p {a} -p {c} --json --yes "Add type hints to utils.py" > attempts.jsonl
  oauthpy compare -p {a},{b} --out attempts/ "Refactor the parser"   # attempts/{a}.diff ...
  git apply attempts/{b}.diff                                         # keep the best one

Each agent works in a fresh git worktree of the current repository at HEAD: your working tree,
index and branches are never touched, and every worktree is removed at the end (Ctrl-C too).
Without --yes, an agent's permission questions are asked on the terminal (denied without one).
exit codes: 0 at least one agent finished, 1 none did, 2 usage error, 130 interrupted."""


def fill(p: argparse.ArgumentParser, common: Any) -> None:
    p.description = "Give one task to several agents at once, each in its own git worktree, and compare."
    p.epilog = _examples()
    common(p, many=True, aliases=("-P", "--providers"))  # -P: the flag's old spelling
    p.add_argument("--cwd", default=".", help="a folder of the git repository to work on (default .)")
    p.add_argument("--timeout", type=float, help="seconds each agent may take")
    p.add_argument("--out", metavar="DIR", help="save each agent's diff as DIR/<agent>.diff")
    p.add_argument("--json", action="store_true", help="print one JSON object per agent")
    p.add_argument("--yes", action="store_true", help="allow everything the agents ask to do")
    p.add_argument("--keep", action="store_true", help="keep the worktrees (oauthpy workspaces clean)")
    p.add_argument("prompt", help="the task")


def fill_workspaces(p: argparse.ArgumentParser) -> None:
    p.description = "Worktrees oauthpy kept (keep_workspace=True, compare --keep) or left by a crash."
    p.epilog = "example:\n  oauthpy workspaces clean"
    p.add_argument("action", choices=("list", "clean"), help="list them, or remove them all")


def workspaces(args: argparse.Namespace) -> int:
    from oauthpy._workspace import clean, listed

    if args.action == "clean":
        removed = clean()
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print("no worktree to remove")
        return 0
    found = listed()
    for path, why in found:
        print(f"{path}  ({why})")
    if not found:
        print("no worktree kept or left by a crash")
    return 0


class TerminalAsk:
    """Permission questions on the terminal, one at a time (agents may ask at once); no
    terminal: no.

    Read on the event loop (the terminal's descriptor, non-blocking), not in a thread: a run's
    timeout or Ctrl-C ends the wait at once, where a thread blocked in a read would outlive it.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __call__(self, request: Any) -> bool:
        async with self._lock:
            try:  # the terminal itself, whatever stdin is (a pipe, a file)
                fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
            except OSError:
                return False
            try:
                os.write(fd, question(request).encode("utf-8", "replace"))
                os.set_blocking(fd, False)
                answer = await _read_line(fd)
            finally:
                os.close(fd)
        return answer.strip().lower() in (b"y", b"yes")


#: an answer is a word: the rest of a longer line is read and dropped (never left for the next question)
_ANSWER_BYTES = 64


def _settle(ready: asyncio.Future[None]) -> None:
    if not ready.done():  # the reader may fire again before it is removed
        ready.set_result(None)


async def _read_line(fd: int) -> bytes:
    """One line from the terminal (its first `_ANSWER_BYTES`); end of input: an empty one."""
    loop = asyncio.get_running_loop()
    kept = b""
    while True:
        ready: asyncio.Future[None] = loop.create_future()
        loop.add_reader(fd, _settle, ready)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        try:
            chunk = os.read(fd, 1024)
        except BlockingIOError:
            continue
        if not chunk:
            return kept
        line, newline, _ = chunk.partition(b"\n")
        kept = (kept + line)[:_ANSWER_BYTES]
        if newline:
            return kept


def question(request: Any) -> str:
    """What the terminal shows: the agent's command on a line of its own, quoted, escaped and
    redacted (`PermissionRequest.asked`), so the line answered is the command that runs."""
    return f"\n{request.provider} wants to {request.asked()}\nAllow? [y/N] "


def command(args: argparse.Namespace) -> int:
    from oauthpy._compare import acompare
    from oauthpy._describe import describe

    providers = list(args.provider)  # -p a -p b, -p a,b: each named once (the parser checks)
    if args.out:
        os.makedirs(args.out, exist_ok=True)

    async def shown(provider: str, event: Any) -> None:
        message = describe(event, brief=True)  # redacted, then escaped: no CR or ESC redraws the line
        if message and not args.json:
            print(f"{provider}: {message}", file=sys.stderr, flush=True)

    results = asyncio.run(
        acompare(
            args.prompt,
            providers,
            cwd=args.cwd,
            timeout=args.timeout,
            on_permission=(lambda request: True) if args.yes else TerminalAsk(),
            keep_workspace=args.keep,
            auth_source=args.source,
            on_event=shown,
        )
    )
    rows = [_row(name, result) for name, result in zip(providers, results, strict=True)]
    if args.out:
        for row in rows:
            with open(os.path.join(args.out, f"{row['provider']}.diff"), "w") as fh:
                fh.write(row["diff"] or "")
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        _table(rows, args.out)
    return 0 if any(row["error"] is None for row in rows) else 1


def _row(provider: str, result: Any) -> dict[str, Any]:
    from oauthpy import OauthPyError
    from oauthpy._redact import redact

    if isinstance(result, OauthPyError):
        return {
            "provider": provider,
            "text": None,
            "changes": [],
            "diff": None,
            "duration_s": None,
            "cost_usd": None,
            "error": {"type": type(result).__name__, "message": result.message, "hint": result.hint},
        }
    return {
        "provider": provider,
        "text": redact(result.text),
        "changes": [{"path": c.path, "status": c.status} for c in result.changes],
        "diff": result.diff,
        "duration_s": round(result.elapsed_s, 3),
        "cost_usd": result.cost_usd,
        "workspace": result.workspace,
        "error": None,
    }


def _lines(diff: str | None) -> tuple[int, int]:
    added = removed = 0
    for line in (diff or "").splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def _table(rows: list[dict[str, Any]], out: str | None) -> None:
    header = ("agent", "status", "time", "files", "+/-", "cost")
    lines = [header]
    for row in rows:
        added, removed = _lines(row["diff"])
        cost = f"${row['cost_usd']:.4f}" if row["cost_usd"] is not None else "-"
        status = "ok" if row["error"] is None else row["error"]["type"]
        time = f"{row['duration_s']:.1f}s" if row["duration_s"] is not None else "-"
        lines.append((row["provider"], status, time, str(len(row["changes"])), f"+{added}/-{removed}", cost))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    for row in rows:
        if row["error"] is not None:
            print(f"{row['provider']}: {row['error']['message']}", file=sys.stderr)
        elif out:
            print(
                f"{row['provider']}: diff in {os.path.join(out, row['provider'] + '.diff')}", file=sys.stderr
            )
