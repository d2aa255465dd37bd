"""How the e2e tests are spread over pytest-xdist's workers, beyond `tests/conftest.py`.

The tests of an agent in `ONE_AT_A_TIME` form one xdist group, so they run one after another;
for OpenCode that chain is the suite's longest. Its tests marked ``waits_for_vendor_retries``
mostly wait while OpenCode backs off between its own retries (2 + 4 + 8 + 16 + 30 s, which
nothing shortens): they go in a group of their own, so the waiting overlaps its other tests.
(Its batch tests in a third group made no difference: the suite is bound by CPU, not by the
chain, and more OpenCode processes at once only loaded the machine more.)
"""

from __future__ import annotations

import pytest

from oauthpy import _registry as registry
from tests.support import ONE_AT_A_TIME


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(item, "callspec", None)
        provider = str(params.params.get("rig", "")).partition("/")[0] if params else ""
        if (
            provider in ONE_AT_A_TIME
            and (registry.get(provider).own_retries or registry.get(provider).retries_broken_connections)
            and item.get_closest_marker("waits_for_vendor_retries")
        ):
            item.add_marker(pytest.mark.xdist_group("retrying"))
