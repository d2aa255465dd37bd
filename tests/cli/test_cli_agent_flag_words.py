"""``-p/--provider``, the one flag that names agents on every command: one agent where a command
runs one (a second is refused, naming the command), a list where it runs several (``-p a -p b``
or ``-p a,b``, each agent once); the older spellings (``-P/--providers``, ``--agent``) still
parse, out of ``--help``. The parser alone: nothing starts."""

from __future__ import annotations

import argparse

import pytest

from oauthpy.cli import build_parser

pytestmark = pytest.mark.fast

#: every command that runs one agent, as argv up to the flag, and what else it needs
ONE_AGENT = [
    (["run"], ["hi"]),
    (["chat"], []),
    (["interactive"], []),
    (["batch"], ["items.jsonl", "-o", "out.jsonl"]),
    (["auth", "status"], []),
    (["auth", "login"], []),
    (["auth", "logout"], []),
    (["available"], []),
    (["sessions"], []),
    (["usage"], []),
    (["demo"], []),
]
#: every command that runs several, and what else it needs
MANY_AGENTS = [(["compare"], ["the task"]), (["mcp", "serve"], [])]


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser(argv[0]).parse_args(argv)


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The usage error ``argv`` is (exit 2), as printed."""
    with pytest.raises(SystemExit) as exited:
        parse(argv)
    assert exited.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(("command", "rest"), ONE_AGENT, ids=lambda a: " ".join(a) or "-")
def test_a_one_agent_command_takes_p_and_refuses_a_second_agent_naming_itself(
    command: list[str], rest: list[str], capsys: pytest.CaptureFixture[str]
):
    assert parse([*command, "-p", "codex", *rest]).provider == "codex"
    assert parse([*command, "--provider", "gemini", *rest]).provider == "gemini"
    prog = "oauthpy " + " ".join(["interactive"] if command == ["chat"] else command)  # chat: an alias
    for twice in (["-p", "codex", "-p", "gemini"], ["-p", "codex,gemini"]):
        err = refused([*command, *twice, *rest], capsys)
        assert f"`{prog}` takes one agent, got codex, gemini" in err, err
        assert f"{prog}: error: argument -p/--provider" in err and "Traceback" not in err


def test_an_unknown_agent_is_argparses_invalid_choice(capsys: pytest.CaptureFixture[str]):
    err = refused(["run", "-p", "nope", "hi"], capsys)
    assert "argument -p/--provider: invalid choice: 'nope' (choose from 'codex', 'claude'" in err


@pytest.mark.parametrize(("command", "rest"), MANY_AGENTS, ids=lambda a: " ".join(a) or "-")
def test_a_several_agent_command_takes_p_repeated_or_a_comma_list_each_agent_once(
    command: list[str], rest: list[str], capsys: pytest.CaptureFixture[str]
):
    for said in (
        ["-p", "codex", "-p", "gemini"],
        ["-p", "codex,gemini"],
        ["-p", " codex, gemini,"],
        ["--provider", "codex", "-p", "gemini"],
    ):
        assert parse([*command, *said, *rest]).provider == ["codex", "gemini"], said
    for twice in (["-p", "codex", "-p", "codex"], ["-p", "codex,gemini,codex"]):
        err = refused([*command, *twice, *rest], capsys)
        assert "argument -p/--provider: codex is named twice; name each agent once" in err, err
    err = refused([*command, "-p", ",", *rest], capsys)
    assert "argument -p/--provider: expected an agent name" in err


def test_the_old_spellings_still_parse_to_the_same_list():
    assert parse(["compare", "-P", "codex,gemini", "t"]).provider == ["codex", "gemini"]
    assert parse(["compare", "--providers", "codex", "--providers", "gemini", "t"]).provider == [
        "codex",
        "gemini",
    ]
    assert parse(["mcp", "serve", "--agent", "codex", "--agent", "gemini"]).provider == ["codex", "gemini"]
    assert parse(["mcp", "serve", "--agent", "codex", "-p", "gemini"]).provider == ["codex", "gemini"]
    assert parse(["mcp", "serve"]).provider is None  # every installed agent


def test_compare_needs_its_agents(capsys: pytest.CaptureFixture[str]):
    err = refused(["compare", "the task"], capsys)
    assert "-p/--provider is required" in err and "--providers" not in err


@pytest.mark.parametrize(
    ("command", "hidden"), [(["compare"], ["-P", "--providers"]), (["mcp", "serve"], ["--agent"])]
)
def test_help_says_p_alone(command: list[str], hidden: list[str], capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        parse([*command, "--help"])
    shown = capsys.readouterr().out
    assert "-p AGENT, --provider AGENT" in shown and "repeat -p, or a comma list" in shown
    for old in hidden:
        assert f"{old} " not in shown and f"{old}," not in shown, old
