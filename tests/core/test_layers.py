"""The layers of ``src/oauthpy`` (docs/architecture.md): arrows point down only.

Read from the source with ``ast``: every import statement at any depth counts (one inside a
function too), except under ``if TYPE_CHECKING:``. An agent lives in ``_agents/<name>/`` over the
agent-free ``_transports/``; no agent imports another; nothing generic imports an agent (the
registry names them as ``"module:attribute"`` strings, imported only when used).
"""

from __future__ import annotations

import ast
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import _registry as registry
from tests.paths import REPO
from tests.source_code import parse_python

pytestmark = pytest.mark.fast

SRC = REPO / "src" / "oauthpy"
AGENTS = sorted(p.name for p in (SRC / "_agents").iterdir() if (p / "__init__.py").exists())


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in SRC.rglob("*.py")}


def _imports(path: Path) -> Iterator[ast.ImportFrom | ast.Import]:
    tree = parse_python(path.read_text(), str(path))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in typing_only:
            yield node


@functools.cache
def _graph() -> dict[str, set[str]]:
    """Each module's imports (made on first use, not at collection: about 3 CPU-s in every
    worker that collects this file)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        deps = set()
        for node in _imports(path):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in MODULES}
                continue
            assert node.level == 0, f"{name}: relative import (src uses absolute imports)"
            base = node.module or ""
            for alias in node.names:
                full = f"{base}.{alias.name}"
                deps.add(full if full in MODULES else base)
        # importing ``a.b.c`` runs ``a.b``'s ``__init__`` first (the root package's aside: it runs
        # before anything and imports lazily)
        for dep in list(deps):
            parts = dep.split(".")
            deps |= {".".join(parts[:i]) for i in range(2, len(parts))}
        graph[name] = {d for d in deps if d in MODULES and d != name and not name.startswith(d + ".")}
    return graph


def _agent_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "_agents" else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_there_is_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_transports_import_no_agent() -> None:
    wrong = [
        (m, d)
        for m, deps in _graph().items()
        if m.startswith("oauthpy._transports")
        for d in deps
        if d.startswith("oauthpy._agents")
    ]
    assert wrong == []


def test_no_agent_imports_another() -> None:
    wrong = [
        (m, d)
        for m, deps in _graph().items()
        for d in deps
        if _agent_of(m) and _agent_of(d) and _agent_of(m) != _agent_of(d)
    ]
    assert wrong == []


def test_the_transports_name_no_agent_even_as_a_string() -> None:
    names = {a.name for a in registry.entries() if not a.takes_command} | set(AGENTS) - {"acp"}
    found = []
    for module, path in MODULES.items():
        if not module.startswith("oauthpy._transports"):
            continue
        for node in ast.walk(parse_python(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in names:
                found.append(f"{module}:{node.lineno}: {node.value!r}")
    assert found == []


def test_every_agent_of_the_registry_has_its_package() -> None:
    for agent in (a for a in registry.entries() if a.provider.startswith("oauthpy.")):  # not a suite's own
        assert agent.name in AGENTS, f"{agent.name} has no package under src/oauthpy/_agents/"
        for path in (agent.provider, agent.auth, agent.catalogue, agent.usage, agent.fake_setup):
            assert not path or path.startswith(("oauthpy._agents.", "oauthpy._transports.")), path


# -- who names an agent ----------------------------------------------------------------------

#: the shipped agents with a package of their own (not the bare ``acp`` of ``command=``)
SHIPPED = sorted(a.name for a in registry.entries() if not a.takes_command and a.name in AGENTS)
#: outside its package an agent may be named by the registry, the public ``testing`` re-exports
#: and one more file at most
MOST_FILES_NAMING_AN_AGENT = 3
#: files outside ``_agents/`` that import from it (the public ``testing`` re-exports and the fake
#: one agent's extra API is served beside)
MOST_FILES_IMPORTING_AGENTS = 2


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and (body := node.body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }


def _code_words(path: Path) -> Iterator[str]:
    """The identifiers of ``path`` and its name-like strings (not docstrings, comments or prose
    longer than a short message): where an agent is named in code."""
    return (word for _, word in _code_words_at(path))


def _code_words_at(path: Path) -> Iterator[tuple[int, str]]:
    """`_code_words`, each with its line."""
    tree = parse_python(path.read_text())
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name):
            yield line, node.id
        elif isinstance(node, ast.Attribute):
            yield line, node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield line, node.name
        elif isinstance(node, ast.arg):
            yield line, node.arg
        elif isinstance(node, ast.alias):
            yield line, node.name
            yield line, node.asname or ""
        elif isinstance(node, ast.ImportFrom):
            yield line, node.module or ""
        elif isinstance(node, ast.keyword):
            yield line, node.arg or ""
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            yield line, node.value if len(node.value) <= 80 else ""


@functools.cache
def _lower_code_words(path: Path) -> frozenset[str]:
    """`_code_words` in lower case, read once per worker for every agent's test."""
    return frozenset(word.lower() for word in _code_words(path))


def _files_naming(agent: str) -> list[str]:
    return sorted(
        str(path.relative_to(SRC))
        for module, path in MODULES.items()
        if _agent_of(module) != agent and any(agent in word for word in _lower_code_words(path))
    )


# one worker: the source's words are read once for all of them (about 4 CPU-s a reading)
@pytest.mark.xdist_group("agent-names")
@pytest.mark.parametrize("agent", SHIPPED)
def test_an_agent_is_named_in_the_code_of_few_files_outside_its_package(agent: str) -> None:
    found = _files_naming(agent)
    assert "_registry.py" in found
    assert len(found) <= MOST_FILES_NAMING_AN_AGENT, found


