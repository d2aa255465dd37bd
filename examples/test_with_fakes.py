"""Test your own code built on oauthpy offline: the real vendor CLIs against oauthpy's fakes.

The ``oauthpy_fake`` fixture comes with oauthpy (a pytest plugin); nothing to import. Each test
below runs once per agent, with the agent's real CLI answering from a scripted fake model:

    pytest examples/test_with_fakes.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import Client, CommandExecutionError
from oauthpy.testing import HttpError, text

AGENTS = pytest.mark.parametrize("oauthpy_fake", ["codex", "claude", "gemini"], indirect=True)


def summarize(client: Client, path: str, cwd: Path) -> str:
    """The code under test: a one-line summary of a file, or a note when the agent failed."""
    try:
        return client.run(f"Summarize {path} in one line.", cwd=cwd, timeout=120).text
    except CommandExecutionError as exc:
        return f"(no summary: {'try again later' if exc.transient else 'failed'})"


@AGENTS
def test_the_summary_is_the_agents_answer(oauthpy_fake):
    oauthpy_fake.script(text("Three errands and a phone number."))
    answer = summarize(oauthpy_fake.client(), "notes.txt", oauthpy_fake.cwd)
    assert answer == "Three errands and a phone number."
    assert "Summarize notes.txt" in oauthpy_fake.requests[-1].body_text


@AGENTS
def test_an_overloaded_model_says_try_again_later(oauthpy_fake):
    oauthpy_fake.script(HttpError(503, "overloaded"))
    assert summarize(oauthpy_fake.client(), "notes.txt", oauthpy_fake.cwd) == "(no summary: try again later)"
