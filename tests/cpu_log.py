"""Where the suite's CPU goes: with OAUTHPY_TEST_CPU_LOG=FILE, each test appends one line
``nodeid<TAB>wall_s<TAB>own_cpu_s<TAB>children_cpu_s<TAB>end<TAB>worker`` (its worker's CPU, fakes
included, and the CPU of the processes it started and reaped; the Unix time it ended and its
xdist worker). Summed per agent or per file, it shows which tests to make cheaper when the suite
is bound by CPU; by worker and time, whether a chain of one group ends last."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator

import pytest

_LOG = os.environ.get("OAUTHPY_TEST_CPU_LOG")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    if not _LOG:
        yield
        return
    wall, own, children = time.monotonic(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    yield
    line = (
        f"{item.nodeid}\t{time.monotonic() - wall:.2f}\t{_cpu(resource.RUSAGE_SELF) - own:.2f}\t"
        f"{_cpu(resource.RUSAGE_CHILDREN) - children:.2f}\t{time.time():.1f}\t"
        f"{os.environ.get('PYTEST_XDIST_WORKER', '-')}\n"
    )
    with open(_LOG, "a") as fh:  # one short append per test: lines of parallel workers stay whole
        fh.write(line)
