"""What a test suite needs to know of one agent, beside its registry entry: its `Provision`.

Each agent's package says it in ``_agents/<name>/testing.py`` (``PROVISION``, named by its
registry entry's ``provision``), the way a SQLAlchemy dialect keeps its test provisioning and its
capability answers beside it: the shared suites ask these answers and never an agent's name.
This module names no agent. It imports nothing of oauthpy at its top: only `Provision.shell`
does, importing ``oauthpy.testing.script`` when it is called.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

#: the words most CLIs carry for the model API's HTTP faults (an agent's `Provision.fault_words`
#: may start from them: ``MappingProxyType({**HTTP_FAULT_WORDS, ...its own...})``)
HTTP_FAULT_WORDS: Mapping[str, str] = MappingProxyType(
    {"401": "authenticat", "403": "authenticat", "429": "rate", "529": "overloaded"}
)


@dataclass(frozen=True)
class Planted:
    """What a repository may hold that its agent reads as its own settings (files under the
    run's folder, by relative path), and what the caller's environment may (variables; one the
    agent's test environment sets too is merged into it, both JSON objects)."""

    files: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class Provision:
    """One agent's test provisioning and the shared suites' expectations of it."""

    # -- its program: the pinned one the test installer puts aside (not on PATH) ---------------
    #: the variable the installer (scripts/test) sets to the pinned program; empty: the agent's
    #: program is the one its auth finds (installed with the Python packages)
    pinned_var: str = ""
    #: where the installer puts it, globs under the repository, the first that exists wins (the
    #: last: a plain path, where it is reported missing)
    pinned_paths: tuple[str, ...] = ()
    #: the program when its package carries its own (an SDK's bundled CLI)
    find_program: Callable[[], str] | None = None
    #: programs it runs at every start for what only its own telemetry uses, which its test
    #: environment answers at once with a failure (its PATH finds ``false`` under their names),
    #: so it falls back to what it reads itself (``lsb_release``, a shell script of about a dozen
    #: processes and 10 ms, for the OS name of a user agent: /etc/os-release then)
    answered_at_once: tuple[str, ...] = ()

    # -- how its tests are scheduled --------------------------------------------------------------
    #: its tests never overlap: two of its processes at once starve a 2-core machine
    one_at_a_time: bool = False
    #: its start costs seconds of CPU: a test that runs it has a longer bound under load, and
    #: tests marked ``warm_agent(costly_starts=True)`` share one warm agent of it
    costly_starts: bool = False
    #: it starts in milliseconds and needs no separate install: the fast tier runs it
    starts_at_once: bool = False

    # -- its fake model's replies and records -----------------------------------------------------
    #: ``(command, say=...) -> step``: a reply asking its agent to run a shell command (None: the
    #: Responses/Chat fakes' ``shell``)
    shell_step: Callable[..., Any] | None = None
    #: which of the fake's recorded model requests are turns of the conversation (None: all of
    #: them); e.g. not a router's side calls
    is_turn: Callable[[Any], bool] | None = None
    #: ``provider_options`` under which an approved command may write in the work folder
    write_options: Mapping[str, Any] | None = None
    #: ``(command) -> argv tail`` that lets its agent run ``command`` with nobody to ask (None:
    #: it asks no one for it)
    unasked_args: Callable[[str], tuple[str, ...]] | None = None
    #: ``(env, old_url, new_url) -> None``: send its CLI elsewhere than the fake (None: every
    #: variable that holds the fake's address is rewritten)
    redirect: Callable[[dict[str, str], str, str], None] | None = None
    #: ``(env) -> names``: the sessions it saved in its isolated state, each name holding the
    #: session id or its first 8 characters (None: the files under its state folder)
    saved_sessions: Callable[[Mapping[str, str]], list[str]] | None = None
    #: every variable that may carry a credential into its CLI (a key, a token, a switch to
    #: another login): a test of a run with no login unsets them
    login_vars: tuple[str, ...] = ()
    #: ``(fake, root) -> (env, run options)``: its CLI pointed at ``fake`` with no credential of
    #: any kind, its state under ``root`` (None: the fake's environment without `login_vars` and
    #: its state variable, ``HOME`` an empty folder)
    no_login: Callable[[Any, Path], tuple[dict[str, str], dict[str, Any]]] | None = None
    #: what a test does once before it times a run of it: work of the first run in a process
    #: that is not the run's (an SDK's first import)
    warm_up: Callable[[], None] | None = None
    #: ``"module:attribute"`` of more fakes its CLI can be pointed at (other wire APIs): the
    #: shared suites run it against each of them too
    more_fakes: tuple[str, ...] = ()

    # -- the shared suites' expectations, as capabilities -----------------------------------------
    #: how many times its CLI retries a failed model request by itself (each one a request)
    own_retries: int = 0
    #: its CLI goes on retrying a model API it cannot reach, or whose stream breaks, for a minute
    #: or more before it reports the failure (no answer of the API can shorten that)
    retries_broken_connections: bool = False
    #: a refused tool call ends its turn (else the model hears of it and goes on)
    refusal_ends_turn: bool = False
    #: its errors carry the model API's HTTP status (else only the API's words)
    status_in_errors: bool = True
    #: the model API's error statuses whose message (the error body's words) its errors carry;
    #: for the others it has words of its own
    error_body_statuses: tuple[int, ...] = (400, 401, 429, 500)
    #: a command's output reaches the run's events
    command_output_carried: bool = True
    #: a reply's text reaches the run in parts as it comes on each of its transports (else the
    #: first event a test can count on early is a command's: `codex exec --json` has no deltas)
    text_deltas: bool = True
    #: the transports on which a reply's text comes whole, never in parts (`codex exec`)
    whole_text_transports: tuple[str, ...] = ()
    #: its CLI sends records of its own that a run carries as ``other`` events (an ACP agent's
    #: usage, mode or session-info updates): the event-shape suite leaves them out
    other_events: bool = False
    #: a command's event text is the command as the model wrote it (else the title its agent
    #: gives the call: copilot shows the model's description, Qwen Code ``Shell: <command>``);
    #: ``Event.command`` is the command either way
    command_text_is_command: bool = True
    #: it asks before every command and nothing lets it go on unasked: a run without
    #: ``on_permission`` has the command refused (``declined``)
    always_asks: bool = False
    #: the transcript of a saved session (its session/load replay) gives a prompt back with its
    #: images, which oauthpy's transcript shows as placeholders (else the prompt comes back
    #: without them)
    transcript_keeps_images: bool = True
    #: the transcript of a saved session gives its commands back, as events of their own (else
    #: only its prompts and replies)
    transcript_keeps_commands: bool = True
    #: its own exit code reaches the error of a run whose program exits (an SDK may fail writing
    #: to the dead program before it sees the code)
    exit_code_seen: bool = True
    #: how long its client library may wait for its CLI to exit when a run ends, beyond
    #: oauthpy's own stop (an SDK's graceful close of a connected CLI)
    graceful_close_s: float = 0.0
    #: a byte that is not UTF-8 on its output ends the run (an SDK's own reader) rather than
    #: being carried as an ``other`` event
    dies_on_bad_bytes: bool = False
    #: its CLI passes on when a spent quota starts again (`oauthpy.testing.quota_exceeded` with
    #: ``resets_in``), which oauthpy reports as ``QuotaExceededError.resets_at`` (else the login
    #: the fake environment gives it says no time: an API key's spent credits, a daily quota)
    quota_resets_at: bool = False
    #: its CLI tells a spent quota from a rate limit only when the API's answer says when the
    #: quota resets (Qwen Code reports any other 429 as "Rate limit exceeded"): a quota that
    #: names no reset is a plain ``RateLimitError``
    quota_needs_reset: bool = False
    #: its CLI's words for each fault of the fault suite (``"401"``, ``"500"``, ``"cut"``...), which
    #: oauthpy must carry into the error; a fault not listed is held to its error type alone
    fault_words: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: settings that would let it run a command or write a file without asking, each by a name
    #: (``"project-config"``): with them planted, a run whose ``on_permission`` denies everything
    #: is still asked, or refused before it starts with an error that names the file
    approving_settings: Mapping[str, Planted] = field(default_factory=lambda: MappingProxyType({}))
    #: a run with no login fails before any model request (else its CLI sends the request with
    #: no key, and only the model API, which its fake does not check, would refuse it)
    no_login_refused: bool = True
    #: oauthpy finds it has no login in its files, before its CLI starts (else its CLI finds out)
    login_seen_before_start: bool = False
    #: what the error of a run with no login tells the user to do (empty: ``oauthpy auth login
    #: --provider <name>``)
    no_login_words: str = ""
    #: what its agent says of a session id it does not know, which oauthpy carries into the
    #: `SessionNotFoundError` (empty: no words of its own are expected)
    unknown_session_words: str = ""
    #: what its missing program's error tells the user to run (empty: its auth's install hint)
    install_words: str = ""
    #: the most a lean run's first model request may be, as a share of a default run's (its
    #: CLI keeps a base prompt no option removes: copilot's 7.6 KB); None: it has no lean run,
    #: and ``lean=True`` is refused before anything starts
    lean_share: float | None = 0.2
    #: the tools a lean run's model request still declares (none of them a shell): those no
    #: documented option removes (codex's ``apply_patch``)
    lean_tools: tuple[str, ...] = ()
    #: a lean run still takes ``on_permission`` and ``tools=`` (else both are refused before it
    #: starts: it has no tool to ask about, and no MCP server to carry the user's tools)
    lean_takes_callbacks: bool = False
    #: what its error says when its state folder is full (None: it answers anyway)
    full_disk_words: str | None = None
    #: it exits on a full state folder (a crash, which may be called transient)
    full_disk_exits: bool = False

    def pinned_program(self, repo: Path) -> str | None:
        """Its pinned program as the installer left it, or where it is missing: the path of
        `pinned_var`, else the first of `pinned_paths` that exists, else the last of them (or
        ``$VAR`` when only the variable could say where). None: it has no pinned program."""
        if self.find_program is not None:
            return self.find_program()
        if not self.pinned_var:
            return None
        if found := os.environ.get(self.pinned_var):
            return found
        for pattern in self.pinned_paths:
            if matches := sorted(repo.glob(pattern)):
                return str(matches[0])
        return str(repo / self.pinned_paths[-1]) if self.pinned_paths else f"${self.pinned_var}"

    def path_answering_at_once(self, folder: Path) -> str:
        """The PATH of its test environment: ``folder``, holding ``false`` under each name of
        `answered_at_once`, before the PATH of this process."""
        folder.mkdir(parents=True, exist_ok=True)
        false = shutil.which("false") or "/bin/false"
        for name in self.answered_at_once:
            with contextlib.suppress(FileExistsError):
                (folder / name).symlink_to(false)
        return os.pathsep.join([str(folder), os.environ.get("PATH", os.defpath)])

    def shell(self, command: str, *, say: str = "") -> Any:
        """A fake model reply that asks its agent to run ``command``."""
        if self.shell_step is not None:
            return self.shell_step(command, say=say)
        from oauthpy.testing.script import shell

        return shell(command, say=say)


#: the provision of an agent whose entry names none: a program its auth finds, every default
DEFAULT = Provision()
