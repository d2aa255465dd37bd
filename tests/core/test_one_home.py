"""Each name has one home that its users import it from: no module of the run's core passes on
a name it does not use (``import x as x``), and ``ProviderName`` is written once."""

from __future__ import annotations

import ast

import pytest

from tests.paths import REPO
from tests.source_code import parse_python

pytestmark = pytest.mark.fast

SRC = REPO / "src" / "oauthpy"


@pytest.mark.parametrize("module", ["_options.py", "_names.py", "_sessions.py", "_usage.py"])
def test_a_core_module_passes_on_no_name_of_another(module: str) -> None:
    tree = parse_python((SRC / module).read_text())
    passed_on = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname == alias.name
    ]
    assert passed_on == []


def test_provider_name_is_written_once_and_imported_from_there() -> None:
    homes, passers = [], []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(parse_python(path.read_text())):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "ProviderName" for t in node.targets
            ):
                homes.append(str(path.relative_to(SRC)))
            imported = isinstance(node, ast.ImportFrom) and any(a.name == "ProviderName" for a in node.names)
            if imported and getattr(node, "module", None) != "oauthpy._registry":
                passers.append(str(path.relative_to(SRC)))
    assert homes == ["_registry.py"]
    assert passers == []
