"""Names of a package imported on first use (a module ``__getattr__``): ``import oauthpy`` and
``import oauthpy.testing`` stay light, and an import that would be circular waits until asked."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any


def attribute(name: str, where: Mapping[str, str], package: str, namespace: MutableMapping[str, Any]) -> Any:
    """``name`` from the module ``where`` names for it (relative to ``package``), kept in the
    package's ``namespace`` so that later lookups do not come here."""
    module = where.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, package), name)
    namespace[name] = value
    return value
