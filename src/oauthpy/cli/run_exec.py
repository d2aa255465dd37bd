"""A fresh ``oauthpy run`` that asks for the answer alone, on the agent's one-shot transport
(`Agent.answer_transport`: ``codex exec --json``), started before the rest of the run imports.

Why: a fresh ``oauthpy run -p codex`` cost twice a bare ``codex exec`` (issue 55), most of it
Python loading the event loop, the client and the app-server transport while codex had not
started. The final text (or ``--json``) needs none of them. Here the run is checked, its login
state found and checked on file, and the agent's CLI started, right after the arguments are
read; its parser and the result's types import while it works, and its output is read without
an event loop (`asyncio` alone costs a third of codex's own start on two cores).

The general path's guarantees hold: bad input and a missing login are refused before the CLI
starts (`start` returns None when only a process could tell whether there is a login, and the
general path asks it), the prompt goes on stdin, the CLI leads a process group of its own and
carries the run's id (the exit-time hook's), and a Ctrl-C, a SIGTERM, a timeout or an error end
it, SIGTERM then SIGKILL, as `oauthpy._teardown.stop` does. Its output goes through the agent's
own parser: the same events, errors and `RunResult` as ``Client(agent, transport=...)``.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

    from oauthpy._events import Event, RunResult
    from oauthpy._invocation import Invocation
    from oauthpy._options import RunRequest

#: how long codex may take to end after SIGTERM, then SIGKILL (`oauthpy._teardown`'s)
TERM_GRACE_S = 2.0
KILL_WAIT_S = 5.0


class Started:
    """The agent's CLI under way, and what its result needs."""

    def __init__(self, args: argparse.Namespace, transport: str, provider: Any, request: RunRequest) -> None:
        self.agent: str = args.provider
        self.transport, self.provider, self.request = transport, provider, request
        self.home = os.path.abspath(os.path.expanduser(_home()))
        self.source = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.run_id = ""
        self.inv: Invocation | None = None
        self.began = time.monotonic()
        #: when ``--timeout`` runs out (``time.monotonic()``), from before the CLI started
        self.deadline = request.deadline()


def fits(args: argparse.Namespace) -> bool:
    """Whether the command asks only what the one-shot gives, with nothing this path leaves to
    the general one (the offline fakes, attachments, retries, another agent's fallback)."""
    return (
        not args.stream
        and not getattr(args, "agent_command", None)
        and not getattr(args, "attach", None)
        and not getattr(args, "fallback", None)
        and not getattr(args, "max_retries", None)
        and not os.environ.get("OAUTHPY_OFFLINE")
    )


def _home() -> str:
    from oauthpy._folders import oauthpy_home

    return oauthpy_home()


def start(args: argparse.Namespace, prompt: str, kw: dict[str, Any], transport: str) -> Started | None:
    """Check the run and start the agent's CLI for ``transport``; None when its login needs a
    process to find (the general path then runs it). Raises what the general path raises for
    bad input, before anything starts."""
    from oauthpy import _registry as registry
    from oauthpy._auth.manager import AuthManager
    from oauthpy._options import build_request

    agent = registry.get(args.provider)
    if agent.usage_observer:
        return None  # a run's events would have to reach it: the general path does that
    request = build_request(prompt, **{k: v for k, v in kw.items() if k != "fallback"})
    # `_runner.load_provider`'s one line, without importing the runner before the CLI starts
    started = Started(args, transport, agent.make_provider(None), request)
    auth = AuthManager(args.provider, args.source, started.home, {})
    auth.check_overrides(request.env)
    started.provider.check(request)
    source = auth.resolve_on_file(request.env)
    login_on_file = getattr(auth.backend, "login_on_file", None)
    if source is None or login_on_file is None:
        return None
    auth.prepare(source)
    env = auth.env_for(source, request.env)
    if not login_on_file(env, auth.state_dir(source, env), request, transport):
        return None  # perhaps a login in the OS keyring: only the vendor's CLI can say
    started.source, started.inv = source, started.provider.build(request, env)
    try:
        started.proc, started.run_id = _spawn(started.inv)
    except BaseException:
        started.inv.cleanup()
        raise
    return started


