"""What an ACP agent said of its context window: its ``usage_update`` session updates.

ACP's ``usage_update`` (``{"sessionUpdate": "usage_update", "used": <tokens>, "size": <window>,
"cost"?: {...}}``) is sent by the agent when it likes (Qwen Code after each model call, OpenCode
when it knows the model's window). A conversation keeps the last one, for `Session.context`.
"""

from __future__ import annotations

from typing import Any

from oauthpy._errors import NotSupportedError
from oauthpy._session_controls import ContextUsage


def _tokens(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class ContextReports:
    """The last ``usage_update`` of a conversation's ACP session."""

    def __init__(self) -> None:
        self.last: dict[str, Any] | None = None

    def seen(self, update: dict[str, Any]) -> None:
        if _tokens(update.get("used")) is not None:  # one without a count says nothing of it
            self.last = update

    def usage(self, who: str) -> ContextUsage:
        last = self.last
        if last is None:
            raise NotSupportedError(
                f"{who} reported no usage in this session (no ACP usage_update): its context "
                "window is unknown; nothing was sent",
                hint="an ACP agent reports it with session/update usage_update, if it does at all",
            )
        used = _tokens(last.get("used")) or 0
        size = _tokens(last.get("size"))
        return ContextUsage(used, size or None, last)
