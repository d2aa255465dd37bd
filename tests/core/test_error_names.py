"""What a user reads when something is wrong: public class names, hints for near misses,
no terminal escapes (issue 25, item 13 and N16)."""

from __future__ import annotations

import inspect
import pickle
import traceback

import pytest

import oauthpy
from oauthpy import Client, CommandExecutionError, UnsupportedProviderError

pytestmark = pytest.mark.fast

ERRORS = [getattr(oauthpy, n) for n in oauthpy.__all__ if n.endswith("Error")]


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_exported_error_is_named_where_users_import_it_from(cls: type[Exception]):
    assert cls.__module__ == "oauthpy"
    assert repr(cls) == f"<class 'oauthpy.{cls.__name__}'>"


def test_a_traceback_prints_oauthpy_dot_the_error_and_it_pickles():
    err = oauthpy.AuthRequiredError("not logged in", hint="oauthpy auth login -p codex")
    shown = "".join(traceback.format_exception_only(type(err), err))
    assert shown.startswith("oauthpy.AuthRequiredError: not logged in")
    again = pickle.loads(pickle.dumps(oauthpy.InvalidOptionsError("bad")))
    assert type(again) is oauthpy.InvalidOptionsError and again.message == "bad"


#: one of each error with the fields of its own: a pool's worker raises it in another process
WITH_FIELDS = [
    oauthpy.TimeoutExceededError("total timeout fired after 5.0 s", which="total", after_s=5.0),
    oauthpy.SessionNotFoundError("0199-id", "unknown session", hint="start a new one"),
    oauthpy.CommandExecutionError("failed", returncode=3, stderr="boom", transient=True, hint="retry"),
    oauthpy.RateLimitError("slow down", retry_after=2.0),
    oauthpy.BudgetExceededError("batch", 1.0, 1.25),
    oauthpy.SetupError("setup failed", exit_code=2, output="npm ERR"),
    oauthpy.AuthRequiredError("not logged in", hint="oauthpy auth login -p codex"),
]


@pytest.mark.parametrize("err", WITH_FIELDS, ids=lambda e: type(e).__name__)
def test_every_error_pickles_with_its_fields(err: oauthpy.OauthPyError):
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and str(again) == str(err)
    assert vars(again) == vars(err)


def test_a_capitalized_provider_name_hints_at_the_lower_case_one():
    with pytest.raises(UnsupportedProviderError) as err:
        Client("Claude")  # type: ignore[arg-type]
    assert err.value.hint == "provider names are lower case: Client('claude')"
    with pytest.raises(UnsupportedProviderError) as other:
        Client("goose")  # type: ignore[arg-type]
    assert other.value.hint is None


@pytest.mark.parametrize(
    ("keyword", "suggestion"),
    [
        ("auth", "auth_source"),
        ("source", "auth_source"),
        ("home", "oauthpy_home"),
        ("transprot", "transport"),
    ],
)
def test_a_misspelt_client_keyword_gets_the_did_you_mean_of_the_run_methods(keyword: str, suggestion: str):
    with pytest.raises(TypeError) as err:
        Client("codex", **{keyword: "x"})  # type: ignore[misc]
    assert str(err.value) == (
        f"Client() got an unexpected keyword argument {keyword!r} (did you mean {suggestion!r}?)"
    )
    with pytest.raises(
        TypeError,
        match=r"\(it takes auth_source, oauthpy_home, env, transport, keep_alive, command, budget_usd, "
        r"fallback, fallback_on, fallback_after_s, lean\)",
    ):
        Client("codex", zzz=1)  # type: ignore[call-arg]


def test_the_constructor_signature_shows_only_its_real_keywords():
    names = list(inspect.signature(Client).parameters)
    assert names == [
        "provider",
        "auth_source",
        "oauthpy_home",
        "env",
        "transport",
        "keep_alive",
        "command",
        "budget_usd",
        "fallback",
        "fallback_on",
        "fallback_after_s",
        "lean",
    ]


def test_error_messages_and_stderr_tails_carry_no_terminal_escapes():
    coloured = "\x1b[2m2026-11-23T10:00:00Z\x1b[0m \x1b[31mERROR\x1b[0m codex_core: stream closed"
    err = CommandExecutionError(
        f"the agent exited with code -9: {coloured}",
        stderr=f"{coloured}\n\x1b]0;title\x07\x1b[1;33mwarn\x1b[0m\n",
        hint="\x1b[1mretry\x1b[0m",
    )
    assert "\x1b" not in err.message + err.stderr + str(err) + (err.hint or "")
    assert err.message.startswith("the agent exited with code -9: 2026-11-23T10:00:00Z ERROR codex_core")
    assert err.stderr == "2026-11-23T10:00:00Z ERROR codex_core: stream closed\nwarn\n"
    assert err.hint == "retry"