def _spawn(inv: Invocation) -> tuple[subprocess.Popen[bytes], str]:
    import subprocess

    from oauthpy._errors import ProviderNotInstalledError
    from oauthpy._run_marks import (
        RUN_ID_VAR,
        kill_all_marked_now,
        new_run_id,
        own_session,
        register_group,
        release,
    )

    run_id = new_run_id()
    try:
        proc = subprocess.Popen(
            inv.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=inv.cwd,
            env={**inv.env, RUN_ID_VAR: run_id},
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError) as exc:
        release(run_id)
        what = "was not found" if isinstance(exc, FileNotFoundError) else "is not executable"
        raise ProviderNotInstalledError(f"{inv.argv[0]} {what}", hint=inv.install_hint or None) from None
    except BaseException:
        # a Ctrl-C or SIGTERM the moment codex started (inside Popen, once the child runs): no
        # Popen is left to stop it by, but it carries the run's id (left alone, it would end
        # only when it noticed its input had closed)
        kill_all_marked_now(run_id, KILL_WAIT_S)
        release(run_id)
        raise
    register_group(proc.pid)
    own_session(run_id, proc.pid)
    return proc, run_id


def finish(started: Started, args: argparse.Namespace) -> int:
    """Read the CLI to its end, print what the command prints, and leave nothing running."""
    proc, inv = started.proc, started.inv
    assert proc is not None and inv is not None
    ended = False
    try:
        from oauthpy.cli.render import answer_text, dumps, result_json  # while the CLI starts
        from oauthpy.cli.term import Spinner

        with Spinner(f"{started.agent} is working") as spinner:
            result = _result(started, spinner)
        ended = True
    finally:
        try:
            _end(started, term=not ended)
        finally:
            inv.cleanup()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None and not pipe.closed:
                    pipe.close()
    if args.json:
        print(dumps(result_json(result)))
    elif result.output is not None and started.request.output_schema is not None:
        print(dumps(result_json(result)["output"]))
    else:
        print(answer_text(result))
    return 0


def _result(started: Started, spinner: Any) -> RunResult:
    request, proc, inv = started.request, started.proc, started.inv
    assert proc is not None and proc.stdin is not None and inv is not None
    os.set_blocking(proc.stdin.fileno(), False)  # the rest goes as the CLI reads it
    from oauthpy.cli.exec_io import read_output, write_some

    left = write_some(proc.stdin.fileno(), memoryview(inv.stdin or b""))
    if not left:
        proc.stdin.close()
    from oauthpy._errors import AuthRequiredError, OauthPyError, TimeoutExceededError
    from oauthpy._events import EventKind
    from oauthpy._redact import redact, secret_values

    note_of: Callable[[Event], str | None] = _no_note
    if spinner.enabled:  # a terminal's spinner says when the run retries or reconnects
        from oauthpy.cli.progress import progress_note as note_of

    parser = started.provider.new_parser(request)
    from oauthpy.cli.interrupts import collecting

    collecting()  # the CLI is running and what reads it is imported (cli/interrupts.py)
    events: list[Event] = []
    output = None
    from oauthpy._run_outcome import last_retry

    notice: Event | None = None  # codex's `Reconnecting... 2/5`, while no progress follows it
    try:

        def feed(line: str) -> None:
            nonlocal notice
            for event in parser.feed(line):
                events.append(_seen(event, spinner, note_of))
                notice = last_retry(notice, event)

        stderr = read_output(proc, started.began, left, started.deadline, request.idle_timeout, feed)
        returncode = _exit_code(proc, started.deadline, started.began)
        tail = redact(stderr[-4000:].decode("utf-8", "replace"), secret_values(inv.env))
        for event in parser.finish(returncode, tail):
            events.append(_seen(event, spinner, note_of))
        done = events[-1] if events and events[-1].kind is EventKind.DONE else None
        if done is not None and request.output_schema is not None:
            from oauthpy._structured import parse_structured

            output = parse_structured(done.text, request)
    except OauthPyError as exc:  # as `Runner._events` says it
        if isinstance(exc, TimeoutExceededError) and notice is not None:
            raise exc.while_retrying(started.agent, notice.text or "retrying") from exc
        if not isinstance(exc, AuthRequiredError) or started.source != "oauthpy":
            raise
        from oauthpy._auth.manager import AuthManager

        auth = AuthManager(started.agent, "oauthpy", started.home, {})
        raise AuthRequiredError(
            f"{exc.message} (the run used oauthpy's isolated login state in {auth.isolated_dir})",
            hint=auth.isolated_login_hint(exc.hint),
        ) from exc
    return _folded(started, events, output)


