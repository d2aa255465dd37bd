"""Many prompts through one client: the engine under ``Client.map``, ``Client.amap`` and
``oauthpy batch``.

``concurrency`` workers take items in order and run each on the client's warm agents. Retries
happen here, not in each run's own retry loop, because a rate limit concerns the whole batch:
one `RateLimitError` pauses every start until the vendor's ``retry_after`` (else the
backoff) has passed, then the batch resumes at half its concurrency and gains one worker back
per such period (`Throttle`). Other transient failures are retried per item, up to
``max_retries``, with the usual backoff. A failed item is its error object; it never stops
the others.

Results are handed on as each item finishes and not kept, so a batch of any length runs in
flat memory.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oauthpy._checks import check_cwd, check_model, check_prompt
from oauthpy._errors import InvalidOptionsError, OauthPyError, QuotaExceededError, RateLimitError
from oauthpy._events import RunResult
from oauthpy._options import RunRequest
from oauthpy._retry import MAX_WAIT_S, RetryPolicy, vendor_wait

if TYPE_CHECKING:
    from oauthpy._runner import Runner

#: more would start more vendor processes than a laptop runs well
MAX_CONCURRENCY = 64
#: how often one item waits out a rate limit before it counts as failed (apart from max_retries)
RATE_LIMIT_RETRIES = 8
#: the longest pause for a rate limit (`oauthpy._retry.MAX_WAIT_S`)
MAX_PAUSE_S = MAX_WAIT_S
#: the per-item keys an item may set besides ``prompt``
ITEM_KEYS = ("prompt", "cwd", "model", "attachments")

#: the run options that the batch applies itself instead of each run
_RETRY_KEYS = ("max_retries", "retry_backoff_s", "retry_backoff_max_s", "retry_jitter_s", "retry_on_timeout")


@dataclass(frozen=True, slots=True)
class Finished:
    """One item's end: its position in the batch, what it gave, after how many attempts."""

    index: int
    result: RunResult | OauthPyError
    attempts: int
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return isinstance(self.result, RunResult)


def check_concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise InvalidOptionsError(
            f"concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, got {value!r:.40}"
        )
    return value


def item_request(base: RunRequest, item: Any, where: str) -> RunRequest:
    """``base`` with an item's prompt and its own ``cwd``/``model``/``attachments``; ``where``
    names the item in errors. An item is a prompt string or a mapping with ``prompt`` and any of
    the others."""
    try:
        if isinstance(item, str):
            return dataclasses.replace(base, prompt=check_prompt(item))
        if not isinstance(item, Mapping):
            raise InvalidOptionsError(f"an item must be a prompt string or a dict, got {type(item).__name__}")
        unknown = sorted(str(k) for k in item if k not in ITEM_KEYS)
        if unknown:
            raise InvalidOptionsError(
                f"unknown key {unknown[0]!r} in an item; an item has {', '.join(ITEM_KEYS)}"
            )
        if "prompt" not in item:
            raise InvalidOptionsError("the item has no prompt")
        changes: dict[str, Any] = {"prompt": check_prompt(item["prompt"])}
        if item.get("cwd") is not None:
            changes["cwd"] = check_cwd(item["cwd"])
        if item.get("model") is not None:
            changes["model"] = check_model(item["model"])
        if item.get("attachments") is not None:
            from oauthpy._attachments import check_attachments

            changes["attachments"] = check_attachments(item["attachments"])
        return dataclasses.replace(base, **changes)
    except InvalidOptionsError as exc:
        raise InvalidOptionsError(f"{where}: {exc.message}", hint=exc.hint) from None


