"""A run whose answer fails its ``output_schema``: the `StructuredOutputError` names the
conversation, so the caller can ask again in it (the model then sees its own answer), and a
session goes on with it; codex's real CLI against its fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import Client, StructuredOutputError
from oauthpy.testing import text
from tests.support import assert_no_leftovers

SCHEMA = {"type": "object", "properties": {"label": {"type": "string"}}, "required": ["label"]}


def test_the_conversation_of_a_failed_answer_is_resumed_to_ask_again(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    openai_fake.script(text("not json at all"), text('{"label": "spam"}'))
    client = Client("codex", auth_source="external", env=codex_env)
    with pytest.raises(StructuredOutputError) as err:
        client.run("label this mail", cwd=workdir, output_schema=SCHEMA, timeout=60)
    assert err.value.session_id
    with client.session(cwd=workdir, resume=err.value.session_id) as chat:
        fixed = chat.run("only the JSON, please", output_schema=SCHEMA, timeout=60)
    assert fixed.output == {"label": "spam"} and fixed.session_id == err.value.session_id
    assert fixed.model and err.value.model == fixed.model  # the model that answered, named alike
    asked_again = openai_fake.model_requests()[-1].body_text
    assert "label this mail" in asked_again and "not json at all" in asked_again  # its own answer
    assert_no_leftovers(codex_env)


def test_a_session_whose_first_answer_fails_knows_its_conversation(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    openai_fake.script(text("not json at all"))
    with Client("codex", auth_source="external", env=codex_env).session(cwd=workdir) as chat:
        with pytest.raises(StructuredOutputError) as err:
            chat.run("label this mail", output_schema=SCHEMA, timeout=60)
        assert chat.session_id is not None and chat.session_id == err.value.session_id
    assert_no_leftovers(codex_env)


def test_a_failed_answer_of_a_run_that_kept_no_session_names_no_conversation(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    """``map`` keeps no sessions unless asked (codex runs ephemeral): an error names none, as a
    `RunResult` would not."""
    openai_fake.script(text("not json at all"))
    (failed,) = Client("codex", auth_source="external", env=codex_env).map(
        ["label this mail"], cwd=workdir, output_schema=SCHEMA, timeout=60
    )
    assert isinstance(failed, StructuredOutputError) and failed.usage is not None
    assert failed.session_id is None
