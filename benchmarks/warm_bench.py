"""The warm rows: a run in a warm Python process beside the same raw vendor work, the time to
the first event, a session's follow-up turns and the runs of one ``with Client`` block.

Imported by run.py (sections ``runs``, ``first-event``, ``sessions`` and ``pool``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rigs import PROMPT, Rig, rig, tagged, transports
from stats import Row, paired, wall


def runs(reps: int, providers: list[str], root: Path) -> list[Row]:
    """One run in a warm Python process, beside the same vendor work done raw (no pool)."""
    rows = []
    for provider in providers:
        with rig(provider, root / f"warm-{provider}") as r:
            for transport in transports(provider):
                client = r.client_on(transport)
                if transport == "app-server":
                    what, raw = "codex (app-server, a process per run)", r.raw_app_run
                    label = "raw start + thread + turn + close"
                else:
                    what, raw, label = tagged(provider, transport), r.raw_run, "raw"
                row = Row("warm run", what, label, "Client.run", target="<= 1.02x")
                rows.append(paired(row, raw, lambda r=r, c=client: r.oauthpy_run(c), reps, warmup=2))
    return rows


def first_event(reps: int, providers: list[str], root: Path) -> list[Row]:
    """From the fake's first streamed delta to the first message event the consumer sees."""
    from oauthpy.testing import Reply

    rows = []
    for provider in providers:
        with rig(provider, root / f"ttfe-{provider}") as r:
            for transport in transports(provider):
                client = r.client_on(transport)
                what = f"{tagged(provider, transport)}: fake's first delta -> consumer"
                raw = r.raw_first_event
                if transport == "app-server":
                    what = "codex (app-server): fake's first delta -> first text delta"
                    raw = r.raw_app_first_event
                elif transport == "exec":
                    what = "codex (exec): fake's first delta -> first message event (whole message)"
                row = Row(
                    "first event",
                    what,
                    "raw stdout/SDK",
                    "stream()",
                    unit="ms",
                    compare="diff",
                    target="< +5 ms",
                )
                rows.append(paired(row, raw, lambda r=r, c=client: r.oauthpy_first_event(c), reps, warmup=1))
            if provider == "gemini":
                rows.append(_gemini_first_delta(reps, r))
            if provider != "codex":
                continue
            # The transports against each other: the first text a consumer of oauthpy sees.
            on_exec, on_app = r.client_on("exec"), r.client_on("app-server")
            for reply, how in (
                (None, "a reply of 3 pieces at once"),
                (Reply(text="ok", chunks=2, chunk_delay_s=0.1), "a reply streamed over 0.2 s"),
            ):
                if reply is not None:
                    r.fake.script(reply)
                row = Row(
                    "first event",
                    f"codex, {how}: first text on app-server (a delta) vs on exec (the message)",
                    "exec: message event",
                    "app-server: delta",
                    unit="ms",
                    compare="diff",
                    target="- (< 0: app-server first)",
                )
                rows.append(
                    paired(
                        row,
                        lambda r=r, c=on_exec: r.oauthpy_first_event(c),
                        lambda r=r, c=on_app: r.oauthpy_first_event(c),
                        reps,
                        warmup=1,
                    )
                )
    return rows


def _gemini_first_delta(reps: int, r: Rig) -> Row:
    """gemini's first text delta on a warm ACP agent against a stream-json run's."""
    row = Row(
        "first event",
        "gemini: fake's first delta -> first text delta, on a warm acp agent vs on stream-json",
        "stream-json",
        "acp (warm)",
        unit="ms",
        compare="diff",
        target="-",
    )
    lone = r.client_on("stream-json")
    with r.client_on("acp") as warm:
        r.oauthpy_first_event(warm)  # starts the process
        row = paired(
            row, lambda: r.oauthpy_first_event(lone), lambda: r.oauthpy_first_event(warm), min(reps, 3)
        )
    return row


def sessions(reps: int, providers: list[str], root: Path, turns: int) -> list[Row]:
    """Follow-up turns of a session against fresh one-shot runs (and, for codex, raw turns)."""
    rows = []
    for provider in providers:
        with rig(provider, root / f"session-{provider}") as r:
            if provider == "codex":
                rows += _codex_sessions(reps, r, turns)
                continue
            reps = min(reps, 2)  # claude and gemini: a few seconds a turn
            client = r.client
            what = f"{provider}: turns 2..{turns}" + (" (acp)" if provider == "gemini" else "")
            row = Row(
                "sessions",
                what,
                "fresh one-shot run",
                "session turn",
                target="<= 0.05x" if provider == "gemini" else "-",
            )
            for _ in range(reps):
                with client.session(cwd=r.work, model=r.model) as chat:
                    chat.run(PROMPT)
                    for _ in range(turns - 1):
                        t = time.perf_counter()
                        r.oauthpy_run(client)
                        row.a.append(time.perf_counter() - t)
                        t = time.perf_counter()
                        chat.run(PROMPT)
                        row.b.append(time.perf_counter() - t)
            rows.append(row)
    return rows


