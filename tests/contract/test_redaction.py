"""Redaction end to end on every agent (issue 13): the real CLIs against the fakes, through the
library and the `oauthpy` command (called in-process, so the fakes' env goes in through
os.environ). What oauthpy prints of one agent's run: tests/core/test_redaction_e2e.py."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from oauthpy import CommandExecutionError, OauthPyError
from oauthpy import _registry as registry
from oauthpy._redact import MASK
from oauthpy.cli import main
from oauthpy.testing import Reply
from tests.support import Rig, assert_no_leftovers, open_rig, provision

GITHUB_KEY = "ghp_Ab3dEfGh1jKlMn0pQrStUvWx0123456789"
OPENAI_KEY = "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx0123456789"
SPLIT_REPLY = f"Your token is {GITHUB_KEY} keep it."  # 4 chunks cut the key in 3 places
#: the statuses an agent that retries them by itself (`Provision.own_retries`) gives up on only a
#: minute later: the fault suite waits for that once (tests/contract/test_faults.py)
RETRIED = (429, 500)


def windows(secret: str, size: int = 8) -> list[str]:
    """Every piece of ``secret`` long enough to matter: none may be shown."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def shows_any(output: str, secret: str) -> bool:
    return any(w in output for w in windows(secret))


def cli(monkeypatch: pytest.MonkeyPatch, rig: Rig, *args: str) -> int:
    """``oauthpy run`` of the rig's agent, in this process, with ``args`` after its options."""
    for key, value in rig.env.items():
        monkeypatch.setenv(key, value)
    model = ["-m", rig.model] if rig.model else []
    return main(["run", "-p", rig.provider, "--source", "external", "--cwd", str(rig.work), *model, *args])


def _marks(name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else []


# -- item 2 (and 9): a key streamed in pieces, on stdout once, masked ----------------------------


def test_run_stream_masks_a_key_split_across_deltas_and_prints_the_answer_once(rig: Rig, monkeypatch, capsys):
    rig.fake.script(Reply(text=SPLIT_REPLY, chunks=4))
    assert cli(monkeypatch, rig, "--stream", "go") == 0
    assert capsys.readouterr().out == f"Your token is {MASK} keep it.\n"
    assert_no_leftovers(rig.env)


def test_run_json_shows_no_piece_of_a_key_split_across_deltas(rig: Rig, monkeypatch, capsys):
    rig.fake.script(Reply(text=SPLIT_REPLY, chunks=4))
    assert cli(monkeypatch, rig, "--json", "go") == 0
    out = capsys.readouterr().out
    assert not shows_any(out, GITHUB_KEY)
    events = json.loads(out)["events"]
    deltas = [e["text"] for e in events if e["kind"] == "message" and e.get("delta")]
    # as the agent streams it: in pieces on the transport a fresh `oauthpy run` takes for the answer
    # alone (its one-shot, `Agent.answer_transport`, else its default one), else whole
    agent = registry.get(rig.provider)
    if (agent.answer_transport or agent.transports[0]) in rig.provision.whole_text_transports:
        assert deltas == []
    else:
        assert len(deltas) == 4 and "".join(deltas) == f"Your token is {MASK} keep it.", deltas


# -- item 3: an error's details hold the whole vendor message ------------------------------------


@pytest.mark.warm_agent(lone_runs=True)
def test_error_details_do_not_hold_the_key_that_the_message_masks(rig: Rig):
    rig.fake.script(rig.api_error(400, f"Incorrect API key provided: {OPENAI_KEY}"))
    with pytest.raises(OauthPyError) as err:
        rig.run()
    assert MASK in str(err.value)  # the vendor's message is kept, masked
    assert not shows_any(str(err.value) + repr(err.value) + str(vars(err.value)), OPENAI_KEY)  # every field


# -- item 4: a key of unknown shape from the run's env -------------------------------------------


def _echoed() -> list[Any]:
    """Each agent with each status whose words its errors carry (`Provision.error_body_statuses`)."""
    return [
        pytest.param(name, status, marks=_marks(name), id=f"{name}-{status}")
        for name in registry.names(generic=False)
        for status in provision(name).error_body_statuses
        if not (provision(name).own_retries and status in RETRIED)
    ]


@pytest.mark.parametrize(("provider", "status"), _echoed())
def test_an_env_value_of_unknown_shape_is_masked_in_http_errors(provider: str, status: int, tmp_path):
    value = f"zq-internal-{uuid.uuid4().hex[:10]}"
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(rig.api_error(status, f"key {value} rejected"))
        with pytest.raises(OauthPyError) as err:
            rig.run(env={"CUSTOM_API_KEY": value})
        assert_no_leftovers(rig.env)
    exc = err.value
    shown = str(exc) + repr(exc) + str(vars(exc))  # message, hint, stderr, details, every field
    assert f"key {MASK} rejected" in str(exc)  # the vendor's words are there, the value is not
    assert value not in shown


def _retrying_on_500() -> list[Any]:
    return [
        pytest.param(name, marks=_marks(name), id=name)
        for name in registry.names(generic=False)
        if 500 in provision(name).error_body_statuses and not provision(name).own_retries
    ]


@pytest.mark.parametrize("provider", _retrying_on_500())
def test_an_env_value_is_masked_in_retry_summaries(provider: str, tmp_path):
    value = f"zq-internal-{uuid.uuid4().hex[:10]}"
    retry = {"max_retries": 1, "retry_backoff_s": 0, "retry_jitter_s": 0}
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(rig.api_error(500, f"key {value} fell over"))
        with pytest.raises(CommandExecutionError) as err:
            rig.run(env={"CUSTOM_API_KEY": value}, provider_options=retry)
        assert_no_leftovers(rig.env)
    assert err.value.retry is not None
    summaries = err.value.retry["attempt_errors"]
    assert len(summaries) == 2 and all(f"key {MASK} fell over" in s["message"] for s in summaries)
    assert value not in str(err.value) + json.dumps(summaries)
