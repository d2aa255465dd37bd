"""Show, for each provider, whether it is installed and logged in, and which source would be used.

Read-only: nothing is created or written, and no secret is ever printed.

    python examples/auth_status.py
"""

from __future__ import annotations

from oauthpy import Client


def main() -> None:
    for provider in ("codex", "claude", "gemini"):
        status = Client(provider).auth_status()
        d = status.details
        if not status.installed:
            print(f"{provider:7} not installed ({d.get('hint')})")
            continue
        state = "logged in" if status.authenticated else f"not logged in ({d.get('reason')})"
        print(
            f"{provider:7} {d.get('version') or '?':10} {state:40} mode={status.mode:12} source={d['source_used']}"
        )


if __name__ == "__main__":
    main()
