"""The agent's questions asked on the terminal (``oauthpy run`` and ``oauthpy chat``), and the
lines typed while a run goes on.

A question is shown with its numbered options; the person answers with a number, a label or
their own words (several, comma-separated, where the question takes several), and an empty line
declines. With no terminal on stdin nobody can answer: the run's ``on_question`` is `decline`,
so the agent is told the user declined and the ``question`` event shows what it asked.

Lines are read by `TerminalLines`, a thread that waits on the terminal and on a pipe of its own,
not by ``input()``: a run can end (Ctrl-C, its timeout) while a question waits, and a thread
blocked in ``input()`` would outlive it, keep the process from exiting and take the next line
typed at the chat prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from oauthpy._describe import safe
from oauthpy.cli.term import on_terminal

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._questions import Question, QuestionCallback

#: how long closing waits for the reading thread (it ends as soon as its pipe is written)
_JOIN_S = 2.0
#: a question whose answer names no option gets asked again at most this many times
_TRIES = 5


class TerminalLines:
    """Lines typed on ``fd`` while a run goes on: each goes to a question waiting for one
    (`line`), else to ``on_line`` (steering, or keeping it for later), else to the next
    `line` call.

    ``on_line`` runs on the reading thread; `close` ends that thread at once.
    """

    def __init__(self, fd: int = 0, on_line: Callable[[str], None] | None = None) -> None:
        self._fd = fd
        self._on_line = on_line
        self._wake_r, self._wake_w = os.pipe()
        self._lock = threading.Lock()
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[str | None]]] = []
        #: lines typed with no question waiting and no ``on_line``: the next questions' answers
        self._typed_ahead: list[str] = []
        self._ended = False
        self._thread = threading.Thread(target=self._read, name="oauthpy-terminal-lines", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        pending = b""
        try:
            while True:
                try:
                    ready, _, _ = select.select([self._fd, self._wake_r], [], [])
                    if self._wake_r in ready:
                        return
                    data = os.read(self._fd, 4096)
                except (OSError, ValueError):  # the terminal is gone: as the end of its input
                    data = b""
                if not data:
                    return
                pending += data
                while b"\n" in pending:
                    raw, _, pending = pending.partition(b"\n")
                    self._route(raw.decode("utf-8", "surrogateescape").rstrip("\r"))
        finally:
            self._end()
            with self._lock:  # this thread's pipe: closed once it no longer waits on it
                os.close(self._wake_r)
                os.close(self._wake_w)
                self._wake_r = self._wake_w = -1

    def _route(self, line: str) -> None:
        with self._lock:
            waiter = self._waiting.pop(0) if self._waiting else None
            if waiter is None and self._on_line is None:
                self._typed_ahead.append(line)
                return
        if waiter is not None:
            _hand(*waiter, line)
        elif self._on_line is not None:
            self._on_line(line)

    def _end(self) -> None:
        with self._lock:
            self._ended = True
            waiting, self._waiting = self._waiting, []
        for loop, future in waiting:  # end of input: nobody will answer
            _hand(loop, future, None)

    async def line(self) -> str | None:
        """The next line typed; None once the terminal's input has ended."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        with self._lock:
            if self._typed_ahead:
                return self._typed_ahead.pop(0)
            if self._ended:
                return None
            self._waiting.append((loop, future))
        try:
            return await future
        finally:
            with self._lock:
                if (loop, future) in self._waiting:
                    self._waiting.remove((loop, future))

    def close(self) -> None:
        """Stop reading (a line half typed stays on the terminal for whoever reads next). The
        thread ends at once, or, busy steering with the line it read, right after that."""
        with self._lock:
            if self._wake_w >= 0:
                os.write(self._wake_w, b"x")
        self._thread.join(_JOIN_S)

    def __enter__(self) -> TerminalLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _settle(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


def _hand(loop: asyncio.AbstractEventLoop, future: asyncio.Future[str | None], line: str | None) -> None:
    with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits any more
        loop.call_soon_threadsafe(_settle, future, line)


def can_ask(client: Client) -> bool:
    """Whether the transport the client runs on carries the agent's questions. The command line
    passes ``on_question`` only then: a callback would move a run to the transport that asks
    (gemini's to ACP) or be refused (codex ``exec``), and a question is no reason for either."""
    return client.transport in asking_transports(client.provider)


def asking_transports(agent: str) -> tuple[str, ...]:
    """The transports that carry ``agent``'s questions (and permission asks): its provider's."""
    from oauthpy import _registry as registry

    entry = registry.get(agent)
    # made, not started; a generic entry's (``acp``) does not depend on the command it is given
    provider = entry.make_provider(("agent",) if entry.takes_command else None)
    return tuple(getattr(provider, "asking", ()))


def decline(question: Question) -> None:
    """``on_question`` with no terminal to ask on: every question declined (and shown as a
    ``question`` event), rather than the agent left without the means to ask."""
    return None


def show(question: Question) -> str:
    """The question as the terminal shows it: redacted and escaped (the agent wrote it)."""
    head = f"{safe(question.header)}: " if question.header else ""
    lines = [f"? {head}{safe(question.text, prose=True)}"]
    for number, option in enumerate(question.options, 1):
        about = f" - {safe(option.description)}" if option.description else ""
        lines.append(f"  {number}. {safe(option.label)}{about}")
    return "\n".join(lines)


def prompt_for(question: Question) -> str:
    if not question.options:
        return "your answer (empty: decline) > "
    if question.multiple:
        return "numbers or labels, comma-separated, or your own words (empty: decline) > "
    return "a number, a label or your own words (empty: decline) > "


class NoSuchOption(ValueError):
    """A number that names no option: asked again."""


def read_typed(question: Question, typed: str) -> str | list[str] | None:
    """What the person typed as ``on_question``'s answer: None (empty: decline), an option's
    label (by number or label, any case), several (``multiple``: comma-separated numbers or
    labels), or else the words as typed. A number that names no option is `NoSuchOption`."""
    typed = typed.strip()
    if not typed:
        return None
    if not question.options:
        return typed
    parts = [part.strip() for part in typed.split(",")] if question.multiple else [typed]
    picked = [_option(question, part) for part in parts if part]
    if picked and all(label is not None for label in picked):
        labels = [label for label in picked if label is not None]
        return labels if question.multiple else labels[0]
    return typed


def _option(question: Question, typed: str) -> str | None:
    labels = question.labels
    if typed.isdigit():
        number = int(typed)
        if not 1 <= number <= len(labels):
            raise NoSuchOption(f"there is no option {number}: choose 1 to {len(labels)}")
        return labels[number - 1]
    for label in labels:
        if label.casefold() == typed.casefold():
            return label
    return None


def terminal_asker(
    lines: Callable[[], TerminalLines | None],
    out: TextIO | None = None,
    *,
    quiet: Callable[[], None] | None = None,
    fd: int = 0,
) -> QuestionCallback:
    """An ``on_question`` that asks on the terminal: the question on ``out`` (stderr), the
    answer from ``lines()`` (the lines a chat turn already reads) or, when that is None, from
    a `TerminalLines` of its own over ``fd`` for this question. ``quiet`` stops what would draw
    over the question (a spinner)."""

    async def ask(question: Question) -> str | list[str] | None:
        err = sys.stderr if out is None else out
        if quiet is not None:
            quiet()
        err.write(show(question) + "\n")
        reading = lines()
        own = TerminalLines(fd) if reading is None else None
        try:
            for _ in range(_TRIES):
                err.write(prompt_for(question))
                err.flush()
                typed = await (own or reading).line()  # type: ignore[union-attr]
                if typed is None:
                    err.write("\n")
                    return None
                try:
                    return read_typed(question, typed)
                except NoSuchOption as exc:
                    err.write(f"{exc}\n")
            return None
        finally:
            if own is not None:
                own.close()

    return ask


__all__ = [
    "NoSuchOption",
    "TerminalLines",
    "asking_transports",
    "can_ask",
    "decline",
    "on_terminal",
    "read_typed",
    "show",
    "terminal_asker",
]
