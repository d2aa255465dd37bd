"""A run whose auth source has no login fails at once with the fix, before any model request.

Each agent, on each transport, runs its real CLI with an empty isolated home
(``auth_source="oauthpy"``) and no credential (its provision's `login_vars` unset), pointed at its
fake so that a request would show. Without the check, codex sent its model request with no
credentials (and, with the real endpoint offline, retried "waiting for network" for minutes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oauthpy import AuthRequiredError, Client
from oauthpy import _registry as registry
from oauthpy.testing import FakeServer, new_marker, text
from tests.support import assert_no_leftovers, binary_var, model_for, pinned, provision, start_fake


@pytest.fixture(autouse=True)
def _no_inherited_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in registry.names(generic=False):
        for var in provision(name).login_vars:
            monkeypatch.delenv(var, raising=False)


def no_login_run(provider: str, fake: FakeServer, root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The env and run options that point ``provider``'s CLI at ``fake`` with no credential."""
    agent = provision(provider)
    if agent.no_login is not None:
        env, options = agent.no_login(fake, root)
    else:  # its fake's own environment, without a credential and without its state
        entry = registry.get(provider)
        env = entry.fake_environment(fake, root / "vendor", defaults=False)
        env = {k: v for k, v in env.items() if k not in agent.login_vars and k != entry.state_var}
        home = root / "user-home"
        home.mkdir(exist_ok=True)
        env["HOME"] = str(home)
        model = model_for(provider)
        options = {"model": model} if model else {}
    if agent.pinned_var:
        env[binary_var(provider)] = pinned(provider)
    return env, options


def fix_words(provider: str) -> str:
    return provision(provider).no_login_words or f"oauthpy auth login --provider {provider}"


def _cases(keep: Any) -> list[Any]:
    return [
        pytest.param(
            name,
            transport,
            marks=[pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else [],
            id=f"{name}-{transport}",
        )
        for name in registry.names(generic=False)
        if keep(provision(name))
        for transport in registry.get(name).transports
    ]


@pytest.mark.parametrize(("provider", "transport"), _cases(lambda agent: agent.no_login_refused))
def test_a_run_with_no_login_raises_auth_required_with_the_fix_and_sends_nothing(
    provider: str, transport: str, tmp_path: Path, workdir: Path
):
    with start_fake(provider) as fake:
        fake.script(text("must not be reached"))
        env, kw = no_login_run(provider, fake, tmp_path)
        marker = new_marker()
        client = Client(provider, auth_source="oauthpy", transport=transport, env=env)
        with pytest.raises(AuthRequiredError) as err:
            client.run("hi", cwd=workdir, env=marker, timeout=60, **kw)
        assert fix_words(provider) in str(err.value)
        assert fake.model_requests() == []
        assert_no_leftovers(marker)


@pytest.mark.parametrize(("provider", "transport"), _cases(lambda agent: agent.login_seen_before_start))
def test_an_agent_whose_login_oauthpy_can_read_fails_before_its_cli_starts(
    provider: str, transport: str, tripwire: tuple[dict[str, str], Path], workdir: Path
):
    """Their CLIs find out by themselves, but only after a start-up of seconds."""
    env, fired = tripwire
    client = Client(provider, auth_source="oauthpy", transport=transport, env=env)
    with pytest.raises(AuthRequiredError) as err:
        client.run("hi", cwd=workdir, timeout=60)
    assert fix_words(provider) in str(err.value)
    assert not fired.exists(), "the vendor CLI was started"
