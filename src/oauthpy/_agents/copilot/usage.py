"""The copilot account's plan and quotas, from its own SDK server (copilot 1.0.102).

``copilot --headless --stdio`` answers ``account.getQuota`` with ``quotaSnapshots`` keyed by
quota (``premium_interactions``, ``chat``, ``completions``): ``entitlementRequests``,
``usedRequests``, ``remainingPercentage``, ``isUnlimitedEntitlement``... Copilot reads them from
GitHub (``GET https://api.<GH_HOST>/copilot_internal/user``, with the login's token). Its
``resetDate`` is that snapshot's ``timestamp_utc`` (when GitHub took it), not when the quota
resets, so oauthpy takes the reset from ``account.getCurrentAuth`` (the same GitHub answer
unchanged: ``copilot_plan``, each snapshot's ``quota_reset_at`` in Unix seconds, the account's
``quota_reset_date_utc``), picking those fields only: that answer carries the login. Copilot
reads its own credentials; nothing here does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from oauthpy._errors import AuthRequiredError, CommandExecutionError, NotSupportedError
from oauthpy._redact import redact
from oauthpy._sessions import when
from oauthpy._usage import AccountUsage, QuotaWindow

SOURCE = "account.getQuota"
_LOGIN_HINT = "run `copilot login` in a terminal (or `oauthpy auth login --provider copilot`)"
_BYOK_VAR = "COPILOT_PROVIDER_BASE_URL"
#: the quotas first, in the order people ask about them
_ORDER = ("premium_interactions", "chat", "completions")


class CopilotUsage:
    """`UsageReader` for copilot: the GitHub login ``env`` gives copilot, read through copilot."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider

    async def read(self, env: dict[str, str], home: str) -> AccountUsage:
        from oauthpy._agents.copilot.sdk_server import sdk_request

        binary = _binary(env)
        quota = await sdk_request(binary, env, SOURCE)
        result = checked(quota, env)
        auth = await sdk_request(binary, env, "account.getCurrentAuth")
        user = copilot_user(auth)
        return usage_of(result, user, dt.datetime.now(dt.timezone.utc))


def _binary(env: Mapping[str, str]) -> str:
    from oauthpy._agents.copilot.auth import CopilotAuth

    found = CopilotAuth().find_binary(env)
    if found is None:
        raise NotSupportedError("the copilot CLI is not installed (npm install -g @github/copilot)")
    return str(found)


def checked(answer: Mapping[str, Any] | None, env: Mapping[str, str]) -> Mapping[str, Any]:
    """The ``result`` of an ``account.getQuota`` answer, or the typed error it means (pure)."""
    if answer is None:
        if env.get("COPILOT_OFFLINE", "").lower() in ("1", "true"):
            raise NotSupportedError(
                "copilot in offline mode (COPILOT_OFFLINE) cannot ask GitHub for the quota"
            )
        raise CommandExecutionError(f"copilot did not answer {SOURCE} in time", transient=True)
    error = answer.get("error")
    if isinstance(error, Mapping):
        said = redact(str(error.get("message") or ""))
        if "not authenticated" in said.lower():
            if env.get(_BYOK_VAR):
                raise NotSupportedError(
                    f"copilot runs on a model provider of your own ({_BYOK_VAR}) with no GitHub "
                    "login: there is no Copilot quota to read"
                )
            raise AuthRequiredError("copilot is not logged in to GitHub", hint=_LOGIN_HINT)
        raise CommandExecutionError(f"copilot could not read the quota: {said}")
    result = answer.get("result")
    if not isinstance(result, Mapping):
        raise CommandExecutionError(f"copilot answered {SOURCE} without a result")
    return result


def copilot_user(answer: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The GitHub account fields of an ``account.getCurrentAuth`` answer that oauthpy uses, and
    none other (that answer names the login and how it is kept); {} when it has none."""
    result = answer.get("result") if isinstance(answer, Mapping) else None
    info = result.get("authInfo") if isinstance(result, Mapping) else None
    user = info.get("copilotUser") if isinstance(info, Mapping) else None
    if not isinstance(user, Mapping):
        return {}
    snapshots = user.get("quota_snapshots")
    resets = {
        str(k): v.get("quota_reset_at")
        for k, v in (snapshots.items() if isinstance(snapshots, Mapping) else ())
        if isinstance(v, Mapping)
    }
    return {
        "copilot_plan": user.get("copilot_plan"),
        "quota_reset_date_utc": user.get("quota_reset_date_utc"),
        "resets": resets,
    }


def usage_of(result: Mapping[str, Any], user: Mapping[str, Any], checked_at: dt.datetime) -> AccountUsage:
    """The `AccountUsage` of a ``getQuota`` result and `copilot_user` fields (pure). A quota
    without a limit (``isUnlimitedEntitlement``) is left out: nothing of it can run out."""
    snapshots = result.get("quotaSnapshots")
    snapshots = snapshots if isinstance(snapshots, Mapping) else {}
    resets = user.get("resets")
    resets = resets if isinstance(resets, Mapping) else {}
    account_reset = when(user.get("quota_reset_date_utc"))
    windows = []
    rank = {name: i for i, name in enumerate(_ORDER)}
    for name in sorted(snapshots, key=lambda n: (rank.get(n, len(rank)), n)):
        snap = snapshots[name]
        if not isinstance(snap, Mapping) or snap.get("isUnlimitedEntitlement") is True:
            continue
        limit, used = _number(snap.get("entitlementRequests")), _number(snap.get("usedRequests"))
        remaining = _number(snap.get("remainingPercentage"))
        percent = round(100 - remaining, 6) if remaining is not None else None
        reset = when(resets.get(name)) or account_reset
        windows.append(QuotaWindow(str(name), percent, reset, limit, used))
    plan = user.get("copilot_plan")
    return AccountUsage(
        "copilot", plan if isinstance(plan, str) and plan else None, tuple(windows), checked_at, SOURCE
    )


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None
