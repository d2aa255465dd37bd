"""Checks of single inputs (numbers of seconds, text that reaches a process, env, cwd, model,
prompt), apart from `RunRequest`: a client checks its own arguments with these without
importing what a run needs."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from oauthpy._errors import InvalidOptionsError

#: the longest timeout accepted: longer ones overflow the event loop's timers; None means none
MAX_SECONDS = 365 * 24 * 3600.0


def positive_number(name: str, value: Any) -> float | None:
    """A positive, finite number of seconds of at most a year, as a float, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOptionsError(f"{name} must be a number of seconds, got {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:  # an int too large for a float (10**400)
        seconds = math.inf
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidOptionsError(f"{name} must be a positive number of seconds, got {value!r:.40}")
    if seconds > MAX_SECONDS:
        raise InvalidOptionsError(
            f"{name} must be at most {MAX_SECONDS:.0f} s (a year); use None for no limit"
        )
    return seconds


def check_text(name: str, value: str) -> None:
    """A string that reaches a process (argv, env, stdin) must be encodable and free of NUL."""
    if "\0" in value:
        raise InvalidOptionsError(f"{name} contains a NUL character, which no process can receive")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidOptionsError(
            f"{name} is not valid text: a lone surrogate at position {exc.start} "
            "(e.g. from bytes that are not UTF-8)"
        ) from None


def check_env(env: Any) -> dict[str, str | None]:
    """Validate an ``env`` override mapping (``None`` values remove a variable)."""
    env_map: dict[str, str | None] = {}
    if env is None:
        return env_map
    if not isinstance(env, Mapping):
        raise InvalidOptionsError(f"env must be a mapping, got {type(env).__name__}")
    for k, v in env.items():
        if not isinstance(k, str) or not k or "=" in k:
            raise InvalidOptionsError(f"env key must be a variable name, got {k!r:.60}")
        check_text("an env key", k)
        if v is not None and not isinstance(v, str):
            # The value itself may be a secret: name only the variable and the type.
            raise InvalidOptionsError(f"env value of {k} must be a string or None, got {type(v).__name__}")
        if v is not None:
            check_text(f"env value of {k}", v)  # the message never shows the value
        env_map[k] = v
    return env_map


def check_prompt(prompt: Any) -> str:
    if not isinstance(prompt, str):
        raise InvalidOptionsError(f"prompt must be a string, got {type(prompt).__name__}")
    if not prompt.strip():
        raise InvalidOptionsError(
            "prompt is empty", hint="say what the agent should do, e.g. 'Explain this repository'"
        )
    check_text("prompt", prompt)
    return prompt


def check_cwd(cwd: Any) -> str:
    """An existing directory, resolved."""
    if not isinstance(cwd, (str, os.PathLike)):
        raise InvalidOptionsError(f"cwd must be a path, got {type(cwd).__name__}")
    # os.path, not pathlib: this module is imported by `import oauthpy`, pathlib is not.
    path = os.path.expanduser(os.fspath(cwd))
    if not os.path.exists(path):
        raise InvalidOptionsError(f"cwd does not exist: {path}")
    if not os.path.isdir(path):
        raise InvalidOptionsError(f"cwd is not a directory: {path}")
    return os.path.realpath(path)


def check_model(model: Any) -> str | None:
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidOptionsError("model must be a non-empty string or None")
    if model is not None:
        check_text("model", model)
    return model
