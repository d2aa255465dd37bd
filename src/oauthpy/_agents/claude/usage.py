"""The claude account's limits: the last rate-limit information a run's stream carried.

Claude Code has no request that reads the plan's limits without spending a model turn. It
passes on what the Messages API answers in its ``anthropic-ratelimit-unified-*`` headers as a
``rate_limit_event`` record in the stream (the SDK's ``RateLimitEvent``), and only for a
Claude subscription login (claude.ai OAuth or ``CLAUDE_CODE_OAUTH_TOKEN``): with an API key the
CLI 2.1.329 sends none, whatever the headers say. oauthpy keeps the last one a run saw, with
when it saw it, in ``<oauthpy home>/usage/claude.json`` (0600, rate-limit fields only; see
`remember`), and `ClaudeUsage` reads it back. The plan is ``subscriptionType`` of
``claude auth status --json``, which the CLI reports for a claude.ai login only.

`resets_at_from` is when a failed run's limit starts again, from the stream's rate-limit event.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from oauthpy._errors import AuthRequiredError, NotSupportedError
from oauthpy._events import Event
from oauthpy._sessions import when
from oauthpy._usage import USAGE_WAIT_S, AccountUsage, QuotaWindow

SOURCE = "stream"
#: where, under the client's oauthpy home, the last seen rate-limit information is kept
RECORD = Path("usage") / "claude.json"
_LOGIN_HINT = "log in with `claude auth login` (or `oauthpy auth login --provider claude`)"
#: how long each window is, by the name Claude Code gives it
_WINDOW_S = {
    "five_hour": 5 * 3600.0,
    "seven_day": 7 * 86400.0,
    "seven_day_opus": 7 * 86400.0,
    "seven_day_sonnet": 7 * 86400.0,
    "seven_day_overage_included": 7 * 86400.0,
}
_ORDER = (*_WINDOW_S, "overage")
#: the fields of ``rate_limit_info`` worth keeping (the CLI adds offers and upgrade paths)
_KEPT = (
    "status",
    "resetsAt",
    "rateLimitType",
    "utilization",
    "surpassedThreshold",
    "isUsingOverage",
    "overageStatus",
    "overageResetsAt",
)
_WINDOW_KEPT = ("utilization", "resetsAt", "status", "surpassedThreshold")
#: credential variables whose logins have no plan limits Claude Code reports
_NO_PLAN_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CODE_USE_FOUNDRY",
)
_SUBSCRIPTION_METHODS = ("claude.ai", "oauth_token")


class ClaudeUsage:
    """`UsageReader` for claude: the plan from ``claude auth status``, the windows from the
    last ``rate_limit_event`` a run of this oauthpy home saw (none yet: no windows)."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider

    async def read(self, env: dict[str, str], home: str) -> AccountUsage:
        plan = await plan_of(env)
        return usage_of(load(home), plan)


async def plan_of(env: Mapping[str, str]) -> str | None:
    """The subscription's name (``pro``, ``max``...) when the CLI says it; raises
    `AuthRequiredError` without a login, `NotSupportedError` for a login without plan limits."""
    from oauthpy._agents.claude.auth import ClaudeAuth
    from oauthpy._commands import run_captured

    for var in _NO_PLAN_VARS:
        if env.get(var):
            raise _no_plan(f"{var} is set")
    if env.get("CLAUDE_CODE_OAUTH_TOKEN"):
        return None  # a subscription's token: the CLI knows no plan name for it
    auth = ClaudeAuth()
    state = auth.external_state(env)
    binary = auth.find_binary(env)
    if binary is None:
        raise NotSupportedError("the claude CLI is not installed (pip install claude-agent-sdk)")
    if not auth._config_file(env, state).exists():
        # never run with this state: nothing is logged in, and a first start would write here
        raise AuthRequiredError(f"claude is not logged in (no login in {state})", hint=_LOGIN_HINT)
    done = await run_captured([binary, "auth", "status", "--json"], env, timeout=USAGE_WAIT_S)
    try:
        info = json.loads(done.stdout)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        raise AuthRequiredError(
            f"claude could not tell its login (`claude auth status` exited {done.returncode})",
            hint=_LOGIN_HINT,
        )
    return plan_from_status(info)


def plan_from_status(info: Mapping[str, Any]) -> str | None:
    """The plan of a ``claude auth status --json`` answer (pure; see `plan_of`)."""
    if not info.get("loggedIn"):
        raise AuthRequiredError("claude is not logged in", hint=_LOGIN_HINT)
    method = info.get("authMethod")
    if method not in _SUBSCRIPTION_METHODS:
        raise _no_plan(f"it is logged in with {method or 'another method'}")
    plan = info.get("subscriptionType")
    return plan if isinstance(plan, str) and plan else None


def _no_plan(why: str) -> NotSupportedError:
    return NotSupportedError(
        f"claude reports plan limits only for a Claude subscription login, and {why}: "
        "an API key or cloud provider login has no 5-hour or weekly windows to read"
    )


