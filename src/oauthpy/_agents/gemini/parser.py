"""Pure parser of ``gemini --output-format stream-json`` (recorded from @google/gemini-cli 0.61.0).

Traps handled here, once: exit codes that are HTTP statuses mod 256, ``result.status ==
"error"`` with exit 0, ``status == "success"`` from a run that never called the model (the CLI
skips a request its size estimate says overflows the context window, and says nothing), no
``result`` line at all (auth and trust failures print no JSON), and a noisy stderr that is only
ever used as a tail, never parsed (except for the CLI's one-line answer to an unknown
``--resume`` id).
"""

from __future__ import annotations

import re
from typing import Any

from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    InvalidOptionsError,
    OauthPyError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    SessionNotFoundError,
)
from oauthpy._events import Event, EventKind, FileChange, FileChangeKind, Usage
from oauthpy._fields import as_str
from oauthpy._transports.base import as_int, call_finished, decode_record

_AUTH_HINT = "log in by running `gemini` once and choosing a login method, or set GEMINI_API_KEY"
_TRUST_HINT = (
    "trust the folder in the Gemini CLI (run `gemini` there once), set GEMINI_CLI_TRUST_WORKSPACE=true "
    "in env=, or pass provider_options={'extra_args': ['--skip-trust']}"
)
_FILE_TOOLS: dict[str, FileChangeKind] = {"write_file": "add", "replace": "update", "edit": "update"}
#: exit codes the CLI documents in its source (not HTTP statuses)
_EXIT_MEANINGS = {
    42: "input error",
    44: "sandbox error",
    52: "configuration error",
    53: "the session turn limit was reached",
    54: "a fatal tool error",
    130: "cancelled",
}
#: how the CLI 0.61 answers ``--resume <id>`` with an id it does not know, on stderr with exit 42:
#: ``Error resuming session: No previous sessions found for this project.`` in a folder without
#: sessions, ``Error resuming session: Invalid session identifier "<id>".`` (and two more lines)
#: in a folder with sessions of its own (``SessionError`` in sessionUtils.ts)
_UNKNOWN_SESSION_RE = re.compile(
    r"Error resuming session: (?:No previous sessions found|Invalid session identifier)[^\n]*"
)
_NO_MODEL_CALL_HINT = (
    "shorten the prompt: the Gemini CLI estimates a request at 4 characters per token and its "
    "context window is 1,048,576 tokens for gemini models; in a long session, start a new one"
)


