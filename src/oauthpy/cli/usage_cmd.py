"""``oauthpy usage``: how much of each plan's limits is used, and when each resets (docs/account.md).

With ``-p``, one provider; without, every installed provider that can tell (one line for each
that cannot, with why). Read-only: nothing here prints a token.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from oauthpy._errors import OauthPyError

if TYPE_CHECKING:
    from oauthpy._usage import AccountUsage


def fill(p: argparse.ArgumentParser, common: Any) -> None:
    """The arguments and help of `oauthpy usage` (its parser made by the CLI's table)."""
    p.description = "The account's usage and quota, read from each vendor's own interface."
    from oauthpy._registry import names

    p.epilog = f"examples:\n  oauthpy usage -p {names()[0]}\n  oauthpy usage --json"
    common(p, provider_required=False)
    p.add_argument("--json", action="store_true", help="print JSON")


def usage_json(found: AccountUsage) -> dict[str, Any]:
    from oauthpy.cli.render import clean

    out = {
        "provider": found.provider,
        "plan": found.plan,
        "source": found.source,
        "checked_at": found.checked_at.isoformat() if found.checked_at else None,
        "windows": [
            {
                "name": w.name,
                "used_percent": w.used_percent,
                "resets_at": w.resets_at.isoformat() if w.resets_at else None,
                "limit": w.limit,
                "used": w.used,
                "window_s": w.window_s,
            }
            for w in found.windows
        ],
    }
    return clean(out)  # type: ignore[no-any-return]


def lines(found: AccountUsage) -> list[str]:
    from oauthpy.cli.render import clean

    head = f"{found.provider}: plan {found.plan or 'unknown'}"
    if found.source:
        head += f" (from {found.source}"
        head += (
            f", as of {found.checked_at.astimezone().strftime('%Y-%m-%d %H:%M')})"
            if found.checked_at
            else ")"
        )
    out = [clean(head)]
    if not found.windows:
        out.append("  no limits reported")
    for w in found.windows:
        used = f"{w.used_percent:.0f}% used" if w.used_percent is not None else "use unknown"
        if w.used is not None and w.limit is not None:
            used += f" ({w.used:g} of {w.limit:g})"
        resets = f", resets {w.resets_at.astimezone().strftime('%Y-%m-%d %H:%M')}" if w.resets_at else ""
        out.append(clean(f"  {w.name}: {used}{resets}"))
    return out


def command(args: argparse.Namespace) -> int:
    from oauthpy import _registry as registry
    from oauthpy._names import listed_providers
    from oauthpy.cli.clients import client_for
    from oauthpy.cli.render import clean, dumps

    names = [args.provider] if args.provider else [n for n in listed_providers() if registry.get(n).usage]
    found: list[AccountUsage] = []
    failed: dict[str, str] = {}
    for name in names:
        try:
            found.append(client_for(args, name).usage())
        except OauthPyError as exc:
            if args.provider:
                raise
            failed[name] = exc.message
    if args.json:
        shown: Any = [usage_json(u) for u in found] + [
            {"provider": n, "error": clean(m)} for n, m in failed.items()
        ]
        print(dumps(shown[0] if args.provider else shown))
    else:
        for usage in found:
            print("\n".join(lines(usage)))
        for name, message in failed.items():
            print(clean(f"{name}: {message}"), file=sys.stderr)
    return 0 if found else 1
