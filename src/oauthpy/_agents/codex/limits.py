"""When a codex turn that failed on a used-up plan may go again: pure, from what codex passed
on (the app-server's last ``account/rateLimits/updated``, or the words of its error)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from oauthpy._sessions import when

#: codex's words (core/src/error.rs ``retry_suffix``): ``Try again at 2:52 AM.``, or on
#: another day ``... at Nov 25th, 2026 2:52 AM.``, in codex's local time, to the minute
_TRY_AGAIN = re.compile(
    r"try again at (?:(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2})(?:st|nd|rd|th), (?P<year>\d{4}) )?"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<ampm>[AP]M)",
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def resets_at_from(
    message: str,
    *,
    rate_limits: Any = None,
    now: dt.datetime | None = None,
    tz: dt.tzinfo | None = None,
) -> dt.datetime | None:
    """When the usage limit that failed a codex turn starts again, or None when codex did not
    say.

    ``rate_limits``: the ``rateLimits`` of the last ``account/rateLimits/updated`` the turn's
    app-server sent (codex sends one from the 429's ``x-codex-*`` headers); an exhausted window
    there (``usedPercent`` >= 100) gives the exact ``resetsAt``, the latest when several are.
    Else ``message`` (the turn's ``error.message``, the same text in both transports) is read:
    codex writes the time in its own local zone (``tz``, default this process's) to the minute,
    so the end of that minute is returned, never a time before the reset. ``Try again later``
    and a 429 codex gave up on (``exceeded retry limit, last status: 429``) say nothing: None.
    """
    exhausted = [
        found
        for name in ("primary", "secondary")
        if (window := _dict(_dict(rate_limits).get(name)))
        and (number(window.get("usedPercent")) or 0) >= 100
        and (found := when(window.get("resetsAt"))) is not None
    ]
    if exhausted:
        return max(exhausted)
    said = _TRY_AGAIN.search(message or "")
    if said is None:
        return None
    zone = tz or dt.datetime.now().astimezone().tzinfo
    local_now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone)
    hour = int(said["hour"]) % 12 + (12 if said["ampm"].upper() == "PM" else 0)
    try:
        if said["month"]:
            month = _MONTHS.index(said["month"].lower()) + 1
            day = dt.date(int(said["year"]), month, int(said["day"]))
        else:
            day = local_now.date()
        named = dt.datetime.combine(day, dt.time(hour, int(said["minute"])), zone)
    except ValueError:
        return None
    return (named + dt.timedelta(minutes=1)).astimezone(dt.timezone.utc)


def number(value: Any) -> float | None:
    """A number codex sent (as a number or its text); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
