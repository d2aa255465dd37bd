"""Copilot's SDK server: ``copilot --headless --stdio``, JSON-RPC in ``Content-Length`` frames
(what ``github-copilot-sdk`` speaks).

One bounded request per process (`sdk_request`): the auth status (``auth.getStatus``, `auth`),
the models of a GitHub login (``models.list``, `list_models`), the account's quota (`usage`) and a
session's delete (``session.delete``, `delete`) all go through it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from typing import Any

from oauthpy._auth.base import PROBE_TIMEOUT_S
from oauthpy._errors import AuthRequiredError, CommandExecutionError, OauthPyError
from oauthpy._events import ModelInfo
from oauthpy._process import Invocation, Process
from oauthpy._redact import redact


def is_npm_loader(program: str) -> bool:
    """Whether ``program`` is the npm package's ``copilot``: a Node loader that runs the native
    CLI as its child and waits for it (`Invocation.launcher`), not the native CLI itself."""
    return os.path.basename(os.path.realpath(program)) == "npm-loader.js"


#: the variable that points it at a model provider of one's own (no GitHub login needed)
BYOK_VAR = "COPILOT_PROVIDER_BASE_URL"
LOGIN_HINT = "run `copilot login` in a terminal"


async def sdk_request(
    binary: str,
    env: Mapping[str, str],
    method: str,
    params: Mapping[str, Any] | None = None,
    *,
    timeout: float = PROBE_TIMEOUT_S,
) -> dict[str, Any] | None:
    """One request to ``copilot --headless --stdio`` with ``env`` (about 1-2 s): its answer
    (``result`` or ``error``), or None when none came within ``timeout``. Its input
    stays open until the answer came: at end of input copilot exits, and a request it had not
    answered yet goes unanswered. Its logs go to a directory of their own, removed after."""
    with tempfile.TemporaryDirectory(prefix="oauthpy-copilot-sdk-") as logs:
        argv = [binary, "--headless", "--stdio", "--no-auto-update", "--log-dir", logs]
        inv = Invocation(
            argv=argv,
            env={**env, "COPILOT_AUTO_UPDATE": "false"},
            cwd=os.getcwd(),
            interactive_stdin=True,
            launcher=is_npm_loader(binary),
        )
        deadline = time.monotonic() + timeout
        out = ""
        proc = await Process.start(inv)
        try:
            await proc.write(frame(1, method, params), timeout=timeout)
            while _answer(out) is None:
                chunk = await proc.read(deadline=deadline)
                if not chunk:
                    break
                out += chunk.decode("utf-8", "replace")
        except (OauthPyError, OSError):
            pass  # no answer in time, or copilot went away: None
        finally:
            await proc.close()
    return _answer(out)


def frame(request_id: int, method: str, params: Mapping[str, Any] | None = None) -> bytes:
    """One JSON-RPC request in the SDK server's ``Content-Length`` framing."""
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params or {})})
    data = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def messages(text: str) -> list[dict[str, Any]]:
    """The JSON objects of a framed stream (its bodies follow their headers without a newline)."""
    found: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    at = text.find("{")
    while at >= 0:
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        at = text.find("{", end)
    return found


async def list_models(binary: str, env: Mapping[str, str]) -> tuple[ModelInfo, ...]:
    """``models.list``: the models of the GitHub login ``env`` uses (copilot asks GitHub).

    With a model provider of one's own (``COPILOT_PROVIDER_BASE_URL``) copilot lists none, and
    any name goes to that provider: nothing is started. With no login: `AuthRequiredError`.
    """
    if env.get(BYOK_VAR):
        return ()
    answer = await sdk_request(binary, env, "models.list")
    if answer is None:
        raise CommandExecutionError("copilot did not answer models.list in time")
    error = answer.get("error")
    if isinstance(error, dict):
        said = redact(str(error.get("message") or ""))
        if "not authenticated" in said.lower():
            raise AuthRequiredError(
                "copilot is not logged in, and its models are those of a GitHub login",
                hint=f"{LOGIN_HINT} (or `oauthpy auth login --provider copilot`); with your own "
                f"model provider ({BYOK_VAR}) copilot lists none: pass model= as that provider names it",
            )
        raise CommandExecutionError(f"copilot could not list its models: {said}")
    models = answer.get("result", {}).get("models") if isinstance(answer.get("result"), dict) else None
    return tuple(model_info(m) for m in models or () if isinstance(m, dict) and isinstance(m.get("id"), str))


def model_info(entry: Mapping[str, Any]) -> ModelInfo:
    efforts = tuple(e for e in entry.get("supportedReasoningEfforts") or () if isinstance(e, str))
    name = str(entry["id"])
    vendor = entry.get("vendor")
    return ModelInfo(
        id=name,
        display_name=str(entry.get("name") or name),
        description=f"by {vendor}" if isinstance(vendor, str) and vendor else "",
        efforts=efforts,
        source="vendor",
    )


def _answer(out: str) -> dict[str, Any] | None:
    return next((m for m in messages(out) if m.get("id") == 1 and ("result" in m or "error" in m)), None)