def test_few_files_outside_the_agents_import_from_them() -> None:
    found = sorted(
        str(path.relative_to(SRC))
        for module, path in MODULES.items()
        if not module.startswith("oauthpy._agents")
        for node in ast.walk(parse_python(path.read_text()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any(
            name.startswith("oauthpy._agents")
            for name in (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            )
        )
    )
    assert len(set(found)) <= MOST_FILES_IMPORTING_AGENTS, sorted(set(found))


def test_the_count_sees_a_name_in_code_but_not_in_prose(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""About codex."""\n# codex\nX = 1\n')
    assert not any("codex" in w for w in _code_words(sample))
    sample.write_text('HOME = "CODEX_HOME"\n')
    assert any("codex" in w.lower() for w in _code_words(sample))


@pytest.mark.parametrize("agent", SHIPPED)
def test_building_a_client_imports_no_other_agent(agent: str) -> None:
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\nfrom oauthpy import Client\n"
        f"Client({agent!r})\n"
        "print(json.dumps(sorted({m.split('.')[2] for m in sys.modules if m.startswith('oauthpy._agents.')})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [agent]


@pytest.mark.parametrize("agent", SHIPPED)
def test_building_a_client_loads_only_its_spec_and_no_run_machinery(agent: str) -> None:
    """A ready client costs about ``import asyncio`` (issue 44): its agent's parsers and auth
    code, the event types, the request and the process runtime load on first use."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\nfrom oauthpy import Client\n"
        f"Client({agent!r})\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {k: v for k, v in os.environ.items() if k != registry.AGENTS_VAR}  # the suite's own agent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    loaded = set(json.loads(done.stdout))
    assert {m for m in loaded if m.startswith(f"oauthpy._agents.{agent}.")} == {
        f"oauthpy._agents.{agent}.spec"
    }
    deferred = {"oauthpy._events", "oauthpy._options", "oauthpy._process", "dataclasses", "pathlib"}
    assert not deferred & loaded


# -- the shared test files name no agent -----------------------------------------------------

TESTS = SRC.parents[1] / "tests"
#: what every agent's tests share: they read the agents from the registry and their provisions
#: (``_agents/<name>/testing.py``), and name none (the suite's own ACP agent, a fixture of the
#: suite and no shipped agent, they may)
SHARED_TEST_FILES = ("support.py", "conftest.py", "paths.py")
#: the shared suites parametrized over the registry, and their conftest.py
SHARED_TEST_FOLDERS = ("contract",)


def _names_of_agents(path: Path, agents: set[str]) -> list[str]:
    """Where ``path``'s code names an agent: the `_code_words` the count of the source files
    reads (identifiers, attributes, imports, short strings; not docstrings or comments), each
    holding an agent's name anywhere in it."""
    return [
        f"{path.name}:{line}: {word!r}"
        for line, word in _code_words_at(path)
        if any(agent in word.lower() for agent in agents)
    ]


def _shared_test_files() -> list[Path]:
    files = [TESTS / name for name in SHARED_TEST_FILES]
    for folder in SHARED_TEST_FOLDERS:
        files += sorted((TESTS / folder).rglob("*.py")) if (TESTS / folder).is_dir() else []
    return files


@pytest.mark.parametrize("path", _shared_test_files(), ids=lambda p: str(p.relative_to(TESTS)))
def test_the_shared_test_files_name_no_shipped_agent(path: Path) -> None:
    assert _names_of_agents(path, set(SHIPPED)) == []


def test_the_check_of_the_test_files_sees_a_name_in_code_but_not_in_a_comment(tmp_path: Path) -> None:
    sample = tmp_path / "conftest.py"
    sample.write_text('"""About codex."""\n# the "codex" agent\nX = "acp-test"\n')
    assert _names_of_agents(sample, set(SHIPPED)) == []
    planted = {
        'if provider == "CODEX":\n    pass\n': "'CODEX'",
        'Y = "codex_env"\n': "'codex_env'",
        "from oauthpy._agents.gemini.fake import GeminiFake\n": "'oauthpy._agents.gemini.fake'",
        "def test_it_stops_gemini_and_codex(rig):\n    pass\n": "'test_it_stops_gemini_and_codex'",
        "rig.claude_home = 1\n": "'claude_home'",
        "with_qwen = 1\n": "'with_qwen'",
    }
    for code, word in planted.items():
        sample.write_text(code)
        assert f"conftest.py:1: {word}" in _names_of_agents(sample, set(SHIPPED)), code


def test_every_agent_of_the_registry_has_a_provision() -> None:
    from oauthpy.testing.provision import Provision

    for agent in registry.entries():
        if agent.takes_command:  # the generic entry: a test gives it its command
            continue
        assert agent.provision, f"{agent.name}: its entry names no provision"
        assert isinstance(agent.load_provision(), Provision), agent.provision
        if agent.name in AGENTS:  # a shipped agent's lives in its package
            assert agent.provision == f"oauthpy._agents.{agent.name}.testing:PROVISION"


# -- the test tree mirrors the source ---------------------------------------------------------

#: where a test module may live: the shared suites, then the source's parts (docs/architecture.md)
TEST_FOLDERS = ("contract", "transports", "core", "cli", "features", "docs")


def test_every_test_module_sits_in_a_folder_of_the_layout() -> None:
    misplaced = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("test_*.py")
        if "recordings" not in path.parts
        and path.parent.relative_to(TESTS).parts[:1] not in {(f,) for f in TEST_FOLDERS}
        and path.parent.parent != TESTS / "agents"
    ]
    assert misplaced == []


def test_every_folder_of_agent_tests_is_an_agent_of_the_registry() -> None:
    folders = {p.name for p in (TESTS / "agents").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= {name.replace("-", "_") for name in registry.names()}
    assert set(AGENTS) <= folders  # each shipped agent has its own tests
