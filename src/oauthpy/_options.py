"""RunRequest: every input of a run, validated before anything is spawned."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from oauthpy._checks import check_cwd, check_env, check_model, check_prompt, positive_number
from oauthpy._errors import InvalidOptionsError


@dataclass(frozen=True, slots=True)
class RunRequest:
    """A validated, normalized run. Built by `build_request`; providers only read it."""

    prompt: str
    cwd: str
    model: str | None
    timeout: float | None
    idle_timeout: float | None
    env: Mapping[str, str | None]
    provider_options: Mapping[str, Any]
    output_schema: Mapping[str, Any] | None
    #: the pydantic model class when ``output_schema`` was one, else None
    output_model: Any = None
    resume: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the ``on_permission`` callback (`oauthpy._permissions`); None: the vendor's defaults
    on_permission: Any = None
    #: the ``on_question`` callback (`oauthpy._questions`); None: every question is declined
    on_question: Any = None
    #: the ``on_event`` callback (`oauthpy._on_event`): shown every event as it happens
    on_event: Any = None
    #: the user's Python functions as tools (`oauthpy._tools.Tool`)
    tools: tuple[Any, ...] = ()
    #: the budgets a run is checked against and charged to (`oauthpy._budget.Budget`): its
    #: session's or batch's; the client's is the runner's
    budgets: tuple[Any, ...] = ()
    #: files sent with the prompt (`oauthpy._attachments.Attachment`), checked to exist
    attachments: tuple[Any, ...] = ()
    #: the worktree to run in (`oauthpy._workspace.WorkspacePlan`); None: the user's own folder
    workspace: Any = None
    #: when the call began (``time.monotonic()``), when that was before its turn (the login state
    #: was prepared first and ``timeout`` is what was left): a timeout counts from here
    began: float | None = None
    #: the agents to try when this one cannot take the work (`oauthpy._failover.Plan`)
    fallback: Any = None
    #: a text-in, text-out run (docs/lean.md): each agent's package says what that turns off
    lean: bool = False

    def deadline(self) -> float | None:
        """The ``time.monotonic()`` by which the run must end, from ``timeout``; None if unbounded."""
        return time.monotonic() + self.timeout if self.timeout else None

    def started(self) -> float:
        """When the call began, for a timeout's "fired after N s" (now, unless `began` says)."""
        return time.monotonic() if self.began is None else self.began


def _schema(value: Any) -> tuple[Mapping[str, Any] | None, Any]:
    """Accept a JSON-schema dict or a pydantic model class; check the schema itself."""
    if value is None:
        return None, None
    model_cls = None
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        model_cls = value
        value = value.model_json_schema()
    if not isinstance(value, Mapping):
        raise InvalidOptionsError(
            f"output_schema must be a JSON-schema dict or a pydantic model class, got {type(value).__name__}"
        )
    import json

    _check_depth(value)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidOptionsError(f"output_schema is not JSON: {exc}") from None
    import jsonschema  # lazy: only runs that ask for structured output pay for it

    try:
        jsonschema.validators.validator_for(value).check_schema(dict(value))
        _check_refs(dict(value))
    except jsonschema.SchemaError as exc:
        raise InvalidOptionsError(f"output_schema is not a valid JSON schema: {exc.message}") from None
    except RecursionError:  # a deep but legal nesting of $refs or combinators
        raise InvalidOptionsError("output_schema is nested too deeply to check") from None
    return dict(value), model_cls


#: deeper than any real answer's shape; far below where Python's recursion (json, jsonschema) ends
MAX_SCHEMA_DEPTH = 100


