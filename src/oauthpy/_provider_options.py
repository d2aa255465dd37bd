"""The ``provider_options`` an agent accepts (`Opt`) and their check, apart from the provider
base (`oauthpy._transports.base`, which loads the event types): a fresh ``oauthpy run`` checks a
request's options before its agent's CLI starts, and imports nothing of a run for it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from oauthpy._checks import check_text
from oauthpy._errors import InvalidOptionsError


class Opt:
    """One accepted ``provider_options`` key: its type(s) and, optionally, allowed values.

    Read-only, with a frozen dataclass's ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__``
    written out: a dataclass's methods are compiled when its module loads, and a fresh ``oauthpy
    run`` loads this one before its agent's CLI starts.
    """

    __slots__ = ("choices", "help", "items", "types")
    types: tuple[type, ...]
    choices: tuple[str, ...]
    items: type | None  # element type for list values
    help: str

    def __init__(
        self,
        types: tuple[type, ...],
        choices: tuple[str, ...] = (),
        items: type | None = None,
        help: str = "",
    ) -> None:
        set_field = object.__setattr__  # read-only to everyone else
        set_field(self, "types", types)
        set_field(self, "choices", choices)
        set_field(self, "items", items)
        set_field(self, "help", help)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[Any, ...]:
        return (self.types, self.choices, self.items, self.help)

    def __repr__(self) -> str:
        return (
            f"Opt(types={self.types!r}, choices={self.choices!r}, items={self.items!r}, help={self.help!r})"
        )

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if other.__class__ is self.__class__ else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())


RETRY_OPTIONS: dict[str, Opt] = {
    "max_retries": Opt((int,), help="retries of transient failures (default 0)"),
    "retry_backoff_s": Opt((int, float)),
    "retry_backoff_max_s": Opt((int, float)),
    "retry_jitter_s": Opt((int, float)),
    "retry_on_timeout": Opt((bool,)),
}


def check_options(provider: str, options: Mapping[str, Any], spec: Mapping[str, Opt]) -> None:
    """Validate ``options`` against ``spec``: unknown keys and wrong types are errors."""
    for key, value in options.items():
        opt = spec.get(key)
        if opt is None:
            valid = ", ".join(sorted(spec))
            raise InvalidOptionsError(
                f"unknown provider_options key {key!r} for {provider}; valid keys: {valid}"
            )
        if value is None:
            continue
        ok = isinstance(value, opt.types) and not (isinstance(value, bool) and bool not in opt.types)
        if not ok:
            want = " or ".join(t.__name__ for t in opt.types)
            raise InvalidOptionsError(f"provider_options[{key!r}] must be {want}, got {type(value).__name__}")
        if opt.choices and value not in opt.choices:
            raise InvalidOptionsError(
                f"provider_options[{key!r}] for {provider} must be one of "
                f"{', '.join(opt.choices)}; got {value!r}"
            )
        if opt.items is not None:
            assert isinstance(value, Sequence)
            for item in value:
                if not isinstance(item, opt.items):
                    raise InvalidOptionsError(
                        f"provider_options[{key!r}] items must be {opt.items.__name__}, "
                        f"got {type(item).__name__}"
                    )
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key.startswith("retry_") and number and (not _finite(value) or value < 0):
            raise InvalidOptionsError(
                f"provider_options[{key!r}] must be a finite, non-negative number of seconds, got {value!r:.40}"
            )
        _check_strings(f"provider_options[{key!r}]", value)
        if key == "max_retries" and isinstance(value, int) and value < 0:
            raise InvalidOptionsError("provider_options['max_retries'] must not be negative")


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _check_strings(name: str, value: Any, depth: int = 0) -> None:
    """Every string in an option (lists and mappings included) can reach a process's argv."""
    if isinstance(value, str):
        check_text(name, value)
    elif depth < 8 and isinstance(value, (list, tuple)):
        for item in value:
            _check_strings(name, item, depth + 1)
    elif depth < 8 and isinstance(value, Mapping):
        for k, v in value.items():
            _check_strings(name, k, depth + 1)
            _check_strings(name, v, depth + 1)


__all__ = ["RETRY_OPTIONS", "Opt", "check_options"]
