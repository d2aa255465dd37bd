"""``oauthpy doctor``: every provider's install, login and state dirs, with the exact fixes."""

from __future__ import annotations

import argparse
import asyncio
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oauthpy._events import AuthStatus
from oauthpy._names import AuthSource, listed_providers
from oauthpy._registry import ProviderName
from oauthpy.cli.render import dumps
from oauthpy.cli.term import style
from oauthpy.cli.words import cli_words

_LOGIN_FIX = "oauthpy auth login --provider {p}"
#: the programs a fix may start with that make it a command to run
_COMMANDS = {"oauthpy", "npm", "pip", "pipx", "uv", "brew", "chmod"}
_REASON_FIXES = {
    "api_key_missing": "set the API key variable the vendor expects (see `oauthpy auth status --provider {p}`), "
    "or log in: " + _LOGIN_FIX,
    "auth_type_not_selected": "select an auth type in the agent's settings.json, or log in: " + _LOGIN_FIX,
}


@dataclass
class Report:
    provider: str
    status: AuthStatus
    dirs: dict[str, dict[str, Any]]
    problems: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        s = self.status
        return {
            "provider": self.provider,
            "installed": s.installed,
            "binary": s.binary,
            "version": s.version,
            "authenticated": s.authenticated,
            "mode": s.mode,
            "source": s.source_used,
            "reason": s.reason,
            "state_dirs": self.dirs,
            "problems": self.problems,
        }


def _dir_info(path: Path) -> dict[str, Any]:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return {"path": str(path), "exists": False, "mode": None}
    return {"path": str(path), "exists": True, "mode": oct(mode)}


async def _report(provider: ProviderName, source: AuthSource) -> Report:
    from oauthpy._client import Client

    client = Client(provider, auth_source=source)
    status = await client.aauth_status()
    dirs = {name: _dir_info(path) for name, path in client.state_dirs().items()}
    report = Report(provider, status, dirs)
    if not status.installed:
        report.problems.append({"problem": "not installed", "fix": str(status.hint)})
    elif not status.authenticated:
        reason = str(status.reason)
        fix = _REASON_FIXES.get(reason, _LOGIN_FIX).format(p=provider)
        if reason == "api_key_missing" and status.hint:  # the agent says which key, and where
            fix = f"{cli_words(status.hint)} (see `oauthpy auth status --provider {provider}`)"
        report.problems.append({"problem": f"not logged in ({reason})", "fix": fix})
    isolated = dirs["oauthpy"]
    if isolated["exists"] and int(isolated["mode"], 8) & 0o077:
        report.problems.append(
            {"problem": f"{isolated['path']} is open to other users", "fix": f"chmod 700 {isolated['path']}"}
        )
    return report


async def gather(source: AuthSource, providers: list[ProviderName] | None = None) -> list[Report]:
    """The reports of ``providers`` (None: every listed agent), in the registry's order."""
    chosen = [p for p in listed_providers() if providers is None or p in providers]
    # Probes run concurrently: the slowest provider sets the pace, not their sum.
    return list(await asyncio.gather(*(_report(p, source) for p in chosen)))


def render(reports: list[Report]) -> str:
    out = sys.stdout
    rows = [("provider", "installed", "version", "logged in", "mode", "source", "isolated state")]
    for r in reports:
        s, iso = r.status, r.dirs["oauthpy"]
        rows.append(
            (
                r.provider,
                "yes" if s.installed else "no",
                s.version or "-",
                "yes" if s.authenticated else "no",
                s.mode if s.authenticated else "-",
                s.source_used or "-",
                f"{iso['path']} ({iso['mode']})" if iso["exists"] else f"{iso['path']} (not created)",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines[0] = style(lines[0], "bold", out)
    problems = [(r.provider, p) for r in reports for p in r.problems]
    if problems:
        lines.append("")
        lines.append(style("fixes:", "yellow", out))
        for provider, p in problems:
            lines.append(f"  {provider}: {p['problem']}")
            # a command to run gets the prompt sign; words to follow do not
            sign = "$ " if p["fix"].split(" ", 1)[0] in _COMMANDS else ""
            lines.append(f"    {sign}{p['fix']}")
        if not any(r.status.authenticated for r in reports):
            lines += [
                "",
                "no account yet? try every agent against oauthpy's fake models:",
                "    $ OAUTHPY_OFFLINE=1 oauthpy demo",
            ]
    else:
        lines += ["", style("everything is set up", "green", out)]
    return "\n".join(lines)


def command(args: argparse.Namespace) -> int:
    from oauthpy._loop import run_sync

    reports = run_sync(gather(args.source, args.provider))
    print(dumps([r.as_json() for r in reports]) if args.json else render(reports))
    return 1 if any(r.problems for r in reports) else 0