class GeminiParser:
    """State of one gemini run: the turn text being streamed, tool calls, the result record."""

    def __init__(self, model: str | None = None, resume: str | None = None) -> None:
        self.model = model
        #: the session id this run resumes (``--resume``), if any
        self.resume = resume
        self.session_id: str | None = None
        self.turn_text: list[str] = []
        self.last_turn = ""
        self.calls: dict[str, Event] = {}
        self.result: dict[str, Any] | None = None
        self.errors: list[str] = []
        #: the records read and the type of the last one: what a run without a result said
        self.records = 0
        self.last_type = ""

    def _end_turn(self) -> list[Event]:
        if not self.turn_text:
            return []
        self.last_turn = "".join(self.turn_text)
        self.turn_text = []
        return [Event(EventKind.MESSAGE, text=self.last_turn, status="completed")]

    def feed(self, line: str) -> list[Event]:
        rec = decode_record(line)
        if isinstance(rec, Event):
            return [rec]
        kind = rec.get("type")
        self.records += 1
        self.last_type = as_str(kind)
        if kind == "message":
            if rec.get("role") != "assistant":
                return []  # the CLI echoes the user's prompt: not output
            text = as_str(rec.get("content"))
            if not rec.get("delta"):
                self.turn_text = [text]
                return self._end_turn()
            self.turn_text.append(text)
            return [Event(EventKind.MESSAGE, text=text, raw=rec, delta=True, status="in_progress")]
        if kind == "tool_use":
            return [*self._end_turn(), self._tool_use(rec)]
        if kind == "tool_result":
            return [self._tool_result(rec)]
        if kind == "init":
            self.session_id = as_str(rec.get("session_id")) or None
            if not self.model or self.model == "auto":
                self.model = as_str(rec.get("model")) or self.model
            return []
        if kind == "error":
            message = as_str(rec.get("message"))
            self.errors.append(message)
            return [Event(EventKind.ERROR, text=message, raw=rec)]
        if kind == "result":
            self.result = rec
            return self._end_turn()
        return [Event(EventKind.OTHER, text=as_str(kind), raw=rec)]

    def _tool_use(self, rec: dict[str, Any]) -> Event:
        name = as_str(rec.get("tool_name"))
        tool_id = as_str(rec.get("tool_id"))
        params = rec.get("parameters") if isinstance(rec.get("parameters"), dict) else {}
        assert isinstance(params, dict)
        common: dict[str, Any] = {
            "raw": rec,
            "item_id": tool_id,
            "status": "in_progress",
            "tool_name": name,
            "tool_input": params,
        }
        if name == "run_shell_command":
            cmd = as_str(params.get("command"))
            event = Event(EventKind.COMMAND, text=cmd, command=cmd, **common)
        elif name in _FILE_TOOLS:
            path = as_str(params.get("file_path"))
            change = FileChange(path=path, kind=_FILE_TOOLS[name])
            event = Event(EventKind.FILE_CHANGE, text=f"{change.kind} {path}", changes=(change,), **common)
        else:
            event = Event(EventKind.TOOL, text=name, **common)
        self.calls[tool_id] = event
        return event

    def _tool_result(self, rec: dict[str, Any]) -> Event:
        tool_id = as_str(rec.get("tool_id"))
        failed = rec.get("status") != "success"
        err = rec.get("error")
        output = as_str(rec.get("output")) or (as_str(err.get("message")) if isinstance(err, dict) else "")
        call = self.calls.get(tool_id)
        if call is None:
            return Event(EventKind.TOOL, text=output, raw=rec, item_id=tool_id, is_error=failed)
        return call_finished(call, rec, output, failed)

    def finish(self, returncode: int, stderr: str) -> list[Event]:
        r = self.result
        if r is not None and r.get("status") == "success" and returncode == 0:
            if not self.last_turn and self.errors:
                # e.g. "Loop detected, stopping execution": gemini says success, answers nothing
                raise CommandExecutionError(
                    f"gemini stopped without an answer: {'; '.join(self.errors)}",
                    returncode=0,
                    details={"provider": "gemini"},
                )
            stats = r.get("stats") if isinstance(r.get("stats"), dict) else {}
            assert isinstance(stats, dict)
            if stats.get("models") == {}:
                raise _no_model_call()
            return [
                Event(
                    EventKind.DONE,
                    text=self.last_turn,
                    raw=r,
                    usage=_usage(stats),
                    session_id=self.session_id,
                    model=_model_used(stats, self.model),
                    status="completed",
                )
            ]
        message = ""
        if r is not None:
            err = r.get("error")
            message = as_str(err.get("message")) if isinstance(err, dict) else ""
            message = message or "; ".join(self.errors) or "the run ended with status error"
        if returncode == 0 and not message:
            raise _no_result(self.records, self.last_type, stderr)
        raise classify_failure(message, returncode, stderr, resume=self.resume)


def _no_model_call() -> CommandExecutionError:
    """A ``success`` result whose stats list no model: the CLI never sent the request.

    Gemini CLI 0.61 does this when its estimate of the request (4 characters per token) is more
    than the model's context window minus its estimate of the conversation so far (its own
    session context, any resumed history): headless mode ignores the
    ``ContextWindowWillOverflow`` event, so stdout has no error record and the exit code is 0.
    Retrying cannot help, so this is not transient.
    """
    return CommandExecutionError(
        "gemini never called the model, yet reported success: the request is probably larger "
        "than the model's context window as the Gemini CLI estimates it",
        returncode=0,
        details={"provider": "gemini", "reason": "no_model_call"},
        hint=_NO_MODEL_CALL_HINT,
    )


def _usage(stats: dict[str, Any]) -> Usage:
    inp, out = as_int(stats.get("input_tokens")), as_int(stats.get("output_tokens"))
    return Usage(
        input_tokens=inp,
        cached_input_tokens=as_int(stats.get("cached")),
        output_tokens=out,
        total_tokens=as_int(stats.get("total_tokens")) or inp + out,
    )


def _model_used(stats: dict[str, Any], fallback: str | None) -> str | None:
    # With model "auto" a router model answers first; the main model is listed after it.
    models = stats.get("models")
    if isinstance(models, dict) and models:
        return str(list(models)[-1])
    return fallback


