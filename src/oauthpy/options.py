"""RunRequest: every input of a run, validated before anything is spawned."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidOptionsError

PROVIDERS = ("codex", "claude", "gemini")
AUTH_SOURCES = ("auto", "oauthpy", "external")
#: how a provider is authenticated, as reported by ``AuthStatus.mode``
AUTH_MODES = ("oauth", "api-key", "env", "login-state", "cloud", "unknown")


@dataclass(frozen=True, slots=True)
class RunRequest:
    """A validated, normalized run. Built by :func:`build_request`; providers only read it."""

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

    def deadline(self) -> float | None:
        """The ``time.monotonic()`` by which the run must end, from ``timeout``; None if unbounded."""
        return time.monotonic() + self.timeout if self.timeout else None


def positive_number(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOptionsError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidOptionsError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


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
    import jsonschema  # lazy: only runs that ask for structured output pay for it

    try:
        jsonschema.validators.validator_for(value).check_schema(dict(value))
    except jsonschema.SchemaError as exc:
        raise InvalidOptionsError(f"output_schema is not a valid JSON schema: {exc.message}") from None
    return dict(value), model_cls


def check_env(env: Any) -> dict[str, str | None]:
    """Validate an ``env`` override mapping (``None`` values remove a variable)."""
    env_map: dict[str, str | None] = {}
    if env is None:
        return env_map
    if not isinstance(env, Mapping):
        raise InvalidOptionsError(f"env must be a mapping, got {type(env).__name__}")
    for k, v in env.items():
        if not isinstance(k, str) or not k or "=" in k:
            raise InvalidOptionsError(f"env key must be a variable name, got {k!r}")
        if v is not None and not isinstance(v, str):
            # The value itself may be a secret: name only the variable and the type.
            raise InvalidOptionsError(f"env value of {k} must be a string or None, got {type(v).__name__}")
        env_map[k] = v
    return env_map


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
) -> RunRequest:
    """Validate the public arguments of a run. Raises :class:`InvalidOptionsError`."""
    if not isinstance(prompt, str):
        raise InvalidOptionsError(f"prompt must be a string, got {type(prompt).__name__}")
    if not prompt.strip():
        raise InvalidOptionsError("prompt is empty")
    if not isinstance(cwd, (str, os.PathLike)):
        raise InvalidOptionsError(f"cwd must be a path, got {type(cwd).__name__}")
    # os.path, not pathlib: this module is imported by `import oauthpy`, pathlib is not.
    path = os.path.expanduser(os.fspath(cwd))
    if not os.path.exists(path):
        raise InvalidOptionsError(f"cwd does not exist: {path}")
    if not os.path.isdir(path):
        raise InvalidOptionsError(f"cwd is not a directory: {path}")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidOptionsError("model must be a non-empty string or None")
    env_map = check_env(env)
    if provider_options is None:
        provider_options = {}
    if not isinstance(provider_options, Mapping):
        raise InvalidOptionsError(
            f"provider_options must be a mapping, got {type(provider_options).__name__}"
        )
    schema, model_cls = _schema(output_schema)
    return RunRequest(
        prompt=prompt,
        cwd=os.path.realpath(path),
        model=model,
        timeout=positive_number("timeout", timeout),
        idle_timeout=positive_number("idle_timeout", idle_timeout),
        env=env_map,
        provider_options=dict(provider_options),
        output_schema=schema,
        output_model=model_cls,
        resume=resume,
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
