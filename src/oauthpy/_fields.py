"""Typed reads of fields out of vendor JSON, which may hold anything.

Each returns an empty value of the expected type when the field is missing or of another type,
so translators read nested records without a guard at every step.
"""

from __future__ import annotations

from typing import Any


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def opt_str(value: Any) -> str | None:
    """The string, or None when it is not one (where "absent" and "empty" differ)."""
    return value if isinstance(value, str) else None
