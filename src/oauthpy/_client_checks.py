"""The checks of `Client`'s constructor arguments that need more than a line, made before
anything starts."""

from __future__ import annotations

import os
from collections.abc import Sequence

from oauthpy._checks import check_text
from oauthpy._errors import InvalidOptionsError


def misspelt_keyword(name: str, keywords: Sequence[str]) -> TypeError:
    """The TypeError Python would raise, with the "did you mean" the run methods give;
    ``keywords``: the constructor's own."""
    import difflib

    from oauthpy._signature import _unexpected

    near = [k for k in keywords if name in k or k in name]
    near = near or difflib.get_close_matches(name, keywords, n=1)
    why = {name: f"did you mean {near[0]!r}?"} if near else {}
    return _unexpected("Client", name, tuple(keywords), why)


def check_command(provider: str, command: object, takes: bool) -> tuple[str, ...] | None:
    """``command=`` as argv: required by the generic ``"acp"`` entry, refused by every other."""
    if not takes:
        if command is not None:
            raise InvalidOptionsError(
                f"command= is only for Client('acp', command=[...]); {provider} has its own command",
                hint=f"use the {provider} provider without command=, or Client('acp', command=...)",
            )
        return None
    if command is None:
        raise InvalidOptionsError(
            f"Client({provider!r}) needs command=, the argv that starts an ACP agent on stdio",
            hint="e.g. Client('acp', command=['my-agent', '--acp'])",
        )
    if isinstance(command, (str, bytes)) or not isinstance(command, Sequence):
        raise InvalidOptionsError(
            f"command must be a sequence of strings (argv), got {type(command).__name__}",
            hint="split it: command=['my-agent', '--acp'], not 'my-agent --acp'",
        )
    if not command:
        raise InvalidOptionsError("command must not be empty: it is the argv that starts the agent")
    for i, part in enumerate(command):
        if not isinstance(part, str):
            raise InvalidOptionsError(f"command[{i}] must be a string, got {type(part).__name__}")
        check_text(f"command[{i}]", part)
    if not command[0]:
        raise InvalidOptionsError("command[0], the program, must not be empty")
    return tuple(command)


def check_home(oauthpy_home: object) -> None:
    """``oauthpy_home=``: None or a text path."""
    if oauthpy_home is None:
        return
    if not isinstance(oauthpy_home, (str, os.PathLike)):
        raise InvalidOptionsError(f"oauthpy_home must be a path, got {type(oauthpy_home).__name__}")
    home_path = os.fspath(oauthpy_home)
    if not isinstance(home_path, str):
        raise InvalidOptionsError("oauthpy_home must be a text path, got bytes")
    check_text("oauthpy_home", home_path)
