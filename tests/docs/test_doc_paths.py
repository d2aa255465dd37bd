"""The source paths and modules the architecture pages and the source's own comments name exist.

A module that moves leaves its old path in prose unless something reads the prose: this does.
A path token (``_transports/acp/turn.py``, ``src/oauthpy/_agents/<name>/``, ``tests/core/...``)
must match a file or folder under the repository, ``src/``, ``src/oauthpy/`` or one of its
packages (``<name>`` and ``*`` match any name); a dotted ``oauthpy.x.y`` must import, its tail
as attributes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.fast

ROOT = REPO
SRC = ROOT / "src" / "oauthpy"
PAGES = ("architecture.md", "acp.md", "add-an-agent.md")
#: where a path relative to a package is looked up (``codex/app_requests.py``, ``acp/asks.py``)
BASES = (ROOT, ROOT / "src", SRC, SRC / "_agents", SRC / "_transports", SRC / "cli", SRC / "testing")
#: the folders a path ending in ``/`` may start with (not ``session/`` or ``thread/`` of a protocol)
FOLDER_STARTS = ("src/", "tests/", "scripts/", "benchmarks/", "tools/", "oauthpy/", "cli/", "testing/", "_")

_PATH = re.compile(r"(?<![\w./<>*-])((?:[\w.<>*-]+/)*[\w<>*-]+\.py|(?:[\w.<>*-]+/)+)(?![\w/<>*-])")
_DOTTED = re.compile(r"(?<![\w.])oauthpy(?:\.[A-Za-z_]\w*)+")


def _path_exists(token: str) -> bool:
    pattern = re.sub(r"<[^>]+>", "*", token)
    if "/" not in pattern:  # a bare file name: somewhere in the package or the repository's tools
        return any(SRC.rglob(pattern)) or any((ROOT / "scripts").glob(pattern))
    return any(any(base.glob(pattern.rstrip("/"))) for base in BASES)


def _top_level_names(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value:
                names |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return names


def _dotted_exists(token: str) -> bool:
    """Read, not imported: the module's file exists and defines the first name after it."""
    where = ROOT / "src"
    parts = token.split(".")
    for i, part in enumerate(parts):  # packages, then a module, then the name it defines
        if (where / part / "__init__.py").exists():
            where = where / part
        elif (where / f"{part}.py").exists():
            where = where / f"{part}.py"
        elif where.is_dir():
            return part in _top_level_names(where / "__init__.py")
        if where.suffix == ".py" and i + 1 < len(parts):
            return parts[i + 1] in _top_level_names(where)
    return True


def stale_paths(text: str) -> list[str]:
    """The path tokens and ``oauthpy.`` dotted names in ``text`` that name nothing."""
    stale = []
    text = text.replace("<br/>", " ")  # a line break in a diagram's label
    for match in _PATH.finditer(text):
        token = match.group(1)
        if token.endswith("/") and not token.startswith(FOLDER_STARTS):
            continue
        if not _path_exists(token):
            stale.append(token)
    stale += [m.group(0) for m in _DOTTED.finditer(text) if not _dotted_exists(m.group(0))]
    return stale


@pytest.mark.parametrize("page", PAGES)
def test_every_path_a_page_names_exists(page: str) -> None:
    assert stale_paths((ROOT / "docs" / page).read_text()) == []


def _comments_and_docstrings(path: Path) -> str:
    import io
    import tokenize

    source = path.read_text()
    words = [
        t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            words += [doc] if doc else []
    return "\n".join(words)


def test_every_path_the_sources_comments_name_exists() -> None:
    found = {
        str(path.relative_to(SRC)): stale
        for path in sorted(SRC.rglob("*.py"))
        if (stale := stale_paths(_comments_and_docstrings(path)))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("text", "stale"),
    [
        ("`_transports/acp/turn.py` and `src/oauthpy/_agents/<name>/spec.py`", []),
        ("`_sessions/gone.py`, `oauthpy/_nowhere/`", ["_sessions/gone.py", "oauthpy/_nowhere/"]),
        (
            "`oauthpy._registry.get`, `oauthpy._nowhere.x`, `oauthpy._registry.nothing`",
            ["oauthpy._nowhere.x", "oauthpy._registry.nothing"],
        ),
        ("`session/new`, `thread/*`, https://example.com/a/", []),
    ],
)
def test_the_check_tells_a_stale_path_from_a_live_one(text: str, stale: list[str]) -> None:
    assert stale_paths(text) == stale
