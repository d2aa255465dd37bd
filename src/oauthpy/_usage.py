"""The account's usage and quota (docs/account.md): what `Client.usage` returns, and the
`UsageReader` protocol each vendor's reader implements (the registry names which one an agent
uses, ``Agent.usage``).

Read-only: a reader asks the vendor's own interface (codex app-server ``account/*``, copilot's
``account.getQuota``, what claude reported in a run's stream) and never reads a token or
credential file; nothing it returns or raises holds a secret. A field the vendor does not give
is None, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

#: how long reading the usage may take (a vendor start plus a request or two)
USAGE_WAIT_S = 60.0


@dataclass(frozen=True, slots=True)
class QuotaWindow:
    """One limit of the account: how much of it is used and when it starts again."""

    #: the vendor's name for it (codex ``primary``/``secondary``, claude ``five_hour``/``seven_day``,
    #: copilot ``premium_interactions``...)
    name: str
    used_percent: float | None = None
    resets_at: dt.datetime | None = None
    #: the window's size in the vendor's unit (requests, credits) and how much of it is used
    limit: float | None = None
    used: float | None = None
    #: how long the window is, in seconds
    window_s: float | None = None


@dataclass(frozen=True, slots=True)
class AccountUsage:
    """The account's plan and limits, as the vendor reported them at ``checked_at``.

    ``source`` says where it came from (``"account/rateLimits/read"``, ``"account.getQuota"``,
    ``"stream"``: the last a run saw, at ``checked_at``).
    """

    provider: str
    plan: str | None
    windows: tuple[QuotaWindow, ...] = ()
    checked_at: dt.datetime | None = None
    source: str = ""


class UsageReader(Protocol):
    async def read(self, env: dict[str, str], home: str) -> AccountUsage:
        """The account's usage for the state ``env`` points at; ``home`` is the client's
        oauthpy home (where a reader may keep what the vendor reported in a run's stream).
        Raises `AuthRequiredError` when not logged in, `NotSupportedError` where the vendor
        has no way to tell."""
        ...
