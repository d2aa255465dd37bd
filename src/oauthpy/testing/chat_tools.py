"""The generic `shell` and `write_file` steps as a call of a tool a chat-completions request
declares, whichever agent sent it: the agents name their tools differently and each schema
wants its own arguments, so the fake reads the declared JSON schema instead of assuming one."""

from __future__ import annotations

import posixpath
import re
import uuid
from typing import Any

from oauthpy.testing.script import Reply, Shell, ToolCall, WriteFile

#: shell tools, best first: OpenCode and Copilot ``bash``, codex ``shell`` (argv array) and
#: ``exec_command``, Qwen Code ``run_shell_command``; goose's ``developer__shell`` by its suffix
SHELL_TOOLS = ("bash", "shell", "run_shell_command", "exec_command", "execute", "run_command", "terminal")
#: file tools, best first: OpenCode ``write``, Qwen ``write_file``, Copilot ``create``; the
#: editors last (an empty old text makes a new file in OpenCode's and Claude's ``edit``)
WRITE_TOOLS = (
    "write",
    "write_file",
    "create_file",
    "create",
    "text_editor",
    "str_replace_based_edit_tool",
    "str_replace_editor",
    "edit",
    "edit_file",
)
#: how the Gemini CLI's lineage tells the model its folder (the request's JSON escapes newlines)
_WORKDIR = re.compile(r"working in the directory: (/[^\n\\\"]+)")
_COMMAND_KEYS = ("command", "cmd", "commands", "script")
_PATH_KEYS = ("filePath", "file_path", "path", "absolute_path", "filename")
_CONTENT_KEYS = ("content", "file_text", "contents", "text", "newString", "new_string", "new_str")
#: required free-text arguments that explain a call to the user (OpenCode's bash wants one)
_PROSE = ("description", "explanation", "reason", "title", "summary")


class NoFittingTool(Exception):
    """The request declares no tool the step can use (the fake answers 400 with this text)."""


def tool_schemas(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each declared function tool's name and its JSON schema, in the chat-completions form
    (``function.parameters``), the Responses form (``parameters``) or the Messages form
    (``input_schema``)."""
    tools = body.get("tools") if isinstance(body, dict) else None
    out: list[tuple[str, dict[str, Any]]] = []
    for tool in tools or ():
        if not isinstance(tool, dict):
            continue
        inner = tool.get("function")
        fn: dict[str, Any] = inner if isinstance(inner, dict) else tool
        if fn.get("name"):
            params = fn.get("parameters", fn.get("input_schema"))
            out.append((str(fn["name"]), params if isinstance(params, dict) else {}))
    return out


def vendor_call(
    step: Shell | WriteFile, tools: list[tuple[str, dict[str, Any]]], workdir: str | None = None
) -> Reply:
    """``step`` as a call of the fitting declared tool; `NoFittingTool` if there is none.
    ``workdir``: the agent's folder, for a file tool that takes absolute paths only."""
    call_id = step.call_id or f"call_{uuid.uuid4().hex[:12]}"
    if isinstance(step, Shell):
        for name, schema in _candidates(tools, SHELL_TOOLS):
            args = _shell_arguments(schema, step.command)
            return Reply(text=step.say, tool_calls=(ToolCall(name, args, call_id),))
        kind = "shell: no shell tool"
    else:
        for name, schema in _candidates(tools, WRITE_TOOLS):
            found = _write_arguments(schema, step.path, step.content, workdir)
            if found is not None:
                return Reply(tool_calls=(ToolCall(name, found, call_id),))
        kind = "write_file: no file-writing tool"
    declared = ", ".join(name for name, _ in tools) or "none"
    raise NoFittingTool(f"{kind} in the request; declared: {declared}")


def _candidates(
    tools: list[tuple[str, dict[str, Any]]], wanted: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    # a namespaced name (goose ``developer__shell``) counts as its last part
    return [t for want in wanted for t in tools if t[0] == want or t[0].endswith(f"__{want}")]


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    props = schema.get("properties")
    return {k: v for k, v in props.items() if isinstance(v, dict)} if isinstance(props, dict) else {}


def _type(spec: dict[str, Any]) -> str:
    kind = spec.get("type")
    if isinstance(kind, list):  # ["string", "null"]
        kind = next((k for k in kind if k != "null"), None)
    return str(kind or "string")


def _shell_arguments(schema: dict[str, Any], command: str) -> dict[str, Any]:
    props = _properties(schema)
    key = next((k for k in _COMMAND_KEYS if k in props), "command")
    # an argv array (codex's ``shell``): a plain, not a login, shell keeps host startup files out
    value: Any = ["bash", "-c", command] if _type(props.get(key, {})) == "array" else command
    args: dict[str, Any] = {key: value}
    if "login" in props and _type(props["login"]) == "boolean":
        args["login"] = False
    return _fill_required(args, schema, "Run the requested command")


def workdir_of(request_text: str) -> str | None:
    """The agent's folder as its prompt tells the model (the Gemini CLI and its forks:
    "I'm currently working in the directory: /path"), else None."""
    found = _WORKDIR.search(request_text)
    return found.group(1) if found else None


def _write_arguments(
    schema: dict[str, Any], path: str, content: str, workdir: str | None
) -> dict[str, Any] | None:
    props = _properties(schema)
    if not props:
        return {"path": path, "content": content}
    path_key = next((k for k in _PATH_KEYS if k in props), None)
    content_key = next((k for k in _CONTENT_KEYS if k in props), None)
    if path_key is None or content_key is None:
        return None
    absolute = "absolute" in str(props[path_key].get("description", "")).lower()
    if absolute and workdir and not posixpath.isabs(path):  # Qwen Code refuses a relative one
        path = posixpath.join(workdir, path)
    args: dict[str, Any] = {path_key: path, content_key: content}
    action = props.get("command", {}).get("enum")
    if isinstance(action, list):  # a multi-command editor (goose, Anthropic's text editor)
        verb = next((v for v in ("create", "write") if v in action), None)
        if verb is None:
            return None
        args["command"] = verb
    return _fill_required(args, schema, "Write the requested file")


def _fill_required(args: dict[str, Any], schema: dict[str, Any], prose: str) -> dict[str, Any]:
    """Give every required argument still missing a plausible value, so the agent's own schema
    check passes: an enum's first value, the default, prose for a description, else empty."""
    props = _properties(schema)
    required = schema.get("required")
    for key in required if isinstance(required, list) else ():
        if key in args:
            continue
        spec = props.get(key, {})
        kind = _type(spec)
        if isinstance(spec.get("enum"), list) and spec["enum"]:
            args[key] = spec["enum"][0]
        elif "default" in spec:
            args[key] = spec["default"]
        elif kind == "string":
            args[key] = prose if any(word in key.lower() for word in _PROSE) else ""
        elif kind == "boolean":
            args[key] = False
        elif kind in ("integer", "number"):
            args[key] = 60  # the numbers agents require are mostly timeouts
        else:
            args[key] = [] if kind == "array" else {}
    return args
