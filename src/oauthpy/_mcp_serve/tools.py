"""Each agent as an MCP tool: its description, input and output schemas, and the shape of its
result (the answer as text, and ``structuredContent`` with the session id, usage and cost)."""

from __future__ import annotations

from typing import Any

#: the most characters of an answer a result carries; Claude Code cuts a tool result at 25,000
#: tokens (``MAX_MCP_OUTPUT_TOKENS``), about 100,000 characters of English
MAX_TEXT_CHARS = 80_000

INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string", "description": "What the agent should do or answer, in full."},
        "cwd": {
            "type": "string",
            "description": (
                "The folder the agent works in (default: the server's folder; a relative path starts there)."
            ),
        },
        "model": {"type": "string", "description": "The agent's model (default: the agent's own)."},
        "session_id": {
            "type": "string",
            "description": "Continue an earlier conversation: the session_id of a result of this tool.",
        },
    },
    "required": ["prompt"],
    "additionalProperties": False,
}

_NULLABLE_STRING = {"type": ["string", "null"]}
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "description": "The agent's final answer."},
        "session_id": {**_NULLABLE_STRING, "description": "Pass it back as session_id to go on."},
        "provider": {"type": "string"},
        "model": _NULLABLE_STRING,
        "usage": {
            "type": "object",
            "properties": {
                "input_tokens": {"type": "integer"},
                "cached_input_tokens": {"type": "integer"},
                "output_tokens": {"type": "integer"},
                "total_tokens": {"type": "integer"},
            },
        },
        "cost_usd": {"type": ["number", "null"]},
        "duration_s": {"type": "number"},
        "truncated": {"type": "boolean", "description": "Whether text was cut to fit a tool result."},
    },
    "required": ["text", "session_id", "provider", "truncated"],
}


def description(title: str, strengths: str, cwd: str, anywhere: bool = False) -> str:
    what = strengths or f"{title}, a coding agent."
    where = f"default {cwd}" if anywhere else f"{cwd} by default, or a folder below it"
    return (
        f"Ask {title} to do a task or answer a question. {what} It works in the folder `cwd` "
        f"({where}) with the files and tools there, and answers in text; pass the "
        "result's session_id back to continue the same conversation."
    )


def tool(name: str, title: str, strengths: str, cwd: str, *, anywhere: bool = False) -> dict[str, Any]:
    """One agent's entry of ``tools/list`` (``anywhere``: a call may name any folder)."""
    return {
        "name": name,
        "title": title,
        "description": description(title, strengths, cwd, anywhere),
        "inputSchema": INPUT_SCHEMA,
        "outputSchema": OUTPUT_SCHEMA,
    }


def cut(text: str, limit: int = MAX_TEXT_CHARS) -> tuple[str, bool]:
    """``text`` within ``limit`` characters, saying where it was cut."""
    if len(text) <= limit:
        return text, False
    note = f"\n\n[oauthpy cut the answer here: it was {len(text)} characters; the first {limit} are shown]"
    return text[:limit] + note, True


def result_content(provider: str, result: Any, limit: int = MAX_TEXT_CHARS) -> dict[str, Any]:
    """A finished run as a ``tools/call`` result. Its text is redacted as every CLI output is
    (docs/mcp.md): the answer goes into another model's context and the client's logs."""
    from oauthpy._redact import redact

    text, truncated = cut(redact(result.text or ""), limit)
    usage = result.usage
    structured = {
        "text": text,
        "session_id": result.session_id,
        "provider": provider,
        "model": result.model,
        "usage": {
            "input_tokens": usage.input_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
        },
        "cost_usd": result.cost_usd,
        "duration_s": round(result.elapsed_s, 3),
        "truncated": truncated,
    }
    return {"content": [{"type": "text", "text": text}], "structuredContent": structured, "isError": False}


def error_content(error: BaseException) -> dict[str, Any]:
    """A failure of the agent (or of the call's input) as an ``isError`` result, with the
    typed error's message and hint: the calling model can tell the person what to do."""
    from oauthpy._errors import OauthPyError

    if isinstance(error, OauthPyError):
        text = f"{type(error).__name__}: {error.message}"
        if error.hint:
            text += f"\nhint: {error.hint}"
    else:
        from oauthpy._redact import redact

        text = f"{type(error).__name__}: {redact(str(error))}"
    return {"content": [{"type": "text", "text": text}], "isError": True}
