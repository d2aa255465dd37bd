"""on_permission without processes: reading answers, sync and async callbacks and the run's
deadline, remembering allow_always, the permission event, and what is refused before anything
starts. Each vendor's translation of its real permission requests: test_permissions.py."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from oauthpy import Client, Decision, EventKind, InvalidOptionsError, PermissionRequest
from oauthpy._errors import TimeoutExceededError
from oauthpy._permissions import Permissions, Verdict, ask, permission_event, read_answer

pytestmark = pytest.mark.fast


@pytest.mark.parametrize(
    ("answer", "decision", "reason"),
    [
        (True, Decision.ALLOW, None),
        (False, Decision.DENY, None),
        ("allow", Decision.ALLOW, None),
        ("allow_always", Decision.ALLOW_ALWAYS, None),
        (Decision.DENY, Decision.DENY, None),
        ((False, "not here"), Decision.DENY, "not here"),
        (("allow_always", None), Decision.ALLOW_ALWAYS, None),
    ],
)
def test_every_documented_answer_is_read(answer: object, decision: Decision, reason: str | None) -> None:
    assert read_answer(answer) == Verdict(decision, reason)


@pytest.mark.parametrize("answer", [None, 1, "yes", "ALLOW", ("deny", 3), [True], (True, "a", "b")])
def test_any_other_answer_is_an_error_so_nothing_is_allowed_by_accident(answer: object) -> None:
    with pytest.raises(InvalidOptionsError, match="on_permission answered"):
        read_answer(answer)


def test_sync_callbacks_run_in_a_thread_and_async_ones_on_the_loop() -> None:
    threads: list[str] = []
    request = PermissionRequest("codex", "command", command="ls")

    def sync(r: PermissionRequest) -> bool:
        threads.append(threading.current_thread().name)
        return True

    async def asynchronous(r: PermissionRequest) -> str:
        threads.append(threading.current_thread().name)
        return "deny"

    async def main() -> tuple[Verdict, Verdict]:
        return await ask(sync, request, None), await ask(asynchronous, request, None)

    assert asyncio.run(main()) == (Verdict(Decision.ALLOW), Verdict(Decision.DENY))
    assert threads[0] != threads[1] == threading.current_thread().name


def test_a_callback_still_deciding_at_the_runs_deadline_times_out() -> None:
    release = threading.Event()

    def undecided(r: PermissionRequest) -> bool:
        release.wait(5)
        return True

    async def main() -> None:
        await ask(undecided, PermissionRequest("gemini", "other"), time.monotonic() + 0.05)

    try:
        with pytest.raises(TimeoutExceededError, match="while on_permission decided"):
            asyncio.run(main())
    finally:
        release.set()


def test_allow_always_is_remembered_for_the_same_action_only_and_no_callback_means_deny() -> None:
    calls: list[str | None] = []

    def once(r: PermissionRequest) -> str:
        calls.append(r.command)
        return "allow_always"

    permissions = Permissions("claude")
    same = PermissionRequest("claude", "command", command="touch a")
    other = PermissionRequest("claude", "command", command="touch b")

    async def main() -> list[Verdict]:
        return [
            await permissions.decide(once, same, None),
            await permissions.decide(once, same, None),
            await permissions.decide(once, other, None),
            await permissions.decide(None, PermissionRequest("claude", "tool", tool_name="X"), None),
        ]

    verdicts = asyncio.run(main())
    assert calls == ["touch a", "touch b"]
    assert [v.allowed for v in verdicts] == [True, True, True, False]


def test_the_permission_event_says_what_was_asked_and_decided() -> None:
    request = PermissionRequest("codex", "file_change", paths=("a.txt", "b.txt"))
    event = permission_event(request, Verdict(Decision.DENY, "read-only today"))
    assert event.kind is EventKind.PERMISSION and event.status == "denied"
    assert event.text == "change a.txt, b.txt" and event.output == "read-only today"
    assert event.raw is request


def test_bad_callbacks_and_transports_are_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionsError, match="on_permission must be a function"):
        Client("codex").run("hi", cwd=tmp_path, on_permission="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionsError, match="need the app-server transport"):
        Client("codex", transport="exec").run("hi", cwd=tmp_path, on_permission=lambda r: True)
    with pytest.raises(InvalidOptionsError, match="need the acp transport"):
        Client("gemini", transport="stream-json").run("hi", cwd=tmp_path, tools=[read_answer])
    with pytest.raises(InvalidOptionsError, match="never asks"):
        Client("claude").run(
            "hi",
            cwd=tmp_path,
            on_permission=lambda r: True,
            provider_options={"permission_mode": "bypassPermissions"},
        )
    with pytest.raises(TypeError, match="keeps the tools it was opened with"):
        Client("claude").session(cwd=tmp_path).run("hi", tools=[])