def batch_requests(
    runner: Runner,
    prompts: Iterable[Any],
    concurrency: Any,
    kw: Mapping[str, Any],
    where: Callable[[int], str],
    keep_sessions: Any = False,
    budget_usd: Any = None,
) -> tuple[list[RunRequest], RetryPolicy, int]:
    """Every item's checked request (``where(i)`` names item i in errors), the retry policy the
    batch applies, and the concurrency; with ``budget_usd``, every item is charged to one
    `Budget`. Nothing starts here."""
    from oauthpy._budget import Budget, check_budget

    limit = check_concurrency(concurrency)
    budget = check_budget(budget_usd)
    if not isinstance(keep_sessions, bool):
        raise InvalidOptionsError(f"keep_sessions must be True or False, got {keep_sessions!r:.40}")
    if isinstance(prompts, (str, bytes)) or not isinstance(prompts, Iterable):
        raise InvalidOptionsError("prompts must be a list of prompt strings or dicts, not a single prompt")
    from oauthpy._fallback import planned

    base, policy = split_retries(planned(runner, "-", kw))  # "-": the items bring their own
    if not keep_sessions:
        base = without_sessions(base, runner.provider.ephemeral)
    if budget is not None:
        base = dataclasses.replace(base, budgets=(*base.budgets, Budget(budget, "the batch's")))
    requests = []
    for i, item in enumerate(prompts):
        request = item_request(base, item, where(i))
        if request.workspace is not None:  # the item's number is its setup's OAUTHPY_ATTEMPT
            request = dataclasses.replace(
                request, workspace=dataclasses.replace(request.workspace, attempt=i)
            )
        if request.model != base.model or request.cwd != base.cwd or request.attachments:
            runner.check(request)  # the provider's own checks of an item's model and files
        requests.append(request)
    return requests, policy, limit


def without_sessions(request: RunRequest, supported: bool) -> RunRequest:
    """``request`` as an ephemeral run where the provider has them and the caller did not say.

    A batch item is rarely continued, and hundreds of saved sessions would bury the user's own
    in the vendor's history; not writing them also makes each codex item cheaper.
    """
    options = request.provider_options
    if not supported or "ephemeral" in options:
        return request
    return dataclasses.replace(request, provider_options={**options, "ephemeral": True})


def split_retries(request: RunRequest) -> tuple[RunRequest, RetryPolicy]:
    """The request without its retry options (each run makes one attempt), and the policy the
    batch applies with them."""
    options = request.provider_options
    policy = RetryPolicy.from_options(options)
    kept = {k: v for k, v in options.items() if k not in _RETRY_KEYS}
    return dataclasses.replace(request, provider_options=kept), policy


