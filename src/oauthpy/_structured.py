"""Structured output (``output_schema``) for every provider: the words that ask an agent with no
schema flag for JSON, and the one parse of a reply that checks it against the schema.

The runner parses every provider's final text here, so a reply is judged the same whichever
vendor wrote it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from oauthpy._errors import StructuredOutputError
from oauthpy._redact import redact

if TYPE_CHECKING:
    from oauthpy._options import RunRequest

_FENCE_RE = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.DOTALL)


def structured_prompt(request: RunRequest) -> str:
    """The prompt, asking for JSON of the run's schema where it has one: an agent with no schema
    flag is asked in words, and the shared runtime extracts and validates the answer."""
    if request.output_schema is None:
        return request.prompt
    return (
        f"{request.prompt}\n\nReply with only one JSON value, no prose and no code fence, "
        f"that conforms to this JSON schema:\n{json.dumps(request.output_schema)}"
    )


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
