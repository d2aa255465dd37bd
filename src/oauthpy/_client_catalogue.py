"""The session catalogue's half of `Client`: list, read, fork and delete saved sessions, and
what the provider can do (docs/sessions.md). Each call is checked before any process starts,
then goes to the provider's `Catalogue` with the client's environment for its auth source, so
an isolated client sees only its own sessions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from oauthpy._errors import InvalidOptionsError, SessionNotFoundError
from oauthpy._loop import run_sync

if TYPE_CHECKING:
    import os

    from oauthpy._auth.manager import AuthManager
    from oauthpy._events import Event
    from oauthpy._runner import Runner
    from oauthpy._sessions import Capabilities, Catalogue, SessionInfo


class CatalogueMethods:
    provider: str
    _auth: AuthManager
    _runner: Runner
    _catalogue_made: Catalogue | None = None

    def _catalogue(self) -> Catalogue:
        if self._catalogue_made is None:
            from oauthpy import _registry as registry

            made = registry.get(self.provider).make_catalogue(self._runner.provider)
            # a catalogue that starts the agent itself (ACP) shares the warm agents of `with Client`
            use_warm_agents = getattr(made, "use_warm_agents", None)
            if use_warm_agents is not None:
                use_warm_agents(lambda: self._runner.pool)
            self._catalogue_made = made
        return self._catalogue_made

    async def _env(self) -> dict[str, str]:
        env, _ = await self._auth.run_env({}, None)
        return env

    def _known_form(self, session_id: object) -> str:
        """``session_id`` if it can be one of this provider's ids; else the error a vendor
        would give, without asking it."""
        from oauthpy import _registry as registry

        if not isinstance(session_id, str):
            raise InvalidOptionsError(f"session_id must be a string, got {type(session_id).__name__}")
        if not re.fullmatch(registry.get(self.provider).session_id_form, session_id):
            raise SessionNotFoundError(
                session_id,
                f"not a {self.provider} session id",
                hint="ids come from Client.sessions() or a RunResult.session_id",
            )
        return session_id

    # -- list ----------------------------------------------------------------------------------

    async def asessions(
        self, *, cwd: str | os.PathLike[str] | None = None, limit: int | None = None
    ) -> list[SessionInfo]:
        """Async twin of `sessions`."""
        folder = _folder(cwd)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise InvalidOptionsError(f"limit must be a positive int or None, got {limit!r}")
        return await self._catalogue().list_sessions(await self._env(), cwd=folder, limit=limit)

    def sessions(
        self, *, cwd: str | os.PathLike[str] | None = None, limit: int | None = None
    ) -> list[SessionInfo]:
        """This provider's saved sessions for this client's auth source, newest first, as
        `SessionInfo`; with ``cwd``, only those started in that folder; at most ``limit``.

        Read through the vendor's own interface (never its credential files); an isolated
        client (``auth_source="oauthpy"``) lists only the sessions of its isolated state.
        """
        return run_sync(self.asessions(cwd=cwd, limit=limit))

    # -- transcript ----------------------------------------------------------------------------

    async def atranscript(self, session_id: str) -> list[Event]:
        """Async twin of `transcript`."""
        sid = self._known_form(session_id)
        return await self._catalogue().transcript(await self._env(), sid)

    def transcript(self, session_id: str) -> list[Event]:
        """A saved session's conversation in order, as events: each prompt a ``user`` event
        (`EventKind.USER`), each reply a completed ``message`` event, and the commands, file
        changes and tool calls the vendor recorded. An unknown id raises `SessionNotFoundError`."""
        return run_sync(self.atranscript(session_id))

    # -- fork, delete --------------------------------------------------------------------------

    async def afork(self, session_id: str) -> str:
        """Async twin of `fork`."""
        sid = self._known_form(session_id)
        return await self._catalogue().fork(await self._env(), sid)

    def fork(self, session_id: str) -> str:
        """A new session that starts with ``session_id``'s conversation; its id. Turns on the
        fork (``client.session(resume=new_id)``) leave the parent as it was."""
        return run_sync(self.afork(session_id))

    async def adelete_session(self, session_id: str) -> None:
        """Async twin of `delete_session`."""
        sid = self._known_form(session_id)
        pool = self._runner.pool
        if pool is not None:
            # a vendor refuses to delete a session a live process of it holds (codex: "active
            # writer", Copilot: "in use by another process"), as an idle warm agent that ran it does
            await pool.close_idle(holding=sid)
        await self._catalogue().delete(await self._env(), sid)

    def delete_session(self, session_id: str) -> None:
        """Delete (or, where the vendor only archives, archive) a saved session."""
        run_sync(self.adelete_session(session_id))

    # -- capabilities --------------------------------------------------------------------------

    async def acapabilities(self) -> Capabilities:
        """Async twin of `capabilities`."""
        from oauthpy import _registry as registry
        from oauthpy._session_controls import CONTROLS
        from oauthpy._sessions import Capabilities

        catalogue = self._catalogue()
        await catalogue.learn(await self._env())
        agent = registry.get(self.provider)
        provider: Any = self._runner.provider
        asking = bool(provider.asking)
        return Capabilities(
            provider=self.provider,
            sessions=catalogue.can_list,
            transcript=catalogue.can_transcript,
            fork=catalogue.can_fork,
            delete_session=catalogue.can_delete,
            interrupt=True,
            permissions=asking,
            tools=asking,
            # an ACP agent's own word counts too (its initialize's promptCapabilities.image)
            images=bool(agent.attachment_limits) and getattr(catalogue, "takes_images", True),
            models=agent.lists_models,
            quota=bool(agent.usage),
            questions=asking,  # the transports that ask for permission ask questions too
            **{control: control in agent.controls for control in CONTROLS},
        )

    def capabilities(self) -> Capabilities:
        """What this provider supports, as `Capabilities` (docs/sessions.md renders the table).
        For an ACP agent (opencode, copilot, any ``Client("acp", command=...)``) this starts it
        once to read what its ``initialize`` answer advertises; the answer is kept per client."""
        return run_sync(self.acapabilities())


def _folder(cwd: object) -> str | None:
    import os
    from pathlib import Path

    if cwd is None:
        return None
    if not isinstance(cwd, (str, os.PathLike)):
        raise InvalidOptionsError(f"cwd must be a path or None, got {type(cwd).__name__}")
    path = os.fspath(cwd)
    if not isinstance(path, str) or not path:
        raise InvalidOptionsError("cwd must be a non-empty text path")
    return str(Path(path).expanduser().resolve())