class Throttle:
    """When workers may start an attempt: shared by every worker of one batch.

    A rate limit pauses every start until ``until``; then only ``reduced`` workers run (half of
    those that could), and one more may start per ``step`` seconds (half the pause) without a new
    rate limit, up to the full concurrency.
    Every wait is a timed sleep, so a worker waiting for its turn never depends on another one.
    """

    def __init__(self, concurrency: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.concurrency = concurrency
        self.clock = clock
        self.until = 0.0
        self.reduced = concurrency
        self.step = 0.0
        #: how many rate limits paused the batch (for the progress line and tests)
        self.pauses = 0
        #: when the current pause ends, on the wall clock (for "rate limited, resumes 14:05")
        self.resumes_at: float = 0.0

    def paused_until(self) -> float | None:
        """The wall-clock time (``time.time()``) the batch resumes, while it is paused."""
        return self.resumes_at if self.clock() < self.until else None

    def allowed(self, now: float) -> int:
        """How many workers may be running attempts at ``now``."""
        if now < self.until:
            return 0
        if self.step <= 0:
            return self.concurrency
        return min(self.concurrency, self.reduced + int((now - self.until) / self.step))

    def rate_limited(self, wait: float) -> None:
        now = self.clock()
        if now >= self.until:  # a new rate limit, not another worker's part of the one paused for
            self.reduced = max(1, self.allowed(now) // 2)
            self.pauses += 1
        if now + wait > self.until:
            self.resumes_at = time.time() + wait
        self.until = max(self.until, now + wait)
        self.step = max(wait / 2, 0.1)

    def wait_s(self, slot: int) -> float:
        """How long worker ``slot`` (0-based) has to wait before its next attempt; 0: go."""
        now = self.clock()
        if now < self.until:
            return self.until - now
        if slot < self.allowed(now):
            return 0.0
        return self.until + (slot - self.reduced + 1) * self.step - now

    async def turn(self, slot: int) -> None:
        while (wait := self.wait_s(slot)) > 0:
            await asyncio.sleep(wait)


async def _one(
    index: int,
    request: RunRequest,
    run: Callable[[RunRequest], Awaitable[RunResult]],
    throttle: Throttle,
    policy: RetryPolicy,
    slot: int,
) -> Finished:
    started = time.monotonic()
    attempts = rate_limits = 0
    while True:
        if attempts:  # the worker waited for the first attempt's turn before it took the item
            await throttle.turn(slot)
        attempts += 1
        try:
            result = await run(request)
        except RateLimitError as exc:
            if isinstance(exc, QuotaExceededError) and vendor_wait(exc) is None:
                # a spent plan that says no reset: no pause of ours brings it back
                return Finished(index, exc, attempts, time.monotonic() - started)
            wait = policy.delay(rate_limits + 1, exc)
            if rate_limits < RATE_LIMIT_RETRIES and wait <= MAX_PAUSE_S:
                rate_limits += 1
                throttle.rate_limited(wait)  # every worker pauses until the limit resets
                continue
            return Finished(index, exc, attempts, time.monotonic() - started)
        except OauthPyError as exc:
            other = attempts - rate_limits
            if other <= policy.max_retries and policy.retryable(exc):
                await asyncio.sleep(policy.delay(other, exc))
                continue
            return Finished(index, exc, attempts, time.monotonic() - started)
        return Finished(index, result, attempts, time.monotonic() - started)


class _Crash:
    """A worker died of something that is not an item's failure (a bug): re-raised to the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


async def run_all(
    requests: Sequence[RunRequest],
    run: Callable[[RunRequest], Awaitable[RunResult]],
    *,
    concurrency: int,
    policy: RetryPolicy,
    throttle: Throttle | None = None,
) -> AsyncGenerator[Finished, None]:
    """Run every request with ``run``, ``concurrency`` at a time; yield each as it finishes.

    Leaving the loop early (``break``, an exception, a cancel) stops the runs still going: none
    of them is yielded.
    """
    throttle = throttle or Throttle(concurrency)
    pending: Iterator[tuple[int, RunRequest]] = iter(enumerate(requests))
    done: asyncio.Queue[Finished | _Crash] = asyncio.Queue(maxsize=concurrency)

    async def worker(slot: int) -> None:
        try:
            while True:
                # the turn before the item: a worker held back by a rate limit leaves the
                # remaining items to the workers that may run
                await throttle.turn(slot)
                taken = next(pending, None)  # one shared iterator: each item is taken once
                if taken is None:
                    return
                await done.put(await _one(*taken, run, throttle, policy, slot))
        except Exception as exc:
            await done.put(_Crash(exc))

    workers = [asyncio.ensure_future(worker(k)) for k in range(min(concurrency, len(requests)))]
    try:
        # done when every item is: a worker still waiting for its turn has nothing left to take
        for _ in requests:
            got = await done.get()
            if isinstance(got, _Crash):
                raise got.exc
            yield got
    finally:
        for task in workers:
            task.cancel()
        # each run stops its vendor processes through the shielded stop routine, which is bounded
        await asyncio.gather(*workers, return_exceptions=True)


__all__ = [
    "Finished",
    "MAX_PAUSE_S",
    "RATE_LIMIT_RETRIES",
    "Throttle",
    "batch_requests",
    "check_concurrency",
    "item_request",
    "run_all",
    "split_retries",
]
