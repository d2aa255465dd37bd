"""The pure parts of ``oauthpy mcp serve``: the permission policy, the result's shape, its checks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError, InvalidOptionsError
from oauthpy._mcp_serve.policy import allowed_by, on_permission
from oauthpy._mcp_serve.server import check_settings
from oauthpy._mcp_serve.tools import cut, error_content
from oauthpy._permissions import PermissionRequest

pytestmark = pytest.mark.fast


def command(line: str) -> PermissionRequest:
    return PermissionRequest("codex", "command", command=line, cwd="/w")


@pytest.mark.parametrize(
    ("line", "read_only"),
    [
        ("ls -la", True),
        ("git diff HEAD", True),
        ("grep -rn TODO src", True),
        ("git push", False),
        ("rm -rf build", False),
        ("cat a.txt > b.txt", False),  # a redirect writes
        ("ls; rm x", False),
        ("cat $(rm x)", False),
    ],
)
def test_read_only_allows_one_plain_reading_command_and_nothing_else(line: str, read_only: bool):
    assert allowed_by("read-only", command(line)) is read_only
    assert allowed_by("none", command(line)) is False and allowed_by("all", command(line)) is True
    change = PermissionRequest("codex", "file_change", paths=("a.txt",))
    assert not allowed_by("read-only", change)


def test_what_the_policy_leaves_goes_to_the_person_and_a_failed_question_is_a_no():
    asked: list[str] = []

    async def yes(message: str) -> bool:
        asked.append(message)
        return True

    async def broken(message: str) -> bool:
        raise RuntimeError("client went away")

    async def main() -> tuple[bool, bool, bool, bool]:
        return (
            await on_permission("none", "Codex", yes)(command("touch x")),
            await on_permission("none", "Codex", broken)(command("touch x")),
            await on_permission("none", "Codex", None)(command("touch x")),
            await on_permission("read-only", "Codex", None)(command("ls")),
        )

    assert asyncio.run(main()) == (True, False, False, True)
    assert asked == ["Codex wants to run this command in /w:\n    `touch x`\n\nAllow it this once?"]


def test_a_long_answer_is_cut_saying_where():
    text, truncated = cut("a" * 100, limit=10)
    assert truncated and text.startswith("a" * 10) and "it was 100 characters; the first 10 are shown" in text
    assert cut("short", limit=10) == ("short", False)


def test_a_failure_is_an_error_result_with_its_type_and_hint():
    result = error_content(AuthRequiredError("not logged in", hint="oauthpy auth login -p codex"))
    assert result["isError"] is True
    assert (
        result["content"][0]["text"] == "AuthRequiredError: not logged in\nhint: oauthpy auth login -p codex"
    )


def test_bad_settings_are_refused_before_the_server_starts(tmp_path: Path):
    with pytest.raises(InvalidOptionsError, match="unknown agent 'nosuch'"):
        check_settings(["nosuch"])
    with pytest.raises(InvalidOptionsError, match="cwd does not exist"):
        check_settings(["codex"], cwd=str(tmp_path / "gone"))
    with pytest.raises(InvalidOptionsError, match="--allow must be one of none, read-only, all"):
        check_settings(["codex"], allow="everything")
    with pytest.raises(InvalidOptionsError, match="--max-concurrent"):
        check_settings(["codex"], max_concurrent=0)
    assert check_settings(["codex", "codex"], cwd=str(tmp_path)).agents == ("codex",)


def test_a_calls_cwd_is_the_servers_folder_or_below_it_unless_any_cwd(tmp_path: Path):
    served = tmp_path / "served"
    (served / "sub").mkdir(parents=True)
    (tmp_path / "beside").mkdir()
    (served / "out").symlink_to(tmp_path / "beside")  # a link that leads out of the folder
    settings = check_settings(["codex"], cwd=str(served))
    assert settings.call_cwd(None) == str(served)
    assert settings.call_cwd("sub") == str(served / "sub")  # relative: from the server's folder
    assert settings.call_cwd(str(served / "sub")) == str(served / "sub")
    assert settings.call_cwd("sub/..") == str(served)
    for outside in ("/", "..", "sub/../../beside", "out", str(tmp_path / "beside"), str(tmp_path)):
        with pytest.raises(InvalidOptionsError, match="outside the folder this server works in") as caught:
            settings.call_cwd(outside)
        assert "--any-cwd" in (caught.value.hint or "")
    with pytest.raises(InvalidOptionsError, match="NUL"):
        settings.call_cwd("sub\0")
    anywhere = check_settings(["codex"], cwd=str(served), any_cwd=True)
    assert anywhere.call_cwd("/") == "/" and anywhere.call_cwd("out") == str(tmp_path / "beside")


def test_a_heartbeat_counts_the_seconds_of_what_the_call_does_now():
    from oauthpy._mcp_serve.progress import Progress

    said: list[str] = []

    def seconds(message: str) -> int:
        return int(message.rsplit("(", 1)[1].removesuffix(" s)"))

    async def main() -> None:
        heard = asyncio.Event()

        async def send(_: float, message: str) -> None:
            said.append(message)
            heard.set()

        progress = Progress(send, "codex")
        async with progress.heartbeat(0.05):
            progress.now("waiting for a free slot")
            # until a heartbeat counts two seconds of waiting (each wait bounded)
            while not said or seconds(said[-1]) < 2:
                heard.clear()
                await asyncio.wait_for(heard.wait(), 5)
            progress.now("working")
            heard.clear()
            await asyncio.wait_for(heard.wait(), 5)

    asyncio.run(main())
    waited, working = said[-2], said[-1]
    assert waited.startswith("codex is still waiting for a free slot (")
    assert working.startswith("codex is still working (")
    assert seconds(working) < seconds(waited)  # its own seconds, not the call's since the wait
