"""The HTTP plumbing shared by the fake backends: loopback only, threaded, recorded.

Each backend subclasses `FakeServer` and implements `FakeServer.handle`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import socket
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from oauthpy.testing.chat_tools import NoFittingTool, tool_schemas, vendor_call, workdir_of
from oauthpy.testing.script import (
    Answer,
    CallTool,
    Echo,
    Gate,
    HttpError,
    Match,
    Reply,
    Step,
    VendorStep,
    resolve_tool,
)

_S = TypeVar("_S", bound="FakeServer")


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float

    @cached_property
    def body_text(self) -> str:
        """The body as JSON text, what `Match` and `Echo` search (made once per request)."""
        return json.dumps(self.body)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        fake = self.server.fake
        req = RecordedRequest(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
        )
        with fake._lock:
            fake.requests.append(req)
            fake._lock.notify_all()
        try:
            fake.handle(self, req)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_POST = _dispatch
    do_GET = _dispatch
    do_HEAD = _dispatch

    # -- helpers for backends ---------------------------------------------------------------

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def sse(self, data: Any, event: str | None = None) -> None:
        frame = (f"event: {event}\n" if event else "") + f"data: {json.dumps(data)}\n\n"
        self.wfile.write(frame.encode())
        self.wfile.flush()

    def hang(self, seconds: float) -> None:
        """Send nothing until ``seconds`` pass, the server stops or the agent hangs up (which
        the fake records: `FakeServer.wait_for_dropped`)."""
        fake = self.server.fake
        deadline = time.monotonic() + seconds
        # a peer that closes makes the socket readable (at its end of file); checked a tenth of a
        # second apart, so that a stop is seen as soon
        poller = select.poll()  # not select(): a busy test process may hold fds past 1024
        poller.register(self.connection, select.POLLIN | select.POLLHUP | select.POLLERR)
        while not fake._stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            ready = poller.poll(min(left, 0.1) * 1000)
            if ready and _hung_up(self.connection):
                fake._note_dropped()
                break
            if ready:  # more bytes while it waits for an answer: not a hang-up; wait it out
                fake._stopping.wait(max(0.0, deadline - time.monotonic()))
        self.close_connection = True


def _hung_up(sock: socket.socket) -> bool:
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:  # reset
        return True


def stop_serving(httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
    """Stop a fake's server and its thread, at once.

    The server's loop sees a stop only at its next poll (up to half a second, for every fake of
    every test): a connection to it wakes it now; it reads no request from that connection."""
    stopper = threading.Thread(target=httpd.shutdown, daemon=True)
    stopper.start()
    port = int(httpd.server_address[1])
    deadline = time.monotonic() + 5.0
    while stopper.is_alive() and time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1.0):
            pass
        stopper.join(0.01)
    httpd.server_close()
    thread.join(5)


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server for the fakes that prints no traceback when an agent hangs up."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # An agent killed mid-run (a Ctrl-C, a timeout) resets its kept-alive connection while
        # a handler waits for its next request: that is no error of the fake's, and a traceback
        # on stderr would land in the output of `oauthpy run` in offline mode.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _HTTPServer(QuietHTTPServer):
    allow_reuse_address = True
    fake: FakeServer


class FakeServer:
    """A scripted fake model API on ``127.0.0.1``. Use as a context manager.

    ``script(*steps)`` queues replies; ``requests`` lists what the vendor sent. Every
    request for a model turn takes the next step; the last step repeats when the script
    runs out; with no script at all, ``default`` answers.
    """

    default: Step = Reply(text="ok")

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        # a Condition (re-entrant), so a test can wait for a request instead of polling
        self._lock = threading.Condition()
        self._steps: list[Step] = list(steps)
        self._stopping = threading.Event()
        #: the request a handler thread is answering (which tool fits a step depends on its tools)
        self._asking = threading.local()
        self.requests: list[RecordedRequest] = []
        #: headers every scripted `HttpError` answer carries beside its own (an agent's wiring
        #: sets ``x-should-retry: false`` where its CLI would otherwise retry for minutes)
        self.error_headers: dict[str, str] = {}
        #: how many answers the agent stopped waiting for (`Hang`s it hung up on)
        self.dropped = 0
        #: wall-clock time the first text delta was written (for latency measurements)
        self.first_delta_at: float | None = None
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=type(self).__name__, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self: _S, *steps: Step) -> _S:
        """Replace the queue of replies."""
        with self._lock:
            self._steps = list(steps)
        return self

    def reset(self: _S) -> _S:
        """Forget the script and the recorded requests, so that one fake (and the warm agent
        that talks to it) serves test after test."""
        with self._lock:
            self._steps = []
            self.requests.clear()
            self.dropped = 0
            self.first_delta_at = None
        return self

    def next_step(self, req: RecordedRequest | None = None) -> Answer:
        step: Step
        with self._lock:
            if not self._steps:
                step = self.default
            elif len(self._steps) == 1:
                step = self._steps[0]
            else:
                step = self._steps.pop(0)
        self._asking.req = req
        try:
            return self._resolve(step, req)
        except NoFittingTool as e:
            return HttpError(400, str(e), code="no_fitting_tool")
        finally:
            self._asking.req = None

    def answering(self) -> RecordedRequest | None:
        """The request this handler thread is answering, for `vendor_reply`."""
        req: RecordedRequest | None = getattr(self._asking, "req", None)
        return req

    def other_agent_call(self, step: VendorStep, own: tuple[str, ...]) -> Reply | None:
        """``step`` as a call of the tool the request declares when the agent is not this
        fake's own vendor (none of ``own`` declared: copilot on the Messages API, say); None for
        the vendor itself."""
        req = self.answering()
        if req is None or set(own) & set(self.declared_tools(req)):
            return None
        return vendor_call(step, tool_schemas(req.body), workdir_of(req.body_text))

    def _resolve(self, step: Step, req: RecordedRequest | None) -> Answer:
        """What ``step`` answers ``req`` with, once a Match chose and a Gate opened."""
        while not isinstance(step, Answer):
            if isinstance(step, Match):
                body = req.body_text if req is not None else ""
                step = step.then if re.search(step.pattern, body) else step.otherwise
            elif isinstance(step, Gate):  # outside the lock: other requests go on meanwhile
                step.opened.wait(step.timeout_s)
                step = step.then
            elif isinstance(step, CallTool):
                return resolve_tool(step, self.declared_tools(req) if req is not None else [])
            elif isinstance(step, Echo):
                found = re.search(step.pattern, req.body_text if req is not None else "")
                return Reply(text=step.prefix + (found.group(0) if found else "?"), chunks=step.chunks)
            else:
                return self.vendor_reply(step)
        return step

    def vendor_reply(self, step: VendorStep) -> Reply:
        """``step`` as this vendor's own tool call (each fake knows its vendor's tools)."""
        raise NotImplementedError(f"{type(self).__name__} cannot answer {type(step).__name__}")

    def env(self, root: str | os.PathLike[str]) -> dict[str, str]:
        """The environment that sends the vendor's real CLI to this fake, with all of the
        vendor's state in ``root`` (created if missing)."""
        return self.agent_env(root)

    def __getattr__(self, name: str) -> Any:
        # ``<agent>_env(root, ...)`` for any agent of the registry (``codex_env``, ``qwen_env``):
        # the environment that sends that agent's CLI here
        from oauthpy import _registry

        agent = _registry.find(name.removesuffix("_env")) if name.endswith("_env") else None
        if agent is None or agent.takes_command:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def agent_env(root: str | os.PathLike[str], **options: Any) -> dict[str, str]:
            return agent.fake_environment(self, root, defaults=False, **options)

        return agent_env

    def agent_env(self, root: str | os.PathLike[str], **options: Any) -> dict[str, str]:
        """`env` of a fake whose agent wiring lives in the agent's package: the first registered
        agent whose entry names this fake and how to point it here (``fake_setup``)."""
        from oauthpy import _registry

        agent = _registry.owner_of_fake(type(self))
        if agent is None:
            raise NotImplementedError(f"no registered agent is wired to {type(self).__name__}")
        setup: Any = _registry.load(agent.fake_setup)
        env: dict[str, str] = setup(self, root, **options)
        return env

    def wait_for_model_requests(self, count: int, timeout: float = 60.0) -> None:
        """Block until ``count`` model requests have arrived (concurrent runs are all mid-run)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.model_requests()) >= count, timeout):
                raise TimeoutError(
                    f"{len(self.model_requests())} of {count} model requests arrived in {timeout:g} s;"
                    f" {self._others()}"
                )

    def _note_dropped(self) -> None:
        with self._lock:
            self.dropped += 1
            self._lock.notify_all()

    def wait_for_dropped(self, count: int = 1, timeout: float = 60.0) -> None:
        """Block until the agent has hung up on ``count`` requests it was left waiting on (a
        `Hang`): it gave up on them, as an agent does when its turn is cancelled."""
        with self._lock:
            if not self._lock.wait_for(lambda: self.dropped >= count, timeout):
                raise TimeoutError(
                    f"{self.dropped} of {count} hanging requests were dropped in {timeout:g} s"
                )

    def model_requests(self) -> list[RecordedRequest]:
        """Requests that asked for a model turn (what `next_step` answered)."""
        with self._lock:
            return [r for r in self.requests if self.is_model_request(r)]

    def wait_for_model_request(self, timeout: float = 60.0) -> RecordedRequest:
        """Block until the vendor CLI has sent a model request (it is mid-run); return it.

        The bound is a run's own (60 s): a CLI's start alone can take half of that on a loaded
        machine (OpenCode's, under a parallel test suite on two cores)."""
        with self._lock:
            if not self._lock.wait_for(self.model_requests, timeout):
                raise TimeoutError(
                    f"no model request reached {type(self).__name__} in {timeout:g} s; {self._others()}"
                )
            return self.model_requests()[0]

    def _others(self) -> str:
        """What did reach the fake meanwhile, for a timeout's message (a start that never got
        to the model, or a request the fake did not count as one)."""
        seen = [f"{r.method} {r.path}" for r in self.requests if not self.is_model_request(r)]
        if not seen:
            return "it got no request"
        return f"it got {len(seen)} other request{'s' * (len(seen) > 1)}: {', '.join(seen[-5:])}"

    def declared_tools(self, req: RecordedRequest) -> list[str]:
        """The names of the tools a model request offers the model (each fake reads its API's)."""
        return []

    def is_model_request(self, req: RecordedRequest) -> bool:
        return req.method == "POST"

    def mark_first_delta(self) -> None:
        if self.first_delta_at is None:
            self.first_delta_at = time.time()

    def handle(self, h: _Handler, req: RecordedRequest) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._stopping.set()
        stop_serving(self._httpd, self._thread)

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Handler = _Handler
