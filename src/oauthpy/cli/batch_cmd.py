"""``oauthpy batch``: every item of a JSON Lines file through one agent, results as JSON Lines.

Exit codes: 0 every item ok, 1 some failed, 2 a usage error (nothing started), 130 interrupted
(Ctrl-C: items still running are stopped and not written; ``--resume`` finishes the rest), 143
terminated (SIGTERM, the same as Ctrl-C).
"""

from __future__ import annotations

import argparse
from typing import Any

#: the reasoning effort flag's help, the same in run and batch
EFFORT_HELP = "the model's reasoning effort, for an agent that takes one (`oauthpy run --help` lists them)"


def fill(p: argparse.ArgumentParser, common: Any) -> None:
    """The arguments and help of `oauthpy batch` (its parser made by the CLI's table)."""
    p.description = (
        "Run every item of INPUT through one agent, N at a time on warm agents, and "
        "append one JSON line per finished item to OUTPUT (docs/batch.md)."
    )
    p.epilog = (
        "examples:\n"
        "  oauthpy batch -p codex items.jsonl -o results.jsonl -j 4\n"
        "  oauthpy batch -p gemini items.jsonl -o results.jsonl --resume\n"
        "  oauthpy batch -p claude prompts.txt -o out.jsonl --schema label.schema.json\n\n"
        'INPUT lines: {"id": "a1", "prompt": "...", "cwd": "dir", "model": "m", "attachments":\n'
        '["shot.png"]} (all but prompt optional; attachments are found beside INPUT; # lines are\n'
        "comments), or one prompt per line. exit codes: 0 all ok, 1 some\n"
        "failed, 2 usage error or OUTPUT not writable, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."
    )
    common(p)
    p.add_argument(
        "input", metavar="INPUT", help="JSON Lines of items, or a prompt per line; '-' reads stdin"
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="JSON Lines of results ('-': stdout)"
    )
    p.add_argument("-j", "--jobs", type=int, default=4, help="items at once (default 4)")
    p.add_argument("--resume", action="store_true", help="skip ids already ok in OUTPUT, append the rest")
    p.add_argument("--schema", metavar="FILE", help="JSON schema file: each answer is parsed and validated")
    p.add_argument("--model", "-m", help="model for every item (an item's own model wins)")
    p.add_argument("--reasoning-effort", "--effort", dest="reasoning_effort", help=EFFORT_HELP)
    p.add_argument("--timeout", type=float, help="seconds for each attempt of an item")
    p.add_argument("--max-retries", type=int, default=0, help="retries of other transient failures per item")
    p.add_argument("--cwd", default=".", help="working directory (an item's own cwd wins)")
    from oauthpy.cli.words import fallback_flag, lean_flag

    lean_flag(p)
    fallback_flag(p)
    p.add_argument(
        "--workspace",
        choices=("worktree",),
        help="run each item in its own git worktree; its changes and diff go on its line",
    )
    from oauthpy.cli.worktree_flags import worktree_flags

    worktree_flags(p, "each item's worktree")
    p.add_argument(
        "--keep-sessions",
        action="store_true",
        help="save each item's session so it can be resumed (codex, claude; gemini always saves)",
    )
    p.add_argument(
        "--budget-usd",
        type=float,
        metavar="N",
        help="stop starting items once they have cost N US dollars (reported or estimated); "
        "the rest are marked not run, and --resume with a new budget runs them",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary on stderr")
