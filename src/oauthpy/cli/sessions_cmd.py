"""``oauthpy sessions``: a provider's saved sessions (list, show, fork, delete; docs/sessions.md).

The list is a ``rich`` table on a terminal and plain columns in a pipe; ``--json`` gives the
`SessionInfo` fields (times in ISO 8601). Every string shown is redacted, like all CLI output.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oauthpy._events import Event
    from oauthpy._sessions import SessionInfo

EXAMPLES = """examples:
  oauthpy sessions -p codex                     # newest first: id, updated, turns, title
  oauthpy sessions -p claude --cwd . --limit 5 --json
  oauthpy sessions show 0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee -p codex
  oauthpy sessions fork 0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee -p codex
  oauthpy chat -p codex --resume 0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"""


def fill(p: argparse.ArgumentParser, common: Any) -> None:
    """The arguments and help of `oauthpy sessions` (its parser made by the CLI's table)."""
    p.description = "A provider's saved sessions, newest first, read through the vendor's own interface."
    p.epilog = EXAMPLES
    common(p, provider_required=False)
    p.add_argument("--cwd", help="only the sessions started in this folder")
    p.add_argument("--limit", type=int, help="at most this many (the newest)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "show", "fork", "delete"),
        help="list (default); show ID: its transcript; fork ID: a new session from a copy of it "
        "(prints the new id); delete ID: delete it (or archive, where the vendor only archives)",
    )
    p.add_argument("session_id", nargs="?", metavar="ID", help="the session, for show, fork and delete")


def command(args: argparse.Namespace) -> int:
    from oauthpy.cli.clients import client_for
    from oauthpy.cli.render import dumps
    from oauthpy.cli.run_cmd import choose_provider

    if args.provider is None:
        args.provider = choose_provider(args.source)
    action = args.action
    if (action == "list") != (args.session_id is None):
        from oauthpy._errors import InvalidOptionsError

        raise InvalidOptionsError(
            f"`oauthpy sessions {action}` takes {'no ID' if action == 'list' else 'a session ID'}",
            hint="e.g. oauthpy sessions show ID -p codex; `oauthpy sessions -p codex` lists the ids",
        )
    client = client_for(args)
    if action == "show":
        _show(client.transcript(args.session_id), args.json)
    elif action == "fork":
        new_id = client.fork(args.session_id)
        print(dumps({"session_id": new_id, "forked_from": args.session_id}) if args.json else new_id)
    elif action == "delete":
        client.delete_session(args.session_id)
        if args.json:
            print(dumps({"session_id": args.session_id, "deleted": True}))
    else:
        if args.limit is not None and args.limit < 1:
            from oauthpy._errors import InvalidOptionsError

            raise InvalidOptionsError(f"--limit must be at least 1, got {args.limit}")
        found = client.sessions(cwd=args.cwd, limit=args.limit)
        if args.json:
            print(dumps([session_json(s) for s in found]))
        else:
            _table(found)
    return 0


def session_json(info: SessionInfo) -> dict[str, Any]:
    from oauthpy.cli.render import clean

    out: dict[str, Any] = {
        "id": info.id,
        "provider": info.provider,
        "title": info.title,
        "cwd": info.cwd,
        "created_at": info.created_at.isoformat() if info.created_at else None,
        "updated_at": info.updated_at.isoformat() if info.updated_at else None,
        "turns": info.turns,
    }
    return clean(out)  # type: ignore[no-any-return]


def _table(found: list[SessionInfo]) -> None:
    if not found:
        print("no sessions", file=sys.stderr)
        return
    rows = [session_json(s) for s in found]
    for row in rows:
        when = row["updated_at"] or row["created_at"]
        row["when"] = when[:16].replace("T", " ") if when else "-"
        row["shown_turns"] = "-" if row["turns"] is None else str(row["turns"])
    if not sys.stdout.isatty():
        for row in rows:
            print(f"{row['id']}\t{row['when']}\t{row['shown_turns']}\t{row['title']}")
        return
    from rich.console import Console  # a table on a terminal only: `import rich` costs time
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for name in ("id", "updated", "turns", "title"):
        table.add_column(name, no_wrap=name != "title", justify="right" if name == "turns" else "left")
    for row in rows:
        table.add_row(row["id"], row["when"], row["shown_turns"], row["title"])
    Console().print(table)


def _show(events: list[Event], as_json: bool) -> None:
    from oauthpy._describe import describe
    from oauthpy._events import EventKind
    from oauthpy.cli.render import clean, dumps, event_json

    if as_json:
        print(dumps([event_json(e) for e in events]))
        return
    for event in events:
        if event.kind is EventKind.USER:
            print(f"> {clean(event.text)}")
        elif event.kind is EventKind.MESSAGE:
            print(f"{clean(event.text)}\n")
        elif line := describe(event):
            print(line)
