"""How the shared suites are spread over pytest-xdist's workers, beyond `tests/conftest.py`.

The tests of an agent whose `Provision.one_at_a_time` form one xdist group, so they run one after another;
for OpenCode that chain is the suite's longest. Its tests marked ``waits_for_vendor_retries``
mostly wait while OpenCode backs off between its own retries (2 + 4 + 8 + 16 + 30 s, which
nothing shortens): they go in a group of their own, so the waiting overlaps its other tests.
(Its batch tests in a third group made no difference: the suite is bound by CPU, not by the
chain, and more OpenCode processes at once only loaded the machine more.)

The tests that take an agent's warm rig (`tests.warm_rigs`) and are in no other group form a
group per agent: one worker runs them one after another, so the agent starts once, not once on
each worker, and does not idle (and restart) between tests spread over the whole run.
"""

from __future__ import annotations

import pytest

from tests.support import provision
from tests.warm_rigs import rig_id, takes_a_warm_rig


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(item, "callspec", None)
        param = str(params.params.get("rig", "")) if params else ""
        agent = provision(param.partition("/")[0]) if param else None
        if (
            agent is not None
            and agent.one_at_a_time
            and (agent.own_retries or agent.retries_broken_connections)
            and item.get_closest_marker("waits_for_vendor_retries")
        ):
            item.add_marker(pytest.mark.xdist_group("retrying"))
        elif (
            agent is not None and not item.get_closest_marker("xdist_group") and takes_a_warm_rig(item, param)
        ):
            item.add_marker(pytest.mark.xdist_group(f"warm-{rig_id(param)}"))
