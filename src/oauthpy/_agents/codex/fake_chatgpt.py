"""A fake of the ChatGPT backend that codex reads its account from, served by the fake Responses
API (`FakeResponsesServer.account`), and a fake ChatGPT login for codex in a test's own
``CODEX_HOME`` (`log_in`).

Codex asks the backend at its ``chatgpt_base_url`` (``<url>/api/codex/...``; ``<url>/wham/...``
when the URL holds ``/backend-api``) only for a ChatGPT login: ``account/rateLimits/read`` is
``GET .../usage`` (after ``.../rate-limit-reset-credits``), ``account/read`` is
``GET .../accounts/check`` (workspace routing). A turn refused for a used-up plan is
``HttpError(429, ..., retry_after=S, code=USAGE_LIMIT)`` (`usage_limit_answer`). Everything here
is fake: the tokens say so, the JWT is unsigned, and `log_in` writes only into the directory it
is given.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oauthpy.testing.responses import FakeResponsesServer
    from oauthpy.testing.server import Handler, RecordedRequest

FAKE_ACCOUNT_ID = "acct-oauthpy-fake-0000"
FAKE_EMAIL = "fake-user@oauthpy.invalid"
#: the workspace origin `accounts/check` names: codex 0.163 wants an https origin there (it
#: only reports it in ``account/read``; nothing is sent to it)
FAKE_WORKSPACE_ORIGIN = "https://chatgpt.oauthpy.invalid"
_ROUTES = ("/usage", "/accounts/check", "/rate-limit-reset-credits")
#: the `HttpError` code that makes the fake Responses API refuse a turn as ChatGPT does when a
#: usage limit is reached: ``HttpError(429, "...", retry_after=3, code=USAGE_LIMIT)`` resets in
#: 3 s (`usage_limit_answer`)
USAGE_LIMIT = "usage_limit_reached"


@dataclass(frozen=True)
class UsageWindow:
    """One usage window as the backend reports it: ``used_percent`` of a window of ``window_s``
    seconds that starts again at ``resets_at`` (Unix seconds; None: ``window_s`` from the
    request)."""

    used_percent: int
    window_s: int = 18_000
    resets_at: int | None = None

    def payload(self, now: float) -> dict[str, Any]:
        resets_at = self.resets_at if self.resets_at is not None else int(now) + self.window_s
        return {
            "used_percent": self.used_percent,
            "limit_window_seconds": self.window_s,
            "reset_after_seconds": max(0, resets_at - int(now)),
            "reset_at": resets_at,
        }


@dataclass(frozen=True)
class ChatGptAccount:
    """What the fake backend says about the logged-in ChatGPT account.

    ``windows``: the primary (codex's 5-hour) then the secondary (weekly) window; ``credits``:
    ``{"has_credits": ..., "unlimited": ..., "balance": "9.99"}`` or None; ``status``: an HTTP
    error status for the usage request (e.g. 401), or 200, and ``error_body`` what it then says.
    """

    plan: str = "plus"
    windows: tuple[UsageWindow, ...] = field(default_factory=tuple)
    credits: dict[str, Any] | None = None
    status: int = 200
    account_id: str = FAKE_ACCOUNT_ID
    #: the body of the usage request's error answer, when ``status`` is not 200
    error_body: dict[str, Any] | None = None

    def usage_payload(self, now: float | None = None) -> dict[str, Any]:
        """The body of ``GET .../usage``."""
        now = time.time() if now is None else now
        limit: dict[str, Any] = {"allowed": True, "limit_reached": False}
        for name, window in zip(("primary_window", "secondary_window"), self.windows[:2], strict=False):
            limit[name] = window.payload(now)
        body: dict[str, Any] = {"plan_type": self.plan, "rate_limit": limit}
        if self.credits is not None:
            body["credits"] = self.credits
        return body


def serve(fake: FakeResponsesServer, h: Handler, req: RecordedRequest) -> bool:
    """Answer ``req`` when it is one of the backend's account requests; False when it is not."""
    path = req.path.split("?", 1)[0].rstrip("/")
    route = next((r for r in _ROUTES if path.endswith(r)), None)
    if req.method != "GET" or route is None:
        return False
    account = fake.chatgpt
    if account is None:
        h.send_json(401, {"detail": "no ChatGPT account is scripted (FakeResponsesServer.account)"})
    elif route == "/accounts/check":
        entry = {
            "id": account.account_id,
            "plan_type": account.plan,
            "workspace_backend_origin": FAKE_WORKSPACE_ORIGIN,
            "account_routing_override": "NO_CONSTRAINT",
        }
        h.send_json(200, {"accounts": [entry]})
    elif route == "/rate-limit-reset-credits":
        h.send_json(200, {"credits": [], "available_count": 0, "total_earned_count": 0})
    elif account.status != 200:
        h.send_json(account.status, account.error_body or {"detail": f"fake usage error {account.status}"})
    else:
        h.send_json(200, account.usage_payload())
    return True


def usage_limit_answer(
    message: str | None, resets_in: float | None, account: ChatGptAccount | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and headers of a 429 that tells codex a usage limit is reached until
    ``resets_in`` seconds from now (None: no time given): the body's ``resets_at`` becomes
    codex's "try again at <local time>", and the ``x-codex-*`` headers (the primary window used
    up) its ``account/rateLimits/updated`` notification with the exact ``resetsAt``."""
    plan = account.plan if account is not None else "plus"
    said = message or "The usage limit has been reached"
    error: dict[str, Any] = {"type": USAGE_LIMIT, "message": said, "plan_type": plan}
    headers = {"x-codex-active-limit": "codex"}
    if resets_in is not None:
        resets_at = int(time.time() + resets_in)
        error["resets_at"] = resets_at
        windows = account.windows if account is not None else ()
        minutes = (windows[0].window_s if windows else 18_000) // 60
        headers |= {
            "x-codex-primary-used-percent": "100",
            "x-codex-primary-window-minutes": str(minutes),
            "x-codex-primary-reset-at": str(resets_at),
        }
    return {"error": error}, headers


def asks_as_codex(req: RecordedRequest) -> bool:
    """Whether a Responses request is codex's (it sends ``x-codex-*`` headers): the ChatGPT
    backend answers codex a spent plan with ``usage_limit_reached``, where the API answers
    other clients OpenAI's ``insufficient_quota``."""
    return any(name.startswith("x-codex-") for name in req.headers)


def log_in(codex_home: str | os.PathLike[str], fake: FakeResponsesServer) -> None:
    """Make ``codex_home`` (a test's own, set up by `FakeResponsesServer.env`) look logged in
    with ChatGPT to the account `FakeResponsesServer.account` scripted: a fake ``auth.json``
    and a ``chatgpt_base_url`` that sends codex's account requests to ``fake``. The model
    provider then uses that login, as codex's own does."""
    account = fake.chatgpt or fake.account()
    home = Path(codex_home)
    claims = {
        "email": FAKE_EMAIL,
        "exp": int(time.time()) + 30 * 86_400,
        "https://api.openai.com/auth": {
            "chatgpt_plan_type": account.plan,
            "chatgpt_account_id": account.account_id,
            "chatgpt_user_id": "user-oauthpy-fake",
        },
    }
    tokens = {
        "id_token": unsigned_jwt(claims),
        "access_token": "oauthpy-fake-chatgpt-access-token",
        "refresh_token": "oauthpy-fake-chatgpt-refresh-token",
        "account_id": account.account_id,
    }
    login = {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": tokens,
        "last_refresh": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = home / "auth.json"
    path.write_text(json.dumps(login))
    path.chmod(0o600)
    config = home / "config.toml"
    lines = (config.read_text() if config.exists() else "").splitlines(keepends=True)
    kept = "".join(line for line in lines if not line.startswith("chatgpt_base_url ="))
    # a top-level key goes before the first table
    text = f'chatgpt_base_url = "{fake.url}"\n' + kept.replace(
        'env_key = "OAUTHPY_FAKE_OPENAI_KEY"', "requires_openai_auth = true"
    )
    config.write_text(text)


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT with ``alg: none``: codex reads its claims and checks no signature."""

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.{part('fake')}"
