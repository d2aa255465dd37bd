"""Glue between a pure provider and the process runtime, plus structured-output parsing.

Shared by every provider so that timeouts, cleanup, redaction and schema checks behave the same
whichever vendor runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator
from typing import Any

from oauthpy._errors import StructuredOutputError
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._process import Process
from oauthpy._redact import redact, secret_values
from oauthpy._transports.base import CliProvider

_FENCE_RE = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.DOTALL)


async def cli_events(
    provider: CliProvider, request: RunRequest, env: dict[str, str]
) -> AsyncGenerator[Event, None]:
    """Run one CLI invocation and yield its events; raise the classified error on failure."""
    deadline = request.deadline()
    inv = provider.build(request, env)
    parser = provider.new_parser(request)
    try:
        proc = await Process.start(inv)
        try:
            async for line in proc.lines(deadline=deadline, idle_timeout=request.idle_timeout):
                events = parser.feed(line)
                for event in events:
                    yield event
            returncode = await proc.wait(deadline)
        finally:
            await proc.close()
        stderr = redact(proc.stderr_tail(), secret_values(env))
        for event in parser.finish(returncode, stderr):
            yield event
    finally:
        inv.cleanup()


class OneShotCli:
    """A conversation that is one CLI process per turn (``codex exec``, ``gemini -o stream-json``).

    A session's later turns pass the vendor's session id back (``request.resume``), so the
    vendor continues its own conversation; nothing runs between turns.
    """

    def __init__(self, provider: CliProvider, transport: str) -> None:
        self.provider = provider
        self.transport = transport

    def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        return cli_events(self.provider, request, env)

    async def aclose(self) -> None:
        pass


def _candidates(text: str) -> list[str]:
    out = [text.strip()]
    out += [m.group(1) for m in _FENCE_RE.finditer(text)]
    for open_, close in (("{", "}"), ("[", "]")):
        start, end = text.find(open_), text.rfind(close)
        if 0 <= start < end:
            out.append(text[start : end + 1])
    return out


def parse_structured(text: str, request: RunRequest) -> Any:
    """Parse the final text as JSON and validate it against the requested schema."""
    value: Any = None
    found = False
    for candidate in _candidates(text):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        found = True
        break
    shown = redact(text)  # then cut: cutting first can leave a key too short to recognise
    shown = shown if len(shown) <= 300 else shown[:297] + "..."
    if not found:
        raise StructuredOutputError(f"the reply is not JSON, so it does not match output_schema: {shown!r}")
    if request.output_model is not None:
        from pydantic import ValidationError

        try:
            return request.output_model.model_validate(value)
        except ValidationError as exc:
            raise StructuredOutputError(
                f"the reply does not match {request.output_model.__name__}: "
                f"{exc.error_count()} validation error(s); first: {exc.errors()[0]['msg']}"
            ) from None
    import jsonschema

    assert request.output_schema is not None
    try:
        jsonschema.validate(value, request.output_schema)
    except jsonschema.ValidationError as exc:
        raise StructuredOutputError(f"the reply does not match output_schema: {exc.message}") from None
    return value
