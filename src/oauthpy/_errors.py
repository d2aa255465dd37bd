"""The error hierarchy. Every failure oauthpy reports is one of these, classified once.

Every attribute that can hold vendor text (message, hint, stderr, details, session id) is
redacted at construction, so no caller can leak a secret by printing or logging one; message,
hint and stderr lose the terminal colour codes a vendor CLI writes on its stderr.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oauthpy._redact import redact, redact_data

if TYPE_CHECKING:
    from datetime import datetime

    from oauthpy._events import Usage

#: terminal escapes (colours, cursor moves, titles) that vendor CLIs write to stderr
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def plain(text: str) -> str:
    """``text`` without terminal escapes: an error message is read in logs and JSON too."""
    return _ANSI.sub("", text) if "\x1b" in text else text


class OauthPyError(Exception):
    """Base class of every error oauthpy raises."""

    #: Whether retrying the same call could succeed (rate limit, overload, dropped connection).
    transient: bool = False
    #: How many times the call was tried (more than 1 when ``max_retries`` retried it).
    attempts: int = 1
    #: After retries: every attempt's error, the backoff slept (``RunResult.raw["retry"]``'s shape).
    retry: dict[str, Any] | None = None

    #: with ``fallback=``, when every agent failed: each one's try (`oauthpy.FailedAttempt`),
    #: this error's agent last
    failed_over: tuple[Any, ...] = ()

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = redact(plain(message))
        self.hint = redact(plain(hint)) if hint else None
        super().__init__(self.message if not self.hint else f"{self.message}\nhint: {self.hint}")

    def __reduce__(self) -> Any:
        # an error crosses process boundaries (a pool's worker): rebuilt from its fields, as
        # the subclasses' own arguments (``which=``, a session id...) are not its ``args``
        return (_rebuilt, (type(self), self.args, self.__dict__.copy()))


def _rebuilt(cls: type[OauthPyError], args: tuple[Any, ...], fields: dict[str, Any]) -> OauthPyError:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(fields)
    return err


class UnsupportedProviderError(OauthPyError, ValueError):
    """The provider name is not one of ``codex``, ``claude``, ``gemini``."""


class InvalidOptionsError(OauthPyError, ValueError):
    """Bad input, detected before any process is started."""


class ProviderNotInstalledError(OauthPyError):
    """The vendor CLI (or SDK) is not installed; the message says how to install it."""


class AuthRequiredError(OauthPyError):
    """The vendor tool is not logged in or its credentials were rejected."""


class SessionNotFoundError(OauthPyError):
    """The vendor does not know the session id given to ``session(resume=...)``."""

    def __init__(self, session_id: str, vendor_message: str, *, hint: str | None = None) -> None:
        self.session_id = redact(session_id)
        super().__init__(
            f"no conversation with id {self.session_id!r}: {vendor_message}",
            hint=hint
            or "session ids are kept per login state and working directory: resume with the same "
            "auth source and cwd as the first run, or start a new session",
        )


class SessionBusyError(OauthPyError, RuntimeError):
    """A turn was started while another turn of the same session is still running."""


class SessionIdleError(OauthPyError, RuntimeError):
    """A session control found nothing to act on: no turn running to steer, no live
    conversation yet to rewind or compact, or no usage reported yet for ``context``."""


class SessionClosedError(OauthPyError, RuntimeError):
    """A turn was asked of a session that was closed (its conversation stays resumable by id)."""


class NotSupportedError(OauthPyError, NotImplementedError):
    """The provider (or its installed version) cannot do this; the message names why."""


class BudgetExceededError(OauthPyError):
    """A budget (``budget_usd``) was spent: no new run, turn or batch item starts. Runs that were
    under way finished; ``spent_usd`` counts them."""

    def __init__(
        self, what: str, budget_usd: float, spent_usd: float, *, unpriced: str | None = None
    ) -> None:
        self.budget_usd = budget_usd
        self.spent_usd = spent_usd
        #: the model whose runs have no known cost, when that is why (the budget cannot be kept)
        self.unpriced = unpriced
        if unpriced is not None:
            super().__init__(
                f"{what} budget of ${budget_usd:.4f} cannot be kept: a run on {unpriced} has no "
                "known cost (the vendor reports none and oauthpy's price table has no price for "
                "it), so nothing more starts",
                hint="choose a model of the price table (docs/account.md), or run without budget_usd",
            )
            return
        super().__init__(
            f"{what} budget of ${budget_usd:.4f} is spent (${spent_usd:.4f}): nothing more starts",
            hint="give a new budget_usd to go on: it counts from zero (oauthpy batch: --resume "
            "--budget-usd N runs the items that did not run, and those that failed)",
        )


class CommandExecutionError(OauthPyError):
    """The vendor run failed. ``returncode``, a redacted ``stderr`` tail and ``details`` say how."""

    def __init__(
        self,
        message: str,
        *,
        returncode: int | None = None,
        stderr: str = "",
        details: Mapping[str, Any] | None = None,
        transient: bool = False,
        hint: str | None = None,
    ) -> None:
        self.returncode = returncode
        self.stderr = redact(plain(stderr))
        # details carry the vendor's own words too (codex: its full error message)
        self.details: dict[str, Any] = redact_data(dict(details or {}))
        self.transient = transient
        full = message
        if self.stderr.strip():
            full = f"{message}\nstderr (tail):\n{self.stderr.strip()}"
        super().__init__(full, hint=hint)


class ProtocolError(CommandExecutionError):
    """The vendor tool broke its own protocol: it exited 0 without the record that ends a run,
    or wrote a JSON-RPC frame that does not parse. Usually a vendor bug or an incompatible
    version (docs/compatibility.md)."""


class RateLimitError(CommandExecutionError):
    """The vendor reported a rate limit (HTTP 429) or a spent plan. ``retry_after`` is in
    seconds when known; ``resets_at`` (a timezone-aware ``datetime``) when the vendor said when
    the limit starts again."""

    transient = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, resets_at: datetime | None = None, **kw: Any
    ) -> None:
        kw.setdefault("transient", True)
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.resets_at = resets_at


class QuotaExceededError(RateLimitError):
    """The plan's usage limit or quota is spent (codex's usage limit, Claude's five-hour window,
    Gemini's daily quota): waiting seconds does not help, so it is never retried. ``resets_at``
    when the vendor said when it starts again. ``fallback=`` hands the work to the next agent on
    it (docs/failover.md)."""

    transient = False

    def __init__(self, message: str, **kw: Any) -> None:
        kw.setdefault("transient", False)
        super().__init__(message, **kw)


class StructuredOutputError(CommandExecutionError):
    """The run finished but its reply did not match the requested ``output_schema``.

    ``usage``: the tokens that run spent (it was paid for, and a budget counts it), when the
    agent reported them; ``model``: the model that answered, as the agent named it;
    ``session_id``: its conversation, which a session goes on with and
    ``Client.session(resume=...)`` continues (to ask again, say).
    """

    usage: Usage | None = None
    model: str | None = None
    session_id: str | None = None

    def of_run(self, usage: Usage | None, model: str | None, session_id: str | None) -> StructuredOutputError:
        """This error with what its run spent, on which model, in which conversation."""
        self.usage, self.model, self.session_id = usage, model, session_id
        return self


class TimeoutExceededError(OauthPyError, TimeoutError):
    """A total or idle timeout fired; the vendor process group has been killed."""

    def __init__(self, message: str, *, which: str, after_s: float, hint: str | None = None) -> None:
        self.which = which
        self.after_s = after_s
        super().__init__(message, hint=hint)

    def while_retrying(self, agent: str, notice: str) -> TimeoutExceededError:
        """This timeout, said with what ``agent`` was doing when it fired: retrying its model
        request (``notice``: its last retry's words). Else a run ended by its timeout says only
        the time, and the events that said why are gone with it."""
        return TimeoutExceededError(
            f"{self.message}, while {agent} was still retrying its model request ({notice})",
            which=self.which,
            after_s=self.after_s,
            hint="no answer came from the agent's model API in that time (the network, a proxy, "
            "the service's load): try again later, or allow the run more time (timeout=)",
        )


class SetupError(OauthPyError):
    """A worktree's ``setup`` command failed or ran out of ``setup_timeout``: the agent was not
    started. ``exit_code`` (None when it timed out), ``timed_out``, and ``output``: the redacted
    tail of what it printed (stdout and stderr together)."""

    def __init__(
        self, message: str, *, exit_code: int | None, output: str = "", timed_out: bool = False
    ) -> None:
        self.exit_code = exit_code
        self.timed_out = timed_out
        self.output = redact(plain(output))
        full = f"{message}\noutput (tail):\n{self.output.strip()}" if self.output.strip() else message
        super().__init__(full, hint="the agent did not start: run the command in a fresh checkout to see why")


# Tracebacks and reprs name them where users import them from (`oauthpy.AuthRequiredError`),
# not this private module; pickling finds them there too.
for _public in (
    OauthPyError,
    UnsupportedProviderError,
    InvalidOptionsError,
    ProviderNotInstalledError,
    AuthRequiredError,
    SessionNotFoundError,
    BudgetExceededError,
    NotSupportedError,
    SessionBusyError,
    SessionIdleError,
    SessionClosedError,
    CommandExecutionError,
    ProtocolError,
    RateLimitError,
    QuotaExceededError,
    StructuredOutputError,
    TimeoutExceededError,
    SetupError,
):
    _public.__module__ = "oauthpy"
del _public
