"""The concurrency rows: N runs at once through oauthpy against N raw runs on threads, each
measured in a fresh process (``--child``) so that its memory is its own.

Imported by run.py (section ``concurrency``).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rigs import PROMPT, reset_peak_rss, rig, rss_mb, tagged, transports
from stats import Row, wall

HERE = Path(__file__).resolve().parent


def concurrency(reps: int, providers: list[str], levels: list[int]) -> list[Row]:
    """N runs at once: oauthpy's ``asyncio.gather`` of ``arun`` against N raw runs on threads.

    Memory is this Python process's own (the vendor processes are not counted, and are the
    same on both sides): how much its resident set grows at the peak of N concurrent runs,
    divided by N, and the peak of Python allocations (tracemalloc, a second batch) divided by N.
    """
    rows = []
    for provider in providers:
        for transport in transports(provider):
            for n in levels:
                what = f"{tagged(provider, transport)} x{n}"
                wall_row = Row(
                    "concurrency", f"{what}: wall", "raw", "oauthpy", target="<= 1.10x" if n == 32 else "-"
                )
                rss = Row(
                    "concurrency",
                    f"{what}: Python process RSS growth at the peak, per run (MB)",
                    "raw",
                    "oauthpy",
                    unit="MB",
                    compare="diff",
                    target="< +2 MB",
                )
                heap = Row(
                    "concurrency",
                    f"{what}: Python allocations at the peak (tracemalloc), per run (MB)",
                    "raw",
                    "oauthpy",
                    unit="MB",
                    compare="diff",
                    target="-",
                )
                for _ in range(reps):
                    a, b = _child("raw", provider, n, transport), _child("oauthpy", provider, n, transport)
                    for row, key in ((wall_row, "wall"), (rss, "rss_mb"), (heap, "heap_mb")):
                        if a.get(key) is not None and b.get(key) is not None:
                            row.a.append(a[key])
                            row.b.append(b[key])
                rows += [row for row in (wall_row, rss, heap) if row.a]
    return rows


def _child(mode: str, provider: str, n: int, transport: str | None) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "concurrency_bench.py"),
            "--child",
            mode,
            provider,
            str(n),
            transport or "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def child(mode: str, provider: str, n: int, transport: str | None) -> None:
    """One concurrency measurement in a fresh process, so that its memory is its own."""
    import gc
    import tracemalloc

    with tempfile.TemporaryDirectory() as tmp, rig(provider, Path(tmp)) as r:
        client = r.client_on(transport)
        if mode == "oauthpy":
            one = lambda: r.oauthpy_run(client)  # noqa: E731

            async def many(k: int) -> None:
                results = await asyncio.gather(
                    *(client.arun(PROMPT, cwd=r.work, model=r.model) for _ in range(k))
                )
                assert all(x.text == "ok" for x in results)

            def batch(k: int) -> None:
                asyncio.run(many(k))

        else:
            from concurrent.futures import ThreadPoolExecutor

            one = r.raw_app_run if transport == "app-server" else r.raw_run

            def batch(k: int) -> None:
                with ThreadPoolExecutor(k) as pool:
                    list(pool.map(lambda _: one(), range(k)))

        one()  # alone: the first run sets up the vendor's state dir
        batch(min(n, 2))  # the batch path's own first-use costs (imports, caches) are not per run
        gc.collect()
        linux = Path("/proc/self/clear_refs").exists()
        if linux:
            reset_peak_rss()
        before = rss_mb()[0] if linux else 0.0
        took = wall(lambda: batch(n))
        rss = (rss_mb()[1] - before) / n if linux else None
        gc.collect()
        tracemalloc.start()
        batch(n)
        heap = tracemalloc.get_traced_memory()[1] / n / 2**20
        tracemalloc.stop()
    print(json.dumps({"wall": took, "rss_mb": rss, "heap_mb": heap}))


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _mode, _provider, _n, _transport = sys.argv[2:6]
    child(_mode, _provider, int(_n), None if _transport == "-" else _transport)
