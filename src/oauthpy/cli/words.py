"""Errors in the command line's words: the library's messages name Python (``auth_source=``,
``Client('codex').login()``, ``command=``); on the command line the same fix is a flag."""

from __future__ import annotations

import argparse
import difflib
import re

#: (pattern, replacement), applied in order to an error's message and hint
_CLI_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "log in with Client(...).login() or `oauthpy auth login ...`": the command alone
    (re.compile(r"Client\('[\w-]+'(, auth_source='\w+')?\)\.login\(\) or (?=`)"), ""),
    (re.compile(r",? ?(or )?Client\('[\w-]+'(, auth_source='\w+')?\)\.login\(\);?"), ";"),
    (re.compile(r"auth_source=(['\"])(\w+)\1"), r"--source \2"),
    (
        re.compile(r"Client\('acp'\) needs command=, the argv that"),
        "-p acp needs --command CMD, the command that",
    ),
    (re.compile(r"provider_options=\{'method': \.\.\.\} \(CLI: (--method)\)"), r"\1"),
    (re.compile(r"\(CLI: (--[\w-]+)\)"), r"(\1)"),
)

_ACP_EXAMPLE = re.compile(r"e\.g\. Client\('acp', command=\[([^\]]*)\]\)")


def cli_words(text: str | None) -> str | None:
    """``text`` with the Python of a fix said as the command line's flag."""
    if not text:
        return text
    text = _ACP_EXAMPLE.sub(lambda m: f'e.g. --command "{example_command(m.group(1))}"', text)
    for pattern, replacement in _CLI_WORDS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\s*;\s*;", ";", text).strip().lstrip(";").strip()
    return text.replace("`, ;", "`;").replace(", ;", ";")


def example_command(quoted_list: str) -> str:
    """``'opencode', 'acp'`` as the shell words ``opencode acp``."""
    return " ".join(w.strip().strip("'\"") for w in quoted_list.split(","))


def unrecognized(extra: list[str], parser: argparse.ArgumentParser) -> str:
    """What to say of arguments ``parser`` does not take, with the flag most like each one."""
    flags = [o for a in parser._actions for o in a.option_strings]
    said = f"unrecognized arguments: {' '.join(extra)}"
    guesses = []
    for arg in extra:
        if arg.startswith("-"):
            close = difflib.get_close_matches(arg.split("=", 1)[0], flags, n=1, cutoff=0.6)
            guesses += [f"{arg.split('=', 1)[0]} -> {close[0]}"] if close else []
    return said + (f" (did you mean: {', '.join(guesses)}?)" if guesses else "")
