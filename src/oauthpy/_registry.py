"""Every agent oauthpy knows, as data: one `Agent` entry per provider.

Each entry names where its parts live (the provider, its auth backend, its fake model server)
as ``"module:attribute"`` paths, imported only when used, so reading the registry (``oauthpy
--help``, validation) imports no vendor code. Every module that used to branch on a provider
asks the registry instead; tests/core/test_registry.py fails when an entry lacks a part or
when code outside the registry and the vendors' own modules names a provider.

Each shipped agent's entry is its package's ``spec.py`` (``SPEC``), listed in `_SPECS` and
imported only when asked for: ``oauthpy --help`` and ``Client("codex")`` load no other agent's.
A new agent is its package and its name in `ProviderName` (docs/add-an-agent.md); `register` adds one
at run time (the test suite's own ACP agent).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, get_args

from oauthpy._errors import InvalidOptionsError, UnsupportedProviderError

#: the images every agent that takes images takes (`oauthpy._attachments` reads the type from a
#: file's bytes), and a megabyte, for the limits of `Agent.attachment_limits`
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MB = 1024 * 1024


def images_limit(limit_bytes: int, *extra: tuple[str, int]) -> dict[str, int]:
    """Every image type at ``limit_bytes``, and ``extra`` types (media type, limit)."""
    return {**dict.fromkeys(IMAGE_TYPES, limit_bytes), **dict(extra)}


#: a UUID in its canonical 8-4-4-4-12 hex form (codex thread ids are UUIDv7, claude's and
#: gemini's session ids UUIDv4; the version is not checked)
UUID_FORM = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: what an ACP agent may use as a ``sessionId``: printable, no spaces, bounded
ACP_ID_FORM = r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,199}"


class Agent(NamedTuple):
    """One provider: its name, where its parts live, and what help texts and tools show.

    A named tuple rather than a dataclass: ``oauthpy --help`` reads the registry, and
    dataclasses cost it a third of its start (they import ``inspect``).
    """

    name: str
    #: the vendor's product, for help texts and doctor
    title: str
    #: ``"module:attribute"`` of a callable that makes the `Provider` (given ``command=`` when
    #: `takes_command`)
    provider: str
    #: ``"module:attribute"`` of a callable that makes the `AuthBackend` (same arguments)
    auth: str
    #: ``"module:attribute"`` of the `FakeServer` class its CLI can be pointed at, for tests
    fake: str
    #: what can carry its runs, the first the default (``Client.transports``)
    transports: tuple[str, ...]
    #: model names the vendor CLI knows, for help texts (never used to refuse a name)
    models: tuple[str, ...] = ()
    #: reasoning efforts it accepts (validated: a wrong one fails only once the CLI runs)
    efforts: tuple[str, ...] = ()
    #: the model a run gets when none is given, as help texts say it
    default_model: str = "(the agent's configured default)"
    #: the catalog entry marked default in ``models()`` when the vendor has no list of its own
    catalog_default: str | None = None
    #: the form of the vendor's session ids (a regular expression, matched whole), what it is
    #: called, and a real one: a ``resume=`` of another form is refused before anything starts
    session_id_form: str = UUID_FORM
    session_id_words: str = "a UUID"
    session_id_example: str = "80fb1d47-2d28-409b-9c3d-169e33f8e617"
    #: extra environment beside the fake's own (e.g. a fixed model: one request per turn)
    fake_env: Mapping[str, str] = MappingProxyType({})
    #: ``"module:attribute"`` of ``(fake, root) -> env`` when the fake's own ``env(root)`` is
    #: not what points this agent at it (a fake several agents share)
    fake_setup: str = ""
    #: ``"module:attribute"`` of ``(fake, root) -> env`` for the offline mode, when it needs more
    #: than `fake_environment` (a fake login with quota windows, the network closed)
    offline_setup: str = ""
    #: variables of the user's own that hold this agent's credentials and would win over a fake's
    #: key: unset in the offline mode
    credential_vars: tuple[str, ...] = ()
    #: the model runs against the fake should name (None: the agent's default)
    fake_model: str | None = None
    #: ``provider_options`` for ``oauthpy demo``'s shell command
    demo_options: Mapping[str, Any] | None = None
    #: the documented variable that moves its login state (``auth_source="oauthpy"`` points it
    #: at oauthpy's own folder); empty: it has none, and cannot be isolated
    state_var: str = ""
    #: a generic entry: made per client from ``command=``, not listed by doctor, demo, offline
    takes_command: bool = False
    #: shown by doctor and demo, started by the offline mode, tried by `oauthpy run` without
    #: ``-p`` (a test suite's own agent is not)
    listed: bool = True
    #: whether its sandbox mounts a /dev of its own (bubblewrap's ``--dev``): a worktree in
    #: /dev/shm does not exist for its commands, which then run in ``$HOME``; its worktrees go
    #: to disk. True: always (a sandbox it brings); a program's name: when that program is on
    #: the run's PATH (a sandbox the user may turn on, which needs it)
    sandbox_hides_memory: bool | str = False
    #: where its CLI is published, ``"pypi:<name>"`` or ``"npm:<name>"``, the pinned one first:
    #: scripts/compat tests the newest of each and docs/compatibility.md lists them
    packages: tuple[str, ...] = ()
    #: ``"module:attribute"`` of ``(provider) -> Catalogue``: its sessions listed, read, forked
    #: and deleted through its own interface (`oauthpy._sessions`); empty: it keeps none
    catalogue: str = ""
    #: ``"module:attribute"`` of ``(provider) -> UsageReader``: the account's usage and quota
    #: from its own interface (`oauthpy._usage`); empty: it has no way to tell
    usage: str = ""
    #: ``"module:attribute"`` of ``(home, provider, event) -> None``, given each ``other`` event
    #: of a run: where the account's usage is only known from what runs report (claude)
    usage_observer: str = ""
    #: the transport (one of ``transports``) of a one-shot process that gives a run's final
    #: answer at the least cost: ``oauthpy run`` without ``--stream`` takes it, started before
    #: the rest of the run imports (`oauthpy.cli.run_exec`), unless stdin is a terminal and the run
    #: not lean (its questions are asked there, on its default transport); empty: the default one
    answer_transport: str = ""
    #: ``"module:attribute"`` of its vendor's API list prices, model -> USD per million tokens
    #: (input, cached input, output): `oauthpy._prices` estimates costs from every agent's
    prices: str = ""
    #: whether `Client.models` reports the vendor's own list (else oauthpy's catalog)
    lists_models: bool = False
    #: what it takes with a prompt (``attachments=``): media type -> most bytes per file; empty:
    #: no attachments (`oauthpy._attachments`). An ACP agent must also say so in ``initialize``.
    attachment_limits: Mapping[str, int] = MappingProxyType({})
    #: how many attachments one prompt may carry (None: no limit of the agent's own)
    max_attachments: int | None = None
    #: what it is good at, in a sentence a model can act on (``oauthpy mcp serve``'s tools)
    strengths: str = ""
    #: the session controls its conversation offers (`oauthpy._session_controls.CONTROLS`:
    #: ``steer``, ``rewind``, ``compact``, ``context``); any other is refused before anything is sent
    controls: tuple[str, ...] = ()
    #: ``"module:attribute"`` of its native review, ``async (client, prepared, options) ->
    #: Review`` (`oauthpy._review`): the vendor's own review mode; empty: a read-only run asked
    #: for oauthpy's findings JSON
    reviewer: str = ""
    #: ``"module:attribute"`` of its test provisioning (`oauthpy.testing.provision.Provision`):
    #: its pinned program, how its tests are scheduled, what the shared suites expect of it;
    #: empty: every default. Read by test suites only.
    provision: str = ""

    def make_provider(self, command: tuple[str, ...] | None = None) -> Any:
        return _load(self.provider)(**self._args(command))

    def make_auth(self, command: tuple[str, ...] | None = None) -> Any:
        return _load(self.auth)(**self._args(command))

    def make_catalogue(self, provider: Any) -> Any:
        if not self.catalogue:
            from oauthpy._sessions import NoCatalogue

            return NoCatalogue(self.name, "oauthpy has no session catalogue for this agent")
        return _load(self.catalogue)(provider)

    def usage_observer_function(self) -> Any:
        return _load(self.usage_observer) if self.usage_observer else None

    def make_usage_reader(self, provider: Any) -> Any:
        return _load(self.usage)(provider) if self.usage else None

    def fake_class(self) -> Any:
        return _load(self.fake)

    def load_provision(self) -> Any:
        """Its `Provision` (imported now); None when its entry names none (the defaults)."""
        return _load(self.provision) if self.provision else None

    def fake_environment(
        self, fake: Any, root: Any, *, defaults: bool = True, **options: Any
    ) -> dict[str, str]:
        """The environment that sends this agent's real CLI to ``fake``, its state under
        ``root``; with `fake_env` unless ``defaults`` is False (tests that choose the model);
        ``options`` go to its wiring (``api_key=``)."""
        setup = _load(self.fake_setup) if self.fake_setup else fake.env
        env: dict[str, str] = setup(fake, root, **options) if self.fake_setup else setup(root, **options)
        return {**env, **self.fake_env} if defaults else env

    def offline_environment(self, fake: Any, root: Any) -> dict[str, str]:
        """The environment of this agent in offline mode (docs/testing.md)."""
        env = (
            _load(self.offline_setup)(fake, root) if self.offline_setup else self.fake_environment(fake, root)
        )
        return {**env, **self.fake_env}

    def _args(self, command: tuple[str, ...] | None) -> dict[str, Any]:
        return {"command": command} if self.takes_command else {}


def load(path: str) -> Any:
    """The attribute a ``"module:attribute"`` path names (imported now)."""
    return _load(path)


def _load(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


#: every agent oauthpy ships, in the order it lists them: its entry is its package's
#: ``_agents/<name>/spec.py`` (``SPEC``), imported only when asked for. Adding an agent is its
#: package and its name here, the one line that both type checkers and the registry read
#: (`Client.providers` lists the run-time ones too)
ProviderName = Literal["codex", "claude", "gemini", "opencode", "copilot", "qwen", "acp"]

_SPECS: dict[str, str] = {name: f"oauthpy._agents.{name}.spec:SPEC" for name in get_args(ProviderName)}
#: the entries loaded so far, and those registered at run time (`register`)
_ENTRIES: dict[str, Agent] = {}


#: more entries, as ``module:attribute`` paths separated by commas: how a process started by
#: another (a CLI run by a test suite) gets the entries that one registered
AGENTS_VAR = "OAUTHPY_AGENTS"
_loaded_from_env = ""


def _from_env() -> None:
    global _loaded_from_env
    paths = os.environ.get(AGENTS_VAR, "")
    if paths == _loaded_from_env:
        return
    _loaded_from_env = paths
    for path in filter(None, (p.strip() for p in paths.split(","))):
        try:
            agent = _load(path)
        except Exception as exc:  # whatever its import raised: a plain error, never a traceback
            raise UnsupportedProviderError(
                f"{AGENTS_VAR} names {path!r}, which does not load: {exc}"
            ) from None
        if not isinstance(agent, Agent):
            raise UnsupportedProviderError(f"{AGENTS_VAR} names {path!r}, which is not a registry Agent")
        _ENTRIES[agent.name] = agent


def register(agent: Agent) -> None:
    """Add (or replace) an entry: how a test suite or a plugin adds an agent."""
    _ENTRIES[agent.name] = agent


def unregister(name: str) -> None:
    _ENTRIES.pop(name, None)


def _load_entry(name: str) -> Agent | None:
    found = _ENTRIES.get(name)
    if found is None and name in _SPECS:
        found = _ENTRIES[name] = _load(_SPECS[name])
    return found


def get(name: str) -> Agent:
    _from_env()
    found = _load_entry(name) if isinstance(name, str) else None
    if found is None:
        raise UnsupportedProviderError(f"unknown provider {name!r}; choose one of {', '.join(names())}")
    return found


def find(name: object) -> Agent | None:
    _from_env()
    return _load_entry(name) if isinstance(name, str) else None


def _all_names() -> list[str]:
    return [*_SPECS, *(n for n in _ENTRIES if n not in _SPECS)]


def names(*, generic: bool = True, listed_only: bool = False) -> tuple[str, ...]:
    """Every provider's name, in order; ``generic=False`` leaves out the ones that need
    ``command=`` (what tests run against fakes); ``listed_only`` keeps the `Agent.listed`
    ones (what doctor, demo and the offline mode go over)."""
    _from_env()
    if generic and not listed_only:
        return tuple(_all_names())  # no agent's entry is loaded for this
    found = []
    for n in _all_names():
        a = _load_entry(n)
        if (
            a is not None
            and (generic or not a.takes_command)
            and (not listed_only or (a.listed and not a.takes_command))
        ):
            found.append(n)
    return tuple(found)


def entries() -> tuple[Agent, ...]:
    _from_env()
    return tuple(a for n in _all_names() if (a := _load_entry(n)) is not None)


def owner_of_fake(fake_class: type) -> Agent | None:
    """The first agent whose entry names ``fake_class`` as its fake and wires its CLI to it
    (``fake_setup``): what a fake's own ``env(root)`` points (the Responses fake: codex)."""
    path = f"{fake_class.__module__}:{fake_class.__qualname__}"
    return next((a for a in entries() if a.fake == path and a.fake_setup), None)


def check_providers(value: object, what: str, *, twice_hint: str | None = None) -> list[str]:
    """A non-empty list of agent names of the registry, each once (``what``: "a comparison",
    "a review"), or `InvalidOptionsError` naming what is wrong."""
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise InvalidOptionsError(
            "providers must be a non-empty list of agent names", hint=f"e.g. {names()[:2]!r}"
        )
    known = names()
    for name in value:
        if name not in known:
            raise InvalidOptionsError(f"unknown provider {name!r}; choose from {', '.join(known)}")
    if len(set(value)) != len(value):
        raise InvalidOptionsError(f"each provider may be named once in {what}", hint=twice_hint)
    return list(value)