def _exit_code(proc: subprocess.Popen[bytes], deadline: float | None, began: float) -> int:
    """codex's exit code once its output has ended, bounded by the run's timeout."""
    import subprocess

    try:
        return proc.wait(None if deadline is None else max(deadline - time.monotonic(), 0.0))
    except subprocess.TimeoutExpired:
        from oauthpy._errors import TimeoutExceededError

        raise TimeoutExceededError(
            "total timeout fired while waiting for the process to exit",
            which="total",
            after_s=time.monotonic() - began,
        ) from None


def _no_note(event: Event) -> None:
    """No spinner to tell (stderr is no terminal)."""


def _seen(event: Event, spinner: Any, note_of: Callable[[Event], str | None]) -> Event:
    note = note_of(event)
    if note is not None:
        spinner.note(note)
    return event


def _folded(started: Started, events: list[Event], output: Any) -> RunResult:
    """The run's `RunResult`, as `Runner.collect` folds a run on exec."""
    from oauthpy._events import EventKind, RunResult, Usage
    from oauthpy._prices import cost_of

    request = started.request
    done = events[-1] if events and events[-1].kind is EventKind.DONE else None
    usage = done.usage if done and done.usage else Usage()
    model = done.model if done else None
    cost, estimated = cost_of(model or request.model, usage)
    return RunResult(
        provider=started.agent,
        transport=started.transport,
        text=done.text if done else "",
        events=tuple(events),
        elapsed_s=time.monotonic() - started.began,
        cwd=request.cwd,
        usage=usage,
        model=model,
        session_id=done.session_id if done and not request.provider_options.get("ephemeral") else None,
        output=output,
        auth_source=started.source,
        raw={},
        cost_usd=cost,
        cost_estimated=estimated,
    )


def _end(started: Started, *, term: bool) -> None:
    """End codex and whatever carries the run's id: SIGTERM then, after a grace, SIGKILL
    (``term``: the run did not finish), else only what it left behind; codex reaped."""
    from oauthpy._run_marks import (
        forget_group,
        kill_all_marked_now,
        kill_marked,
        owns_group,
        release,
        run_pids,
        signal_group,
    )

    proc, run_id = started.proc, started.run_id
    assert proc is not None
    if term and proc.poll() is None:
        if owns_group(proc.pid):  # its leader unreaped: the group id is still its own
            signal_group(proc.pid, signal.SIGTERM)
        kill_marked(run_id, signal.SIGTERM)
        if not _reaped(proc, TERM_GRACE_S):
            if owns_group(proc.pid):
                signal_group(proc.pid, signal.SIGKILL)
            _reaped(proc, KILL_WAIT_S)
    else:
        _reaped(proc, KILL_WAIT_S)
    forget_group(proc.pid)
    # helpers it left (none with the shell snapshot off): killed now, until none is left, when
    # the run was stopped, else by the exit-time hook, as the general path's command leaves them
    if run_pids(run_id) and (not term or not kill_all_marked_now(run_id, KILL_WAIT_S)):
        return
    release(run_id)


def _reaped(proc: subprocess.Popen[bytes], within_s: float) -> bool:
    import subprocess

    try:
        proc.wait(within_s)
    except subprocess.TimeoutExpired:
        return False
    return True


__all__ = ["Started", "finish", "fits", "start"]
