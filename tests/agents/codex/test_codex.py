"""The real codex binary (openai-codex-cli-bin, pinned) through Client("codex"), against the fake."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from oauthpy import (
    AuthRequiredError,
    Client,
    EventKind,
    InvalidOptionsError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy.testing import (
    Hang,
    Reply,
    Tokens,
    apply_patch,
    shell,
    text,
)
from oauthpy.testing.responses import KEY_VAR
from tests.contract.test_attachments import asked_with, picture
from tests.support import assert_no_leftovers, open_rig


@pytest.fixture(params=["app-server", "exec"])
def codex(request: pytest.FixtureRequest) -> Client:
    """Every test here runs on both transports: the live app-server and one-shot exec."""
    return Client("codex", auth_source="external", transport=request.param)


def user_texts(body: dict) -> list[str]:
    """The text of every user message the model request carries."""
    out = []
    for item in body.get("input", []):
        if item.get("role") == "user":
            out += [c.get("text", "") for c in item.get("content", []) if isinstance(c, dict)]
    return out


def test_final_text_and_usage_are_exactly_what_the_fake_sent(codex, openai_fake, codex_env, workdir):
    openai_fake.script(text("Hello from the fake, in pieces.", usage=Tokens(input=321, cached=21, output=9)))
    result = codex.run("Say hello", cwd=workdir, env=codex_env)
    assert result.text == "Hello from the fake, in pieces."
    assert result.provider == "codex" and result.transport == codex.transport
    assert (result.usage.input_tokens, result.usage.cached_input_tokens) == (321, 21)
    assert (result.usage.output_tokens, result.usage.total_tokens) == (9, 330)
    assert result.session_id and result.events[-1].kind is EventKind.DONE
    assert result.events[-1].session_id == result.session_id
    assert result.cwd == str(workdir)
    assert_no_leftovers(codex_env)


def test_final_text_is_the_last_message_not_all_messages_joined(codex, openai_fake, codex_env, workdir):
    openai_fake.script(shell("echo hi", say="Let me check."), text("All done."))
    result = codex.run("go", cwd=workdir, env=codex_env)
    messages = [e.text for e in result.events if e.kind is EventKind.MESSAGE and not e.delta]
    assert messages == ["Let me check.", "All done."]
    assert result.text == "All done."


def test_shell_tool_call_becomes_a_command_event_with_exit_code_and_output(
    codex, openai_fake, codex_env, workdir
):
    openai_fake.script(shell("echo hello-from-shell; exit 3"), text("finished"))
    result = codex.run("run it", cwd=workdir, env=codex_env)
    commands = [e for e in result.events if e.kind is EventKind.COMMAND]
    started, finished = commands
    assert started.status == "in_progress" and started.exit_code is None
    assert finished.status == "failed" and finished.exit_code == 3
    assert "hello-from-shell" in (finished.output or "")
    assert "echo hello-from-shell" in (finished.command or "")
    assert started.item_id == finished.item_id
    # codex really ran it and sent the output back to the model
    follow_up = openai_fake.model_requests()[-1].body_text
    assert "hello-from-shell" in follow_up


def test_apply_patch_becomes_a_file_change_event_with_the_path(codex, openai_fake, codex_env, workdir):
    patch = "*** Begin Patch\n*** Add File: notes.txt\n+first line\n*** End Patch\n"
    openai_fake.script(apply_patch(patch), text("created"))
    result = codex.run(
        "create notes", cwd=workdir, env=codex_env, provider_options={"sandbox": "workspace-write"}
    )
    changes = [e for e in result.events if e.kind is EventKind.FILE_CHANGE and e.status == "completed"]
    assert len(changes) == 1
    assert [(Path(c.path).name, c.kind) for c in changes[0].changes] == [("notes.txt", "add")]
    assert (workdir / "notes.txt").read_text() == "first line\n"


class Verdict(BaseModel):
    answer: str
    score: int


def test_structured_output_is_parsed_into_the_pydantic_model(codex, openai_fake, codex_env, workdir):
    openai_fake.script(text('{"answer": "yes", "score": 7}'))
    result = codex.run("judge", cwd=workdir, env=codex_env, output_schema=Verdict)
    assert result.output == Verdict(answer="yes", score=7)
    sent = openai_fake.model_requests()[0].body["text"]["format"]
    assert sent["type"] == "json_schema" and sent["schema"]["properties"]["score"]["type"] == "integer"


def test_structured_output_with_a_dict_schema_and_a_nonconforming_reply_raises(
    codex, openai_fake, codex_env, workdir
):
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    openai_fake.script(text('{"n": 3}'))
    assert codex.run("n?", cwd=workdir, env=codex_env, output_schema=schema).output == {"n": 3}
    openai_fake.script(text("not json at all"))
    with pytest.raises(StructuredOutputError, match="not JSON"):
        codex.run("n?", cwd=workdir, env=codex_env, output_schema=schema)


def test_removing_the_key_variable_through_env_none_reaches_codex(codex, openai_fake, codex_env, workdir):
    env = {**codex_env, KEY_VAR: None}
    with pytest.raises(AuthRequiredError, match="Missing environment variable"):
        codex.run("hi", cwd=workdir, env=env)
    assert openai_fake.model_requests() == []


def test_idle_timeout_names_itself(codex, openai_fake, codex_env, workdir):
    openai_fake.script(Hang())
    with pytest.raises(TimeoutExceededError, match="idle timeout") as info:
        codex.run("hi", cwd=workdir, env=codex_env, idle_timeout=2, timeout=30)
    assert info.value.which == "idle"
    assert_no_leftovers(codex_env)


def test_one_megabyte_prompt_goes_through_stdin_intact(codex, openai_fake, codex_env, workdir):
    prompt = "x" * 1_000_000 + " END"
    openai_fake.script(text("big ok"))
    assert codex.run(prompt, cwd=workdir, env=codex_env).text == "big ok"
    assert prompt in user_texts(openai_fake.model_requests()[0].body)


def test_prompt_over_codex_input_limit_is_rejected_before_spawning(codex, openai_fake, codex_env, workdir):
    with pytest.raises(InvalidOptionsError, match="at most 1048576"):
        codex.run("x" * 1_048_577, cwd=workdir, env=codex_env)
    assert openai_fake.requests == []


def test_prompt_starting_with_dashes_is_not_a_flag(codex, openai_fake, codex_env, workdir):
    prompt = "--version is not a flag here"
    openai_fake.script(text("fine"))
    assert codex.run(prompt, cwd=workdir, env=codex_env).text == "fine"
    assert prompt in user_texts(openai_fake.model_requests()[0].body)


def test_prompt_is_not_visible_in_the_process_list(codex, openai_fake, codex_env, workdir):
    secret_prompt = "prompt-marker-7f3a9c"
    openai_fake.script(Hang())
    seen_argv: list[bytes] = []

    async def main() -> None:
        task = asyncio.ensure_future(codex.arun(secret_prompt, cwd=workdir, env=codex_env, timeout=20))
        await asyncio.to_thread(openai_fake.wait_for_model_request)  # the CLI is mid-run
        for pid in os.listdir("/proc"):
            with contextlib.suppress(OSError):
                seen_argv.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert any(b"codex" in a and codex.transport.encode() in a for a in seen_argv)
    assert not any(secret_prompt.encode() in a for a in seen_argv)


def test_run_works_inside_a_running_event_loop(codex, openai_fake, codex_env, workdir):
    openai_fake.script(text("sync inside async"))

    async def notebook_cell() -> str:
        return codex.run("hi", cwd=workdir, env=codex_env).text  # what a Jupyter user does

    assert asyncio.run(notebook_cell()) == "sync inside async"


def test_reasoning_and_model_option_reach_codex(codex, openai_fake, codex_env, workdir):
    openai_fake.script(Reply(text="thought about it", reasoning="**Plan** think first"))
    result = codex.run(
        "hi", cwd=workdir, env=codex_env, model="gpt-5.5", provider_options={"reasoning_effort": "high"}
    )
    kinds = [e.kind for e in result.events]
    assert EventKind.REASONING in kinds
    assert next(e for e in result.events if e.kind is EventKind.REASONING).text == "**Plan** think first"
    body = openai_fake.model_requests()[0].body
    assert body["model"] == "gpt-5.5" and body["reasoning"]["effort"] == "high"
    assert result.model == "gpt-5.5"


def test_no_effort_given_means_codexs_own_default_for_the_model(codex, openai_fake, codex_env, workdir):
    openai_fake.script(text("ok"))
    codex.run("hi", cwd=workdir, env=codex_env)
    assert openai_fake.model_requests()[0].body["reasoning"]["effort"] == "medium"  # gpt-5.5's, in 0.163


def test_unknown_option_is_rejected_before_anything_starts(codex, openai_fake, codex_env, workdir):
    with pytest.raises(InvalidOptionsError, match=r"valid keys: .*sandbox"):
        codex.run("hi", cwd=workdir, env=codex_env, provider_options={"full_auto": True})
    with pytest.raises(InvalidOptionsError, match="reasoning_effort"):
        codex.stream("hi", cwd=workdir, provider_options={"reasoning_effort": "extreme"})
    assert openai_fake.requests == []


def test_config_overrides_are_toml_encoded_for_codex(codex, openai_fake, codex_env, workdir):
    openai_fake.script(text("ok"))
    codex.run(
        "hi",
        cwd=workdir,
        env=codex_env,
        provider_options={"config": {"model_verbosity": "high", "model_reasoning_summary": "detailed"}},
    )
    body = openai_fake.model_requests()[0].body
    assert body["text"]["verbosity"] == "high"
    assert body["reasoning"]["summary"] == "detailed"


def test_a_finished_run_leaves_no_helper_process_at_all(codex, openai_fake, codex_env, workdir, tmp_path):
    # codex's shell snapshot runs the user's login shell in a session of its own; a slow
    # profile makes it outlive any run, so without `shell_snapshot=false` this fails every time.
    from oauthpy.testing import live_processes_with_env
    from oauthpy.testing.processes import MARKER_VAR

    home = tmp_path / "user"
    home.mkdir()
    (home / ".bash_profile").write_text("sleep 5\n")
    openai_fake.script(text("quick"))
    codex.run("hi", cwd=workdir, env={**codex_env, "HOME": str(home)})
    assert live_processes_with_env(MARKER_VAR, codex_env[MARKER_VAR]) == []  # at once, not polled


def test_codex_exec_carries_the_picture_and_the_prompt_after_it(tmp_path: Path):
    # codex's --image takes every following word as another file: the prompt must survive it
    shot, b64 = picture(tmp_path, 4)
    with open_rig("codex", tmp_path / "rig") as rig:
        rig.fake.script(text("seen"))
        client = Client("codex", auth_source="external", env=rig.env, transport="exec")
        result = client.run("Name GIRAFFE-4", cwd=rig.work, attachments=[shot, shot], timeout=60)
        assert (result.text, result.transport) == ("seen", "exec")
        assert asked_with(rig, b64, "GIRAFFE-4")


def test_its_test_environment_answers_lsb_release_at_once(tmp_path: Path):
    """codex runs ``lsb_release`` at every start for its user agent's OS name: its rigs find
    ``false`` there (`Provision.answered_at_once`), and every other program where they did."""
    with open_rig("codex", tmp_path) as rig:
        found = shutil.which("lsb_release", path=rig.env["PATH"])
        assert found and Path(found).resolve() == Path(shutil.which("false") or "/bin/false").resolve()
        assert shutil.which("git", path=rig.env["PATH"]) == shutil.which("git")
