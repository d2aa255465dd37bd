"""The codex account's plan and usage windows, from its own app-server (codex 0.163).

One short-lived ``codex app-server`` (the process `CodexProvider.launch` describes) answers
``account/read`` (the login: ``apiKey``, or ``chatgpt`` with its ``planType``) and
``account/rateLimits/read`` (the ChatGPT plan's windows: ``usedPercent``,
``windowDurationMins``, ``resetsAt`` in Unix seconds). Codex asks the ChatGPT backend at its
``chatgpt_base_url`` for the windows, and only for a ChatGPT login: an API key or a model
provider of one's own has no such limits to read. Codex reads its own credentials; nothing
here does.

`resets_at_from` (in `limits`) is when a failed turn's usage limit starts again, from what codex passed on.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import TYPE_CHECKING, Any

from oauthpy._agents.codex.limits import number as _number
from oauthpy._agents.codex.limits import resets_at_from as resets_at_from
from oauthpy._errors import AuthRequiredError, CommandExecutionError, NotSupportedError
from oauthpy._sessions import when
from oauthpy._transports.rpc_messages import RpcError
from oauthpy._usage import USAGE_WAIT_S, AccountUsage, QuotaWindow

if TYPE_CHECKING:
    from oauthpy._agents.codex.provider import CodexProvider

SOURCE = "account/rateLimits/read"
#: no token refresh (read-only); no extra request for reset-credit details oauthpy does not show
ACCOUNT_PARAMS: dict[str, Any] = {"refreshToken": False}
LIMITS_PARAMS: dict[str, Any] = {"excludeResetCreditDetails": True}
_LOGIN_HINT = "log in with `oauthpy auth login --provider codex` (or `codex login`)"
#: codex's answers to account/rateLimits/read without a login it can read limits for
_NO_LOGIN = "codex account authentication required"
_NOT_CHATGPT = "chatgpt authentication required"
_NO_IDENTITY = "chatgpt account identity required"
#: how codex quotes the backend's refusal of the login (``... failed: 401 Unauthorized; ...``)
_REFUSED = re.compile(r"failed: 40[13]\b")
#: a limit codex names besides its own (``codex``) bucket is reported as ``<id>.<window>``
_MAIN_LIMIT = "codex"


class CodexUsage:
    """`UsageReader` for codex: the env's ``CODEX_HOME`` login, read through codex itself."""

    def __init__(self, provider: CodexProvider) -> None:
        self._provider = provider

    async def read(self, env: dict[str, str], home: str) -> AccountUsage:
        from oauthpy._agents.codex.app import one_call
        from oauthpy._options import build_request
        from oauthpy._process import time_left

        started = time.monotonic()
        inv = self._provider.launch(build_request(None, require_prompt=False), env)
        async with one_call(inv, env, USAGE_WAIT_S) as (agent, deadline):
            account: Any = None
            try:
                left = time_left(deadline, "codex app-server answering account/read", started)
                account = await agent.conn.request("account/read", ACCOUNT_PARAMS, timeout=left)
            except RpcError:
                pass  # workspace routing can fail on its own: the limits below still say the plan
            left = time_left(deadline, f"codex app-server answering {SOURCE}", started)
            try:
                limits = await agent.conn.request(SOURCE, LIMITS_PARAMS, timeout=left)
            except RpcError as exc:
                raise refusal(exc.said, account) from None
        return usage_of(account, limits, dt.datetime.now(dt.timezone.utc))


def usage_of(account: Any, limits: Any, checked_at: dt.datetime) -> AccountUsage:
    """The `AccountUsage` of an ``account/read`` answer (or None) and an
    ``account/rateLimits/read`` answer. The plan is the backend's (``planType`` of the limits),
    else the login's; codex's ``unknown`` is None."""
    main = _dict(_dict(limits).get("rateLimits"))
    plan = _plan(main.get("planType")) or _plan(_dict(_dict(account).get("account")).get("planType"))
    buckets = _dict(_dict(limits).get("rateLimitsByLimitId")) or {_MAIN_LIMIT: main}
    windows: list[QuotaWindow] = []
    for limit_id in sorted(buckets, key=lambda name: (name != _MAIN_LIMIT, name)):
        windows += bucket_windows(limit_id, _dict(buckets[limit_id]))
    return AccountUsage("codex", plan, tuple(windows), checked_at, SOURCE)


def bucket_windows(limit_id: str, bucket: dict[str, Any]) -> list[QuotaWindow]:
    """``primary``/``secondary`` of one limit (codex's own: the 5-hour and weekly windows), and
    the spend-control limit a workspace may set on the member (``individual_limit``)."""
    prefix = "" if limit_id == _MAIN_LIMIT else f"{limit_id}."
    found: list[QuotaWindow] = []
    for name in ("primary", "secondary"):
        window = _dict(bucket.get(name))
        if not window:
            continue
        minutes = _number(window.get("windowDurationMins"))
        found.append(
            QuotaWindow(
                prefix + name,
                used_percent=_number(window.get("usedPercent")),
                resets_at=when(window.get("resetsAt")),
                window_s=minutes * 60 if minutes is not None else None,
            )
        )
    spend = _dict(bucket.get("individualLimit"))
    if spend:
        left = _number(spend.get("remainingPercent"))
        found.append(
            QuotaWindow(
                prefix + "individual_limit",
                used_percent=100 - left if left is not None else None,
                resets_at=when(spend.get("resetsAt")),
                limit=_number(spend.get("limit")),
                used=_number(spend.get("used")),
            )
        )
    return found


#: where codex's message goes on with the backend's answer (``; content-type=...; body=...``)
_BODY = re.compile(r";\s*(content-type=|body=).*", re.DOTALL)


def status_line(said: str) -> str:
    """codex's words without the backend's answer body: a backend or a proxy may echo a token
    there in a shape no redaction knows (red team R10)."""
    return _BODY.sub("", said).strip()


def refusal(said: str, account: Any) -> Exception:
    """The typed error for codex's refusal of ``account/rateLimits/read``."""
    said = status_line(said)
    needs_login = _dict(account).get("requiresOpenaiAuth")
    if _NO_LOGIN in said and needs_login is False:
        return NotSupportedError(
            "codex reports usage limits for a ChatGPT login only, and this codex has none: its "
            "model provider needs no OpenAI login (its usage is that provider's to tell)"
        )
    if _NO_LOGIN in said or _NO_IDENTITY in said:
        return AuthRequiredError(f"codex is not logged in with ChatGPT: {said}", hint=_LOGIN_HINT)
    if _NOT_CHATGPT in said:
        return NotSupportedError(
            "codex reports usage limits for a ChatGPT login only; this one is an API key "
            "(its usage is on platform.openai.com)"
        )
    if _REFUSED.search(said):
        return AuthRequiredError(f"the ChatGPT backend refused codex's login: {said}", hint=_LOGIN_HINT)
    return CommandExecutionError(
        f"codex could not read the account's usage: {said}", details={"provider": "codex"}
    )


def _plan(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != "unknown" else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
