"""Signing in and out of an agent's login state, for `AuthManager.login` and ``logout``: the
agent's own login command (or its ACP sign-in) run in the state the manager resolves, the
consent a sign-in that names a program on a terminal needs, and the API key's checks."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oauthpy._errors import CommandExecutionError, InvalidOptionsError
from oauthpy._redact import redact, remember_secrets

if TYPE_CHECKING:
    from oauthpy._auth.manager import AuthManager
    from oauthpy._events import AuthStatus

LOGOUT_TIMEOUT_S = 60.0


def _commands() -> Any:
    # the process runtime, imported when a login or logout runs: building a client does not
    from oauthpy import _commands as commands

    return commands


async def login(
    manager: AuthManager,
    *,
    api_key: str | None,
    device_code: bool,
    timeout: float,
    options: Mapping[str, Any],
) -> AuthStatus:
    _check_api_key(api_key)
    if api_key:
        remember_secrets([api_key])
    for key, value in options.items():
        want = manager.backend.login_options.get(key)
        if want is None:
            valid = ", ".join(manager.backend.login_options) or "none"
            raise InvalidOptionsError(f"unknown login option {key!r} for {manager.provider}; valid: {valid}")
        if not isinstance(value, want):
            raise InvalidOptionsError(f"login option {key!r} must be {want.__name__}")
    source = await manager.resolve({})
    env = manager.env_for(source, {})
    binary = manager.binary(env)
    cmd = manager.backend.login_command(binary, api_key=api_key, device_code=device_code, options=options)
    if cmd.needs_terminal and not _on_a_terminal():
        raise InvalidOptionsError(
            f"the {manager.provider} sign-in runs in the CLI's own full-screen UI and needs a terminal",
            hint=f"run `oauthpy auth login --provider {manager.provider}` in a terminal",
        )
    manager.prepare(source)
    for name in cmd.unset:
        env.pop(name, None)
    env.update(cmd.env)
    manager.forget_answers()
    if cmd.acp_method is not None:
        from oauthpy._transports.acp.login import sign_in

        began = time.monotonic()
        on_terminal = await sign_in(manager.provider, cmd.argv, env, cmd.acp_method, timeout)
        if on_terminal is not None:  # what is left of the login's timeout
            argv, extra = on_terminal
            _consent_to(argv, cmd.argv[0], manager.provider, yes=options.get("yes") is True)
            left = max(timeout - (time.monotonic() - began), 0.1)
            rc = await _commands().run_interactive(argv, {**env, **extra}, timeout=left)
            if rc != 0:
                raise CommandExecutionError(
                    f"{manager.provider} login did not complete (exit code {rc})", returncode=rc
                )
    elif cmd.stdin is not None:
        done = await _commands().run_captured(cmd.argv, env, stdin=cmd.stdin, timeout=timeout)
        if done.returncode != 0:
            secrets = [api_key] if api_key else []
            raise CommandExecutionError(
                f"{manager.provider} login failed (exit code {done.returncode})",
                returncode=done.returncode,
                stderr=redact(done.stderr + done.stdout, secrets),
            )
    else:
        rc = await _commands().run_interactive(cmd.argv, env, timeout=timeout)
        if rc != 0:
            raise CommandExecutionError(
                f"{manager.provider} login did not complete (exit code {rc})", returncode=rc
            )
    return await manager.status(source)


async def logout(manager: AuthManager) -> AuthStatus:
    # auto never logs the user out of their own vendor login: it only touches the isolated one.
    source = manager.source if manager.source != "auto" else "oauthpy"
    env = manager.env_for(source, {})
    binary = manager.binary(env)
    own = getattr(manager.backend, "logout", None)  # a logout that is a request, not a command
    argv = None if own is not None else manager.backend.logout_command(binary)
    manager.forget_answers()
    if source == "oauthpy" and not manager.isolated_dir.exists():
        return await manager.status(source)  # nothing was ever logged in there
    if own is not None:
        await own(binary, env)
        return await manager.status(source)
    assert argv is not None
    done = await _commands().run_captured(argv, env, timeout=LOGOUT_TIMEOUT_S)
    if done.returncode != 0:
        raise CommandExecutionError(
            f"{manager.provider} logout failed (exit code {done.returncode})",
            returncode=done.returncode,
            stderr=done.stderr + done.stdout,
        )
    return await manager.status(source)


def _on_a_terminal() -> bool:
    return all(os.isatty(fd) for fd in (0, 1))


def _consent_to(argv: list[str], agent: str, provider: str, *, yes: bool) -> None:
    """Show the command an ACP agent's terminal sign-in names, and run it only when the person
    at the terminal says so (or gave ``yes``): an agent may name any program. With no terminal,
    nothing runs: the error names the command, to be run by hand."""
    import shlex
    import shutil

    from oauthpy._escape import visible

    shown = redact(shlex.join(argv))
    where = shutil.which(argv[0]) or argv[0]
    foreign = os.path.realpath(where) != os.path.realpath(shutil.which(agent) or agent)
    if not _on_a_terminal():
        raise InvalidOptionsError(
            f"{provider}'s sign-in asks to run {shown!r} on a terminal, and there is none: nothing was run",
            hint=f"run it yourself in a terminal, or `oauthpy auth login --provider {provider}` there",
        )
    warning = " (not the agent's own program)" if foreign else ""
    # on a line of its own, escaped: a CR or ESC in what the agent named must not redraw it
    print(f"{provider}'s sign-in runs this command{warning}:\n    `{visible(shown)}`", file=sys.stderr)
    if yes:
        return
    try:
        said = input("Run it? [y/N] ")
    except EOFError:
        said = ""
    if said.strip().lower() not in ("y", "yes"):
        raise InvalidOptionsError(f"{provider}'s sign-in command was not run: {shown!r}")


def _check_api_key(api_key: Any) -> None:
    if api_key is None:
        return
    # The value is never echoed: only what is wrong with it.
    if not isinstance(api_key, str):
        raise InvalidOptionsError(f"api_key must be a string, got {type(api_key).__name__}")
    if not api_key.strip():
        raise InvalidOptionsError("api_key is empty")
    if any(c.isspace() or ord(c) < 32 for c in api_key):
        raise InvalidOptionsError("api_key contains whitespace or control characters")
