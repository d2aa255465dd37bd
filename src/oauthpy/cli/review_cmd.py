"""``oauthpy review``: agents review a change (uncommitted by default, ``--base``, ``--commit``)
at once, read-only, and their findings are merged into one table (or ``--json``);
``--fail-on`` makes it a CI gate (docs/review.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from oauthpy._review_types import SEVERITIES


def _examples() -> str:
    from oauthpy._registry import names

    a, b = (names() * 2)[:2]
    return f"""examples:
  oauthpy review -p {a},{b}                      # your uncommitted changes
  oauthpy review -p {a} --base main --fail-on high   # this branch since main; exit 1 on a high finding
  oauthpy review -p {b} --commit HEAD --json
  oauthpy review -p {a},{b} --focus "security of the SQL queries"
  oauthpy review -p {a},{b} -m {a}=MODEL              # a model for one reviewer (-m MODEL: for all)
  oauthpy review -p acp --command "my-agent --acp"    # any ACP agent

The reviewers are read-only: every command or file change they ask for is refused, and for
--base/--commit they read a fresh git worktree, never your tree. A finding several agents raised
(same file, lines within 3, titles alike) is one row naming them all.
exit codes: 0 reviewed (or nothing to review), 1 a finding at or above --fail-on,
2 usage error or a reviewer failed, 130 interrupted."""


def fill(p: argparse.ArgumentParser, common: Any) -> None:
    p.description = "Have agents review a change, read-only, and merge their findings."
    p.epilog = _examples()
    common(p, many=True, aliases=("-P", "--providers"))  # -P: the spelling of the issue
    target = p.add_mutually_exclusive_group()
    target.add_argument("--base", metavar="BRANCH", help="review this branch's changes since BRANCH")
    target.add_argument("--commit", metavar="SHA", help="review the changes of one commit")
    p.add_argument("--cwd", default=".", help="a folder of the git repository (default .)")
    p.add_argument("--focus", metavar="TEXT", help="what the reviewers should look at most")
    p.add_argument(
        "--model",
        "-m",
        action="append",
        metavar="[AGENT=]MODEL",
        help="the model of every reviewer, or AGENT=MODEL for one (repeat -m for several)",
    )
    p.add_argument("--timeout", type=float, help="seconds each reviewer may take")
    p.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        metavar="SEVERITY",
        help=f"exit 1 when a finding is at or above this severity ({', '.join(SEVERITIES)})",
    )
    p.add_argument("--json", action="store_true", help="print the review as one JSON object")


def _table(review: Any) -> str:
    from oauthpy._describe import safe

    rows = [(f.severity, safe(f.where), safe(f.title), ",".join(f.agents)) for f in review.findings]
    if not rows:
        return "no findings"
    head = ("SEVERITY", "WHERE", "TITLE", "AGENTS")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    lines = []
    for row in [head, *rows]:
        lines.append("  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]]))
    return "\n".join(lines)


def models_of(given: list[str] | None, providers: list[str]) -> dict[str, str]:
    """``-m MODEL`` (every reviewer) and ``-m AGENT=MODEL`` (one: it wins, in any order)."""
    from oauthpy._errors import InvalidOptionsError

    models: dict[str, str] = {}
    for value in given or ():
        agent, sep, model = value.partition("=")
        if sep:
            if agent not in providers:
                raise InvalidOptionsError(f"-m {value}: {agent!r} is not one of the reviewers (-p)")
            models[agent] = model
        else:
            models.update((name, value) for name in providers if name not in models)
    return models


def command(args: argparse.Namespace) -> int:
    import shlex

    from oauthpy._describe import safe
    from oauthpy._review_many import areview
    from oauthpy.cli.term import print_error

    providers = list(args.provider)
    review = asyncio.run(
        areview(
            providers,
            base=args.base,
            commit=args.commit,
            focus=args.focus,
            cwd=args.cwd,
            timeout=args.timeout,
            auth_source=args.source,
            models=models_of(args.model, providers),
            command=shlex.split(args.agent_command) if args.agent_command else None,
        )
    )
    if args.json:
        print(json.dumps(review.to_dict(), ensure_ascii=False))
    elif not review.changed:
        print(review.summary)
    else:
        print(_table(review))
        if review.summary:
            print(f"\n{safe(review.summary, prose=True)}")
    for name, why in review.errors.items():
        print_error(f"{name} did not review: {safe(why)}")
    if review.errors:
        return 2
    if args.fail_on is not None and review.at_least(args.fail_on):
        if not args.json:
            print(f"\nfindings at or above {args.fail_on}: failing", file=sys.stderr)
        return 1
    return 0