def _codex_sessions(reps: int, r: Rig, turns: int) -> list[Row]:
    """A session turn (one app-server process and thread for the session) beside a fresh
    one-shot run on ``codex exec`` and beside a raw follow-up turn on a live thread."""
    what = f"codex: session turns 2..{turns} (app-server)"
    vs_exec = Row(
        "sessions",
        f"{what} vs a fresh one-shot run on exec",
        "run on exec",
        "session turn",
        target="<= 0.35x",
    )
    vs_raw = Row(
        "sessions",
        f"{what} vs a raw follow-up turn on a live thread",
        "raw turn",
        "session turn",
        target="<= 1.05x",
    )
    on_exec = r.client_on("exec")
    request = r.request()

    def turn(chat: Any) -> None:
        result = chat.run(PROMPT)
        assert result.text == "ok" and result.transport == "app-server", result

    for _ in range(reps):
        with r.client.session(cwd=r.work, model=r.model) as chat, r.raw_app() as raw:
            turn(chat)  # turn 1 starts the process and the thread, on both sides
            thread = raw.thread(request)
            raw.turn(thread, request)
            for _ in range(turns - 1):
                vs_exec.a.append(wall(lambda: r.oauthpy_run(on_exec)))
                ours = wall(lambda chat=chat: turn(chat))
                vs_exec.b.append(ours)
                vs_raw.b.append(ours)
                vs_raw.a.append(wall(lambda raw=raw, thread=thread: raw.turn(thread, request)))
    return [vs_exec, vs_raw]


def pool(reps: int, providers: list[str], root: Path, runs: int) -> list[Row]:
    """Runs 2..N inside ``with Client``: a new thread (codex), conversation (claude) or ACP
    session (gemini) each, on one warm process."""
    rows = []
    if "codex" in providers:
        rows += _codex_pool(reps, root, runs)
    if "claude" in providers:
        what = "vs a fresh claude run (SDK query())"
        rows += _one_process_pool("claude", what, "fresh query()", "<= 0.3x", min(reps, 3), root, runs)
    if "gemini" in providers:
        what, raw = "(acp) vs a raw `gemini` one-shot", "raw gemini -o stream-json"
        # a raw gemini run takes seconds
        rows += _one_process_pool("gemini", what, raw, "<= 0.1x", min(reps, 2), root, runs, "acp")
    return rows


def _codex_pool(reps: int, root: Path, runs: int) -> list[Row]:
    what = f"codex: runs 2..{runs} in `with Client` (app-server)"
    vs_exec = Row(
        "warm pool",
        f"{what} vs a raw `codex exec` one-shot",
        "raw codex exec",
        "pooled run",
        target="<= 0.6x",
    )
    vs_raw = Row(
        "warm pool",
        f"{what} vs raw new thread + turn on a live app-server",
        "raw thread + turn",
        "pooled run",
        target="<= 1.05x",
    )
    with rig("codex", root / "pool-codex") as r:
        request = r.request()
        for _ in range(reps):
            with r.client as client, r.raw_app() as raw:
                r.oauthpy_run(client)  # run 1 starts the process, on both sides
                raw.run(request)
                for _ in range(runs - 1):
                    vs_exec.a.append(wall(r.raw_run))
                    ours = wall(lambda client=client: r.oauthpy_run(client))
                    vs_exec.b.append(ours)
                    vs_raw.b.append(ours)
                    vs_raw.a.append(wall(lambda raw=raw: raw.run(request)))
                _assert_warm(client, runs)
    return [vs_exec, vs_raw]


def _one_process_pool(
    provider: str,
    what: str,
    baseline: str,
    target: str,
    reps: int,
    root: Path,
    runs: int,
    transport: str | None = None,
) -> list[Row]:
    """Runs 2..N of one ``with Client`` block (one warm process) against ``r.raw_run``."""
    row = Row(
        "warm pool",
        f"{provider}: runs 2..{runs} in `with Client` {what}",
        baseline,
        "pooled run",
        target=target,
    )
    with rig(provider, root / f"pool-{provider}") as r:
        for _ in range(reps):
            with r.client as client:
                r.oauthpy_run(client, transport)  # run 1 starts the process
                for _ in range(runs - 1):
                    row.a.append(wall(r.raw_run))
                    row.b.append(wall(lambda client=client: r.oauthpy_run(client, transport)))
                _assert_warm(client, runs)
    return [row]


def _assert_warm(client: Any, runs: int) -> None:
    agents = client._runner.pool
    assert agents is not None and (agents.started, agents.reused) == (1, runs - 1), "the runs were not warm"