def _check_depth(schema: Mapping[str, Any]) -> None:
    """Refuse a schema nested deeper than `MAX_SCHEMA_DEPTH`, without recursing to find out."""
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(schema, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_SCHEMA_DEPTH:
            raise InvalidOptionsError(f"output_schema is nested more than {MAX_SCHEMA_DEPTH} levels deep")
        if id(node) in seen:  # shared or circular: json.dumps names a cycle
            continue
        seen.add(id(node))
        children = (
            node.values() if isinstance(node, Mapping) else node if isinstance(node, (list, tuple)) else ()
        )
        todo.extend((child, depth + 1) for child in children if isinstance(child, (Mapping, list, tuple)))


# Keywords whose values are instance data, not subschemas: a "$ref" key there is not a reference.
_DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default"})


def _check_refs(schema: dict[str, Any]) -> None:
    """Every ``$ref`` in ``schema`` resolves inside it (or to a JSON Schema metaschema).

    Checked before the run: jsonschema resolves references only when validation reaches them,
    which for structured output is after the paid vendor run. Remote references are refused:
    oauthpy never fetches anything.
    """
    from jsonschema_specifications import REGISTRY
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012, specification_with

    spec = specification_with(schema.get("$schema", ""), default=DRAFT202012)
    root = spec.create_resource(schema)
    base = root.id() or "urn:oauthpy:output-schema"
    resolver = REGISTRY.with_resource(base, root).resolver(base_uri=base)

    def walk(node: Any, resolver: Any, path: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, resolver, f"{path}/{i}")
            return
        if not isinstance(node, dict):
            return
        if node is not schema and isinstance(node.get("$id"), str):
            resolver = resolver.in_subresource(spec.create_resource(node))
        ref = node.get("$ref")
        if isinstance(ref, str):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                raise InvalidOptionsError(
                    f"output_schema has a $ref that does not resolve: {ref!r} at {path or '/'} "
                    "(references must point inside the schema; nothing is fetched)"
                ) from None
        for key, child in node.items():
            if key not in _DATA_KEYWORDS:
                walk(child, resolver, f"{path}/{key}")

    walk(schema, resolver, "")


def build_request(
    prompt: Any,
    *,
    cwd: Any = ".",
    model: Any = None,
    timeout: Any = None,
    idle_timeout: Any = None,
    env: Any = None,
    provider_options: Any = None,
    output_schema: Any = None,
    resume: str | None = None,
    on_permission: Any = None,
    on_question: Any = None,
    on_event: Any = None,
    tools: Any = None,
    lean: Any = False,
    attachments: Any = None,
    workspace: Any = None,
    keep_workspace: Any = False,
    base: Any = None,
    include: Any = None,
    setup: Any = None,
    setup_timeout: Any = None,
    require_prompt: bool = True,
) -> RunRequest:
    """Validate the public arguments of a run. Raises `InvalidOptionsError`.

    ``require_prompt=False`` checks everything else (a session's defaults, before any turn).
    """
    prompt = check_prompt(prompt) if require_prompt else ""
    real_cwd, model = check_cwd(cwd), check_model(model)
    env_map = check_env(env)
    if provider_options is None:
        provider_options = {}
    if not isinstance(provider_options, Mapping):
        raise InvalidOptionsError(
            f"provider_options must be a mapping, got {type(provider_options).__name__}"
        )
    schema, model_cls = _schema(output_schema)
    # each checker imported only for a callback given: they load the event loop, and a fresh
    # `oauthpy run` checks its request before codex starts (cli/run_exec.py)
    callback = answerer = watcher = None
    if on_permission is not None:
        from oauthpy._permissions import check_callback

        callback = check_callback(on_permission)
    if on_question is not None:
        from oauthpy._questions import check_callback as check_question

        answerer = check_question(on_question)
    if on_event is not None:
        from oauthpy._on_event import check_on_event

        watcher = check_on_event(on_event)
    if not isinstance(lean, bool):
        raise InvalidOptionsError(f"lean must be True or False, got {type(lean).__name__}")
    tool_specs: tuple[Any, ...] = ()
    if tools is not None:
        from oauthpy._tools import build_tools  # lazy: it needs pydantic

        tool_specs = build_tools(tools)
    files: tuple[Any, ...] = ()
    if attachments is not None:
        from oauthpy._attachments import check_attachments

        files = check_attachments(attachments)
    planned = None
    prepared = {"base": base, "include": include, "setup": setup, "setup_timeout": setup_timeout}
    if workspace is not None or keep_workspace or any(v is not None for v in prepared.values()):
        from oauthpy._workspace import plan

        planned = plan(workspace, real_cwd, keep_workspace, **prepared)
    return RunRequest(
        prompt=prompt,
        cwd=real_cwd,
        model=model,
        timeout=positive_number("timeout", timeout),
        idle_timeout=positive_number("idle_timeout", idle_timeout),
        env=env_map,
        provider_options=dict(provider_options),
        output_schema=schema,
        output_model=model_cls,
        resume=resume,
        on_permission=callback,
        on_question=answerer,
        on_event=watcher,
        tools=tool_specs,
        attachments=files,
        workspace=planned,
        lean=lean,
    )


def merged_env(overrides: Mapping[str, str | None], base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) with ``overrides`` applied; a None value removes."""
    env = dict(os.environ if base is None else base)
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env
