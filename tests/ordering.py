"""The order the xdist workers are handed the tests in.

In file order, four workers run one module's tests side by side, and a module whose tests wait
(a slow start, a retry's backoff, a callback that takes its time) leaves both cores idle while
all four wait (a tenth of CI28's pytest time). Interleaved, one module's wait overlaps the others'
work. A group's tests (`xdist_group`: one worker runs them all, in this order) and the tests of
a module that share a module-scoped fixture (set up once per stretch of its tests on a worker)
keep their order.
"""

from __future__ import annotations

import os
from collections import deque

import pytest

_SHARED_SCOPES = ("module", "class", "package")


def _shares_a_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    defs = getattr(info, "name2fixturedefs", {}) if info is not None else {}
    return any(d and d[-1].scope in _SHARED_SCOPES for d in defs.values())


def interleaved(items: list[pytest.Item]) -> list[pytest.Item]:
    """``items`` with the modules' tests taken in turn (one test of each, then the next of each),
    a module that shares a fixture as one block; the grouped tests first, in their order."""
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    queues = [
        deque([tests] if any(_shares_a_fixture(t) for t in tests) else [[t] for t in tests])
        for tests in modules.values()
    ]
    order = list(grouped)
    while queues:
        for queue in list(queues):
            order.extend(queue.popleft())
            if not queue:
                queues.remove(queue)
    return order


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):  # one process: file order, fixtures set up once
        items[:] = interleaved(items)
