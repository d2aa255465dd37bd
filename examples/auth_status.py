"""Show, for each provider, whether it is installed and logged in, and which source would be used.

Read-only: nothing is created or written, and no secret is ever printed.

    python examples/auth_status.py
    OAUTHPY_OFFLINE=1 python examples/auth_status.py    # with no account: against the fakes
"""

from __future__ import annotations

from oauthpy import Client


def main() -> None:
    for provider in ("codex", "claude", "gemini"):
        status = Client(provider).auth_status()
        if not status.installed:
            print(f"{provider:7} not installed ({status.hint})")
            continue
        state = "logged in" if status.authenticated else f"not logged in ({status.reason})"
        print(
            f"{provider:7} {status.version or '?':10} {state:40} mode={status.mode:12} source={status.source_used}"
        )


if __name__ == "__main__":
    main()
