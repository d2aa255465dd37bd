"""Where the suite's CPU goes: with OAUTHPY_TEST_CPU_LOG=FILE, each test appends one line
``nodeid<TAB>wall_s<TAB>own_cpu_s<TAB>children_cpu_s<TAB>end<TAB>worker`` (its worker's CPU, fakes
included, and the CPU its worker's child processes used meanwhile; the Unix time it ended and its
xdist worker). Summed per agent or per file, it shows which tests to make cheaper when the suite
is bound by CPU; by worker and time, whether a chain of one group ends last.

A child's CPU reaches ``RUSAGE_CHILDREN`` only when it is reaped: a warm agent that served a
hundred tests used to be charged, all of it, to the test during which it ended. So the children's
figure also counts the live descendants' CPU so far, read from /proc: each test gets what they
used during it, and a reap moves CPU from one term to the other without charging anyone.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator

import pytest

_LOG = os.environ.get("OAUTHPY_TEST_CPU_LOG")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _children(pid: int) -> list[int]:
    """The live children of ``pid``, of each of its threads (Linux's ``task/*/children``)."""
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found += [int(child) for child in fh.read().split()]
        except OSError:
            continue
    return found


def live_descendants_cpu(pid: int) -> float:
    """The CPU so far of every live descendant of ``pid``: its own and its reaped children's
    (utime, stime, cutime, cstime), which is what its parent's ``RUSAGE_CHILDREN`` gains when it
    is reaped. A zombie still counts: it has not been reaped yet."""
    from oauthpy._run_marks import stat_fields  # on use: the plugin costs nothing unless asked

    ticks, stack = 0, _children(pid)
    while stack:
        child = stack.pop()
        fields = stat_fields(child)
        if fields is None:
            continue  # ended and reaped meanwhile: RUSAGE_CHILDREN has it
        ticks += sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
        stack += _children(child)
    return ticks / _TICKS


def _children_cpu() -> float:
    # a child reaped between these two reads is missed by this reading: the test it ends gets
    # its CPU once more (rare, and never more than that child's)
    reaped = _cpu(resource.RUSAGE_CHILDREN)
    return reaped + live_descendants_cpu(os.getpid())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    if not _LOG:
        yield
        return
    wall, own, children = time.monotonic(), _cpu(resource.RUSAGE_SELF), _children_cpu()
    yield
    line = (
        f"{item.nodeid}\t{time.monotonic() - wall:.2f}\t{_cpu(resource.RUSAGE_SELF) - own:.2f}\t"
        f"{_children_cpu() - children:.2f}\t{time.time():.1f}\t"
        f"{os.environ.get('PYTEST_XDIST_WORKER', '-')}\n"
    )
    with open(_LOG, "a") as fh:  # one short append per test: lines of parallel workers stay whole
        fh.write(line)
