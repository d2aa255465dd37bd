"""The warm rigs: one client in ``with`` per agent and worker, whose warm agents serve the
tests marked ``warm_agent`` (of what an agent does, not of its start or its end), and which
tests get one."""

from __future__ import annotations

import contextlib
import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy import _registry as registry
from tests.support import WARM_KEEP_ALIVE_S, Rig, assert_no_leftovers, open_rig, provision, shared_env


def rig_id(param: str) -> str:
    """The test id of the `rig` parameter ``param``: the agent's name, and the wire of another
    of its fakes (``"copilot/oauthpy.testing.responses:FakeResponsesServer"``: ``copilot-responses``)."""
    name, _, fake = param.partition("/")
    return f"{name}-{fake.partition(':')[0].rpartition('.')[2]}" if fake else name


def takes_a_warm_rig(node: pytest.Item, param: str) -> bool:
    """Whether the test ``node`` gets the warm rig of the `rig` parameter ``param``: it is marked
    ``warm_agent``; with ``lone_runs=True`` only if the agent's warm client takes a lone run's
    transport, with ``costly_starts=True`` only if its `Provision.costly_starts`."""
    warm = node.get_closest_marker("warm_agent")
    provider = param.partition("/")[0]
    return bool(
        warm
        and (not warm.kwargs.get("lone_runs") or _keeps_the_lone_transport(provider))
        and (not warm.kwargs.get("costly_starts") or provision(provider).costly_starts)
    )


@functools.cache
def _keeps_the_lone_transport(provider: str) -> bool:
    """Whether a lone run inside ``with Client`` goes on the transport it takes outside it."""
    from oauthpy._pool import AgentPool

    made = registry.get(provider).make_provider()
    alone = made.open(None, session=False, pool=None)
    warm = made.open(None, session=False, pool=AgentPool(1.0))
    return bool(alone.transport == warm.transport)


@dataclass
class WarmRig(Rig):
    """A `Rig` whose `client` is one client in ``with`` for the whole worker: its warm agents
    serve test after test (OpenCode pays about 3 CPU-s a start, a warm turn 0.3)."""

    shared: Client

    def client(self) -> Client:
        return self.shared


class WarmRigs:
    """Each agent's warm rig of this worker, made on first use: one fake, one state folder,
    one work folder (OpenCode keys its processes by folder) and one client in ``with``."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._stack = contextlib.ExitStack()
        self._rigs: dict[str, WarmRig] = {}

    def fresh(self, param: str) -> WarmRig:
        """The warm rig of ``param`` (made on first use), its fake and its work folder emptied."""
        if param not in self._rigs:
            provider, _, fake = param.partition("/")
            rig = self._stack.enter_context(open_rig(provider, self._root / str(len(self._rigs)), fake=fake))
            env = shared_env(rig.env, rig.root / "oauthpy-home")
            # idle agents outlive the default 60 s: a loaded run has minutes between two warm tests
            client = Client(provider, auth_source="external", env=env, keep_alive=WARM_KEEP_ALIVE_S)
            self._stack.enter_context(client)
            self._rigs[param] = WarmRig(rig.provider, rig.fake, env, rig.root, client)
        warm = self._rigs[param]
        warm.fake.reset()
        for entry in warm.work.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        return warm

    def close(self) -> None:
        envs = [rig.env for rig in self._rigs.values()]
        self._stack.close()  # each client's agents, then each fake
        for env in envs:
            assert_no_leftovers(env, within_s=5.0)