#: gemini's words for a quota that waiting minutes does not cure (a 429 it does not retry): the
#: API key's daily quota, whose ``QuotaFailure`` id says ``PerDay`` ("You have exhausted your
#: daily quota on this model."), a Google login's daily limit ("... Requests per day per user per
#: tier") and its plan's ("Individual quota reached"). The API's own "You exceeded your current
#: quota" says nothing: it words a per-minute quota the same. Compared case-insensitively.
QUOTA_WORDS = ("exhausted your daily quota", "daily quota", "requests per day", "individual quota reached")
#: how long gemini was told to wait, in its words for a 429 (``Suggested retry after 43s.``)
_SUGGESTED_WAIT = re.compile(r"Suggested retry after (\d+(?:\.\d+)?)s\b")
_CODE_RE = re.compile(r'(?:"code":\s*|\bstatus: )(\d{3})\b')
#: how a dropped or refused connection shows up in gemini's errors
CONNECTION_FAILURES = ("fetch failed", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "socket hang up")


def _http_status(returncode: int) -> int | None:
    """The CLI exits with the HTTP status mod 256 on API errors (401 -> 145, 500 -> 244)."""
    if 144 <= returncode <= 255 and returncode != 130:
        return returncode + 256
    return None


def _no_result(records: int, last_type: str, stderr: str) -> ProtocolError:
    """Exit 0 with no ``result`` record: the CLI also exits so on SIGTERM, SIGINT or SIGHUP
    (its graceful shutdown), so what it wrote before is said, to tell a stop from a cut stream."""
    said = f"after {records} records (the last: {last_type or '?'})" if records else "before any record"
    return ProtocolError(
        f"gemini exited with code 0 without a result, {said}: the stream ended early, or the "
        "process was stopped (gemini exits 0 on SIGTERM, SIGINT and SIGHUP)",
        returncode=0,
        stderr=stderr,
        details={"provider": "gemini", "status": None, "exit_code": 0, "records": records},
    )


def classify_failure(
    message: str, returncode: int, stderr: str, *, resume: str | None = None
) -> OauthPyError:
    """Map a failed gemini run to one error type, from the exit code first.

    ``resume``: the session id the run was told to resume; the CLI's refusal of it becomes
    `SessionNotFoundError` (never transient, so never retried).
    """
    if resume and returncode == 42:
        unknown = _UNKNOWN_SESSION_RE.search(stderr)
        if unknown:
            return SessionNotFoundError(resume, f"gemini: {unknown.group(0).strip()}")
    status = _http_status(returncode)
    if status is None:  # statuses over 511 do not map back from the exit code (529 -> 17)
        found = _CODE_RE.search(f"{message}\n{stderr}")
        status = int(found.group(1)) if found else None
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip() and not ln.startswith("[STARTUP]")]
    text = message or (lines[-1] if lines else f"gemini exited with code {returncode}")
    details: dict[str, Any] = {"provider": "gemini", "status": status, "exit_code": returncode}
    if returncode == 41 or status in (401, 403) or "API key not valid" in text:
        return AuthRequiredError(f"gemini is not authenticated: {text}", hint=_AUTH_HINT)
    if returncode == 55:
        return CommandExecutionError(
            "gemini refuses to run in a folder it does not trust",
            returncode=55,
            details=details,
            hint=_TRUST_HINT,
        )
    if returncode == 42:
        return InvalidOptionsError(f"gemini rejected its input: {text}")
    if status == 429:
        wait = _SUGGESTED_WAIT.search(text)
        # the quota is spent until the next day: fallback= moves the work on, no retry does
        spent = any(word in text.lower() for word in QUOTA_WORDS)
        kind, said = (
            (QuotaExceededError, "is out of quota") if spent else (RateLimitError, "was rate limited")
        )
        return kind(
            f"gemini {said}: {text}",
            retry_after=float(wait.group(1)) if wait else None,
            returncode=returncode,
            stderr=stderr,
            details=details,
        )
    meaning = _EXIT_MEANINGS.get(returncode)
    prefix = f"gemini failed ({meaning})" if meaning else "gemini run failed"
    if returncode == 0 and not message:
        return _no_result(0, "", stderr)
    if returncode < 0 and not message:
        text = f"gemini was killed by signal {-returncode}"
    transient = (
        (status is not None and status >= 500)
        or (returncode == 0 and bool(message))
        or returncode < 0
        or any(s in f"{text}\n{stderr}" for s in CONNECTION_FAILURES)
    )
    return CommandExecutionError(
        f"{prefix}: {text}", returncode=returncode, stderr=stderr, details=details, transient=transient
    )
