"""How the shared suites are spread over pytest-xdist's workers, beyond `tests/conftest.py`.

The tests of an agent whose `Provision.one_at_a_time` form one xdist group, so they run one after another;
for OpenCode that chain is the suite's longest. Its tests marked ``waits_for_vendor_retries``
mostly wait while OpenCode backs off between its own retries (2 + 4 + 8 + 16 + 30 s, which
nothing shortens): they go in a group of their own, so the waiting overlaps its other tests.
(Its batch tests in a third group made no difference: the suite is bound by CPU, not by the
chain, and more OpenCode processes at once only loaded the machine more.)

The tests of another agent that run on the worker's warm rig (``warm_agent``) form a group too,
so that one warm agent serves them one after another.
"""

from __future__ import annotations

import re

import pytest

from tests.support import provision, takes_the_warm_rig


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(item, "callspec", None)
        param = str(params.params.get("rig", "")) if params else ""
        provider = param.partition("/")[0]
        agent = provision(provider) if provider else None
        if (
            agent is not None
            and not agent.one_at_a_time
            and takes_the_warm_rig(item.get_closest_marker("warm_agent"), provider)
        ):
            # handed out interleaved, its warm tests would come minutes apart, and its warm
            # agent would idle (a fraction of a CPU-s a minute) or expire between them
            item.add_marker(pytest.mark.xdist_group("warm-" + re.sub(r"\W", "-", param)))
        if (
            agent is not None
            and agent.one_at_a_time
            and (agent.own_retries or agent.retries_broken_connections)
            and item.get_closest_marker("waits_for_vendor_retries")
        ):
            item.add_marker(pytest.mark.xdist_group("retrying"))
