"""The judge of a comparison (``compare(judge=...)``): a function of the finished attempts, or an
agent asked for a ranking.

A function is called as ``judge(attempts)`` (sync or async) with the finished attempts in order
and returns ``(order, reason)``: ``order`` their positions in that list, best first. What it
raises, or a return value of another shape, reaches the caller: it is the caller's code.

An agent judge (``judge="claude"``) is read-only: it runs in an empty temporary folder (not a
worktree of the repository), every permission it asks for is refused, and it is asked for
``{"order": [int], "reason": str}`` through ``output_schema``. What it sees is each attempt's
answer, check and diff, redacted and cut to a bound. It is a run like any other, so it can
fail: its error then lands on `Verdict.error` and the attempts are ranked without it.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from oauthpy._errors import InvalidOptionsError, OauthPyError

if TYPE_CHECKING:
    from oauthpy._comparison import Attempt, Verdict

#: ``judge=``: an agent's name, or a function of the finished attempts -> (order, reason)
Judge = str | Callable[[Sequence["Attempt"]], Any]

SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "order": {"type": "array", "items": {"type": "integer"}},
        "reason": {"type": "string"},
    },
    "required": ["order", "reason"],
}
#: what the agent judge sees of each attempt (the diff is the part that matters)
_ANSWER_CHARS = 4000
_DIFF_CHARS = 30000
_OUTPUT_CHARS = 1500


def checked_judge(judge: Any) -> Judge | None:
    """``judge=`` refused before anything starts unless it is None, a function, or an agent's
    name."""
    if judge is None or callable(judge):
        return judge  # type: ignore[no-any-return]
    from oauthpy import _registry as registry

    if isinstance(judge, str) and judge in registry.names():
        return judge
    raise InvalidOptionsError(
        f"judge must be an agent's name or a function of the attempts, got {judge!r:.60}",
        hint=f"e.g. judge={registry.names()[0]!r}, or judge=lambda attempts: ([0], 'the first')",
    )


def ordered(value: Any, count: int, who: str) -> tuple[tuple[int, ...], str]:
    """``(order, reason)`` as a judge returned it, checked against ``count`` attempts."""
    if isinstance(value, dict):  # the agent's JSON
        value = (value.get("order"), value.get("reason"))
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InvalidOptionsError(f"{who} must return (order, reason), got {type(value).__name__}")
    order, reason = value
    if not isinstance(reason, str):
        raise InvalidOptionsError(f"{who}'s reason must be a string, got {type(reason).__name__}")
    if isinstance(order, (str, bytes)) or not isinstance(order, Sequence):
        raise InvalidOptionsError(f"{who}'s order must be a list of positions, got {type(order).__name__}")
    seen: list[int] = []
    for place in order:
        if isinstance(place, bool) or not isinstance(place, int):
            raise InvalidOptionsError(f"{who}'s order must hold positions (ints), got {place!r:.40}")
        if not 0 <= place < count:
            raise InvalidOptionsError(
                f"{who}'s order names position {place}; the {count} attempts it got are 0 to {count - 1}"
            )
        if place in seen:
            raise InvalidOptionsError(f"{who}'s order names position {place} twice")
        seen.append(place)
    return tuple(seen), reason


def _name(judge: Callable[..., Any]) -> str:
    return getattr(judge, "__qualname__", None) or type(judge).__name__


async def call_function(judge: Callable[..., Any], finished: Sequence[Attempt]) -> Verdict:
    from oauthpy._comparison import Verdict
    from oauthpy._user_exit import UserCodeExit, guarded, reraise_original

    async def called() -> Any:
        value = judge(tuple(finished))
        return await value if inspect.isawaitable(value) else value

    try:  # its SystemExit/KeyboardInterrupt must not stop the loop (`oauthpy._user_exit`)
        value = await guarded(called(), "the judge")
    except UserCodeExit as exc:
        reraise_original(exc)
        raise
    order, reason = ordered(value, len(finished), f"the judge {_name(judge)}")
    return Verdict(_name(judge), tuple(finished[place].index for place in order), reason)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most] + f"\n[... {len(text) - most} more characters cut]"


def question(prompt: str, finished: Sequence[Attempt]) -> str:
    """What the agent judge is asked: the task, then each attempt, redacted and bounded."""
    from oauthpy._redact import redact

    parts = [
        f"Coding agents made {len(finished)} attempts at the same task, each in its own copy of "
        "the repository. Rank them, best first, by how well each does the task: correct, "
        "complete, and no more change than the task needs. Do not run commands or change files; "
        "everything you need is below.",
        f"<task>\n{_cut(redact(prompt), _ANSWER_CHARS)}\n</task>",
    ]
    for place, attempt in enumerate(finished):
        check = attempt.check
        said = "none" if check is None else "passed" if check.passed else f"failed (exit {check.exit_code})"
        parts.append(f'<attempt position="{place}" agent="{attempt.provider}">\ncheck: {said}')
        if check is not None and not check.passed:
            parts.append(
                f"<check-output>\n{_cut(check.output[-_OUTPUT_CHARS:], _OUTPUT_CHARS)}\n</check-output>"
            )
        parts.append(f"<answer>\n{_cut(redact(attempt.text or ''), _ANSWER_CHARS)}\n</answer>")
        parts.append(
            f"<diff>\n{_cut(redact(attempt.diff or ''), _DIFF_CHARS) or '(no change)'}\n</diff>\n</attempt>"
        )
    parts.append(
        'Answer with JSON only: {"order": [positions, best first], "reason": "why, in a sentence or two"}.'
    )
    return "\n\n".join(parts)


def _refuse(request: Any) -> bool:
    return False


async def ask_agent(
    name: str,
    prompt: str,
    finished: Sequence[Attempt],
    *,
    auth_source: str,
    model: str | None,
    env: Mapping[str, str | None] | None,
    timeout: float | None,
) -> Verdict:
    """The agent ``name``'s ranking of ``finished``: read-only (an empty temporary folder,
    every permission refused); its failure on the verdict, never raised."""
    from oauthpy._client import Client
    from oauthpy._comparison import Verdict
    from oauthpy._redact import redact

    try:
        with tempfile.TemporaryDirectory(prefix="oauthpy-judge-") as empty:
            client = Client(name, auth_source=auth_source)  # type: ignore[arg-type]
            result = await client.arun(
                question(prompt, finished),
                cwd=empty,
                model=model,
                env=env,
                timeout=timeout,
                output_schema=SCHEMA,
                on_permission=_refuse,
            )
            order, reason = ordered(result.output, len(finished), f"the judge {name}")
    except OauthPyError as exc:
        return Verdict(name, (), "", exc)
    return Verdict(name, tuple(finished[place].index for place in order), redact(reason))
