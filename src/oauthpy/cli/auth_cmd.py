"""``oauthpy auth status|login|logout`` and ``oauthpy available``."""

from __future__ import annotations

import argparse
import getpass
import sys

from oauthpy._events import AuthStatus
from oauthpy.cli.clients import client_for
from oauthpy.cli.render import dumps, status_json
from oauthpy.cli.term import style


def status_lines(status: AuthStatus) -> list[str]:
    out = sys.stdout
    if not status.installed:
        return [f"{status.provider}: {style('not installed', 'red', out)}"]
    if status.authenticated:
        state = style("logged in", "green", out) + f" ({status.mode})"
        if status.verified is False:
            state += ", not verified"
    else:
        state = style("not logged in", "yellow", out) + f" ({status.reason})"
    return [
        f"{status.provider}: {state}",
        f"  binary   {status.binary} ({status.version or 'version unknown'})",
        f"  source   {status.source_used} (asked: {status.source_requested})",
        f"  state    {status.state_dir}",
    ]


def status(args: argparse.Namespace) -> int:
    from oauthpy.cli.run_cmd import choose_provider

    if args.provider is None:
        args.provider = choose_provider(args.source)
    result = client_for(args).auth_status()
    if args.json:
        print(dumps(status_json(result)))
    else:
        print("\n".join(status_lines(result)))
    return 0 if result.installed and result.authenticated else 1


def available(args: argparse.Namespace) -> int:

    ok = client_for(args).available()
    print("yes" if ok else "no")
    return 0 if ok else 1


def read_api_key() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("API key (not echoed): ")
    return sys.stdin.readline().strip()


def login(args: argparse.Namespace) -> int:

    client = client_for(args)
    api_key = read_api_key() if args.with_api_key else None
    options: dict[str, object] = {"method": args.method} if args.method else {}
    if getattr(args, "yes", False):
        options["yes"] = True
    result = client.login(api_key=api_key, device_code=args.device_code, provider_options=options or None)
    print("\n".join(status_lines(result)))
    return 0 if result.authenticated else 1


def logout(args: argparse.Namespace) -> int:

    result = client_for(args).logout()
    print("\n".join(status_lines(result)))
    return 0