# -- what a run saw -----------------------------------------------------------------------------


def info_of(message: Any) -> dict[str, Any] | None:
    """The ``rate_limit_info`` dict of a ``RateLimitEvent`` (or an event whose ``raw`` is one,
    a ``RateLimitInfo``, the raw stream record, or the info dict itself); None for anything else."""
    if isinstance(message, Event):
        message = message.raw
    info = getattr(message, "rate_limit_info", message)
    if isinstance(info, Mapping) and isinstance(info.get("rate_limit_info"), Mapping):
        info = info["rate_limit_info"]
    info = getattr(info, "raw", info)  # a RateLimitInfo keeps the CLI's dict on .raw
    if not isinstance(info, Mapping) or not isinstance(info.get("status"), str):
        return None
    return dict(info)


def _kept(info: Mapping[str, Any]) -> dict[str, Any]:
    kept = {k: info[k] for k in _KEPT if k in info}
    windows = info.get("unifiedWindows")
    if isinstance(windows, Mapping):
        kept["unifiedWindows"] = {
            str(name): {k: w[k] for k in _WINDOW_KEPT if k in w}
            for name, w in windows.items()
            if isinstance(w, Mapping)
        }
    return kept


def remember(home: str | os.PathLike[str], provider: str, event: Any) -> bool:
    """Keep ``event``'s rate-limit information as the last seen, if it carries any (a claude
    run's ``other`` event whose ``raw`` is the SDK's ``RateLimitEvent``). The runner calls it
    for each event of a claude run; it returns whether it wrote (never raises for a home it
    cannot write). Only rate-limit fields are written, atomically, to
    ``<home>/usage/<provider>.json`` (0600)."""
    info = info_of(event)
    if info is None:
        return False
    record = {
        "seen_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "rate_limit_info": _kept(info),
    }
    path = Path(home) / RECORD.parent / f"{provider}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{provider}-", suffix=".tmp")  # 0600
    except OSError:
        return False  # bookkeeping: a run never fails because its home cannot keep this
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False
    return True


def remember_all(home: str | os.PathLike[str], provider: str, events: Iterable[Any]) -> None:
    """`remember` for each of ``events``, in order (the last one wins)."""
    for event in events:
        remember(home, provider, event)


def load(home: str | os.PathLike[str], provider: str = "claude") -> dict[str, Any] | None:
    """What `remember` kept under ``home``, or None (nothing yet, or unreadable)."""
    path = Path(home) / RECORD.parent / f"{provider}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def usage_of(record: Mapping[str, Any] | None, plan: str | None) -> AccountUsage:
    """The `AccountUsage` of a kept record (pure): ``checked_at`` is when the run saw it."""
    if record is None:
        return AccountUsage("claude", plan, (), None, SOURCE)
    info = record.get("rate_limit_info")
    info = info if isinstance(info, Mapping) else {}
    return AccountUsage("claude", plan, tuple(windows_of(info)), when(record.get("seen_at")), SOURCE)


def windows_of(info: Mapping[str, Any]) -> list[QuotaWindow]:
    """The windows of one ``rate_limit_info``: each of ``unifiedWindows``, and the window the
    event is about (``rateLimitType``) when it is not among them."""
    found: dict[str, QuotaWindow] = {}
    unified = info.get("unifiedWindows")
    for name, w in unified.items() if isinstance(unified, Mapping) else ():
        if isinstance(w, Mapping):
            found[str(name)] = _window(str(name), w.get("utilization"), w.get("resetsAt"))
    claim = info.get("rateLimitType")
    if isinstance(claim, str) and claim and claim not in found:
        found[claim] = _window(claim, info.get("utilization"), info.get("resetsAt"))
    rank = {name: i for i, name in enumerate(_ORDER)}
    return [found[n] for n in sorted(found, key=lambda n: (rank.get(n, len(rank)), n))]


def _window(name: str, utilization: Any, resets: Any) -> QuotaWindow:
    used = None
    if isinstance(utilization, (int, float)) and not isinstance(utilization, bool):
        used = round(float(utilization) * 100, 6)  # the CLI says a fraction: 0.82 of the window
    return QuotaWindow(name, used, when(resets), window_s=_WINDOW_S.get(name))


def resets_at_from(messages: Any) -> dt.datetime | None:
    """When a failed run's limit starts again: ``resetsAt`` (Unix seconds) of the last
    ``rejected`` rate-limit event among ``messages`` (SDK messages, oauthpy events, stream
    records or one of them). Claude Code sends that event just before the failed turn's
    ``You've hit your 5-hour limit · resets 3:10am (UTC)`` result; with an API key it sends
    none, and the 429's ``retry-after`` is not passed on: None."""
    if info_of(messages) is not None or isinstance(messages, Mapping):
        messages = [messages]
    found: dt.datetime | None = None
    for message in messages if isinstance(messages, Iterable) else ():
        info = info_of(message)
        if info is None or info.get("status") != "rejected":
            continue
        found = when(info.get("resetsAt")) or found
    return found
