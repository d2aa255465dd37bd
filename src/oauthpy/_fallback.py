"""``fallback=``'s options, checked, and the plan a run makes of them: each fallback agent's
request for the same work, made before anything starts (`oauthpy._failover` runs it).

The client asks it for a run's plan (`planned`), the batch for its items'. It imports no client:
a client given in ``fallback`` is known by its runner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from oauthpy._errors import InvalidOptionsError

if TYPE_CHECKING:
    from oauthpy._options import RunRequest
    from oauthpy._runner import Runner

#: the run options of failover (the others go to every agent alike)
KEYWORDS = frozenset(("fallback", "fallback_on", "fallback_after_s"))
#: what ``fallback_on`` may add to the defaults
WIDER = ("timeout", "crash")
#: how long a rate limit may ask to wait before the next agent takes the work instead
AFTER_S = 60.0


@dataclass(frozen=True, slots=True)
class Spec:
    """What a client or a run asked for: the agents after the first, in order."""

    agents: tuple[Any, ...]
    on: frozenset[str] = frozenset()
    after_s: float = AFTER_S


@dataclass(frozen=True, slots=True)
class Plan:
    """The agents to try after the first (``RunRequest.fallback``): their runners, checked."""

    runners: tuple[Runner, ...]
    on: frozenset[str]
    after_s: float


def check_spec(fallback: object, on: object = None, after_s: object = None) -> Spec | None:
    """``fallback=``, ``fallback_on=`` and ``fallback_after_s=`` checked; None: no failover."""
    from oauthpy import _registry as registry
    from oauthpy._checks import positive_number

    if fallback is None:
        if on is not None or after_s is not None:
            raise InvalidOptionsError(
                "fallback_on and fallback_after_s need fallback=[...], the agents to try"
            )
        return None
    if isinstance(fallback, str) or _runner_of_client(fallback) is not None:
        fallback = [fallback]
    if not isinstance(fallback, Sequence):
        raise InvalidOptionsError(
            f"fallback must be a list of agent names (or clients), got {type(fallback).__name__}",
            hint=f"e.g. fallback={list(registry.names(generic=False)[:2])!r}",
        )
    agents: list[Any] = []
    for item in fallback:
        if _runner_of_client(item) is not None:
            agents.append(item)
            continue
        if not isinstance(item, str) or item not in registry.names():
            raise InvalidOptionsError(
                f"fallback names an unknown agent {item!r}; choose from {', '.join(registry.names())}"
            )
        if registry.get(item).takes_command:
            raise InvalidOptionsError(
                f"fallback={item!r} needs its command: give a client, fallback=[Client('acp', command=[...])]"
            )
        agents.append(item)
    names = [_name(agent) for agent in agents]
    if len(set(names)) != len(names):
        raise InvalidOptionsError("each agent may be named once in fallback")
    wider: frozenset[str] = frozenset()
    if on is not None:
        if isinstance(on, str):
            on = [on]
        if not isinstance(on, Sequence) or any(value not in WIDER for value in on):
            raise InvalidOptionsError(
                f"fallback_on takes a list of {', '.join(map(repr, WIDER))}, got {on!r}"
            )
        wider = frozenset(on)
    after = positive_number("fallback_after_s", after_s)
    return Spec(tuple(agents), wider, AFTER_S if after is None else after)


def _name(agent: Any) -> str:
    return agent if isinstance(agent, str) else str(agent.provider)


def _runner_of_client(item: object) -> Runner | None:
    """The runner of a `Client` given in ``fallback`` (this module imports no client: the client
    imports it; nor the runner at its top: the batch does, through it)."""
    from oauthpy._runner import Runner

    runner = getattr(item, "_runner", None)
    return runner if isinstance(runner, Runner) else None


def split(options: Mapping[str, Any], default: Spec | None) -> tuple[dict[str, Any], Spec | None]:
    """A run's options without those of failover, and the failover it asked for (its own, else
    its client's; ``fallback=[]`` turns the client's off)."""
    rest = {k: v for k, v in options.items() if k not in KEYWORDS}
    if not any(k in options for k in KEYWORDS):
        return rest, default
    spec = check_spec(options.get("fallback"), options.get("fallback_on"), options.get("fallback_after_s"))
    return rest, spec if spec is not None and spec.agents else None


def planned(runner: Runner, prompt: Any, options: Mapping[str, Any]) -> RunRequest:
    """A run's request (`Runner.request`) with its failover's plan, when it has one (its own
    ``fallback=``, else its client's)."""
    rest, spec = split(options, runner.fallback)
    request = runner.request(prompt, rest)
    return request if spec is None else replace(request, fallback=plan(runner, prompt, rest, spec))


def plan(runner: Runner, prompt: Any, options: Mapping[str, Any], spec: Spec) -> Plan:
    """The fallback agents' runners, each having checked the same work (its options, its
    prompt) now: nothing starts unless all can. A try's request is made from the first agent's
    when it starts (`for_agent`): a batch item's prompt and folder are its own."""
    runners = []
    for agent in spec.agents:
        each = runner_of(runner, agent)
        try:
            each.request(prompt, options)
        except InvalidOptionsError as exc:
            raise InvalidOptionsError(f"fallback agent {each.name}: {exc.message}", hint=exc.hint) from None
        runners.append(each)
    return Plan(tuple(runners), spec.on, spec.after_s)


def for_agent(first: Runner, runner: Runner, request: RunRequest) -> RunRequest:
    """The first agent's request as ``runner``'s agent's: its worktree placed where that
    agent's commands see it, every budget of the first agent's client counted, no plan."""
    budgets = (*request.budgets, first.budget) if first.budget is not None else request.budgets
    workspace = request.workspace
    if workspace is not None:
        workspace = runner.placed(workspace, request.env)
    return replace(request, fallback=None, budgets=budgets, workspace=workspace)


def runner_of(runner: Runner, agent: Any) -> Runner:
    """The runner of a fallback agent: a client's given, else one the first agent's client makes
    like itself (`Runner.sibling`: its login source, home and environment), once."""
    if _name(agent) == runner.name or _runner_of_client(agent) is runner:
        raise InvalidOptionsError(f"fallback names {runner.name}, the agent that runs first")
    given = _runner_of_client(agent)
    if given is not None:
        return given
    if agent not in runner.siblings:
        made_now = runner.sibling(agent)
        made_now.lean = runner.lean  # the client's lean= too, as a run's own goes to every agent
        runner.siblings[agent] = made_now
    made: Runner = runner.siblings[agent]
    return made


def check_session(runner: Runner, spec: Spec, defaults: Mapping[str, Any]) -> tuple[Runner, ...]:
    """Each fallback agent's runner, its checks of the session's defaults passed."""
    runners = []
    for agent in spec.agents:
        each = runner_of(runner, agent)
        try:
            each.check_defaults(defaults)
        except InvalidOptionsError as exc:
            raise InvalidOptionsError(f"fallback agent {each.name}: {exc.message}", hint=exc.hint) from None
        runners.append(each)
    return tuple(runners)


def resumable(runner: Runner, fallback: tuple[Runner, ...], resume: object) -> tuple[str, list[Runner], bool]:
    """``resume`` checked, the fallback agents whose ids it could be (a conversation that
    failed over lives on with the agent that took it), and whether it could be the session's
    own agent's (else that agent is not asked)."""
    from oauthpy._session_options import check_resume_id

    others: list[Runner] = []
    for each in fallback:
        try:
            check_resume_id(each.name, resume)
            others.append(each)
        except InvalidOptionsError:
            pass
    try:
        return check_resume_id(runner.name, resume), others, True
    except InvalidOptionsError:
        if not others:
            raise
        return check_resume_id(others[0].name, resume), others, False
