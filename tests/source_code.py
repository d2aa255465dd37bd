"""The repository's Python source read as syntax trees (the layering and one-home checks)."""

from __future__ import annotations

import ast


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse``, once more after CPython 3.11's spurious "AST constructor recursion depth
    mismatch" (before 3.11.8, with other threads running: python/cpython#106905)."""
    try:
        return ast.parse(source, filename)
    except SystemError:
        return ast.parse(source, filename)
