"""The JSON-RPC connection, against a small Python peer (a real child process, not a mock)."""

from __future__ import annotations

import asyncio
import gc
import sys
import textwrap
from typing import Any

import pytest

from oauthpy import CommandExecutionError, ProtocolError, TimeoutExceededError
from oauthpy._options import merged_env
from oauthpy._process import Invocation
from oauthpy._transports.rpc import Connection, Dialect
from oauthpy._transports.rpc_messages import INTERNAL_ERROR, RpcError
from oauthpy.testing import new_marker
from tests.support import assert_no_leftovers

pytestmark = pytest.mark.fast

# A peer that speaks whatever dialect it is spoken to, one message a line.
PEER = textwrap.dedent(
    """
    import json, os, sys

    def send(message):
        sys.stdout.write(json.dumps(message) + "\\n")
        sys.stdout.flush()

    def receive():
        line = sys.stdin.readline()
        return json.loads(line) if line else None

    held = None
    while (message := receive()) is not None:
        rid, method, params = message.get("id"), message.get("method"), message.get("params")
        dialect = {"jsonrpc": "2.0"} if "jsonrpc" in message else {}
        if method == "echo":
            send({**dialect, "id": rid, "result": {"params": params, "jsonrpc": "jsonrpc" in message}})
        elif method == "hold":  # answered after the next request's answer: out of order
            held = rid
        elif method == "release":
            send({**dialect, "id": rid, "result": "second"})
            send({**dialect, "id": held, "result": "first"})
        elif method == "fail":
            send({**dialect, "id": rid, "error": {"code": 7, "message": "nope", "data": {"why": 1}}})
        elif method == "silent":
            pass
        elif method == "notify":
            for turn in params["turns"]:
                send({**dialect, "method": "turn/progress", "params": {"turn": turn}})
            send({**dialect, "id": rid, "result": "sent"})
        elif method == "ask":  # a request from the agent, e.g. an approval
            send({**dialect, "id": 900, "method": "approve", "params": {"command": "rm -rf /"}})
            answer = receive()
            send({**dialect, "id": rid, "result": answer})
        elif method == "die":
            sys.stderr.write("last words of the agent\\n")
            sys.exit(3)
        elif method == "garbage":
            print("this is not json")
            send({**dialect, "id": rid, "result": "after the noise"})
        elif method == "array":
            print("[1, 2]")
        elif method == "torn":
            print('{"jsonrpc": "2.0", "id": ' + str(rid) + ', "resu')
        elif method == "killed_mid_frame":
            sys.stdout.write('{"jsonrpc": "2.0", "method": "update", "params": {"te')
            sys.stdout.flush()
            os.kill(os.getpid(), 9)
    """
)


def peer(marker: dict[str, str] | None = None) -> Invocation:
    return Invocation([sys.executable, "-c", PEER], merged_env(marker or {}), cwd=".")


def run(body: Any, dialect: Dialect = "lite", **kw: Any) -> Any:
    marker = new_marker()

    async def main() -> Any:
        conn = await Connection.start(peer(marker), dialect=dialect, **kw)
        try:
            return await body(conn)
        finally:
            await conn.close()

    result = asyncio.run(main())
    assert_no_leftovers(marker, within_s=0.0)  # close() stops the agent before it returns
    return result


@pytest.mark.parametrize("dialect", ["lite", "jsonrpc2"])
def test_answers_find_their_requests_in_both_dialects(dialect: Dialect):
    async def body(conn: Connection) -> Any:
        held = asyncio.ensure_future(conn.request("hold", timeout=10))
        await asyncio.sleep(0)  # the held request goes out first
        second = await conn.request("release", timeout=10)
        echo = await conn.request("echo", {"x": [1, "é"]}, timeout=10)
        return await held, second, echo

    first, second, echo = run(body, dialect)
    assert (first, second) == ("first", "second")
    # codex's dialect has no "jsonrpc" member; JSON-RPC 2.0 always has it
    assert echo == {"params": {"x": [1, "é"]}, "jsonrpc": dialect == "jsonrpc2"}


def test_an_error_answer_is_a_typed_error_with_its_code():
    async def body(conn: Connection) -> None:
        with pytest.raises(RpcError, match="fail failed: nope") as err:
            await conn.request("fail", timeout=10)
        assert err.value.code == 7 and err.value.details["data"] == {"why": 1}
        assert await conn.request("echo", 1, timeout=10) == {"params": 1, "jsonrpc": False}  # still usable

    run(body)


def test_notifications_go_to_their_route_even_before_it_subscribes():
    async def body(conn: Connection) -> tuple[list[Any], list[Any]]:
        others = conn.subscribe()  # unrouted ones are kept only for a subscriber
        # "t1" subscribed only after they arrived, as a turn learns its id from the answer
        assert await conn.request("notify", {"turns": ["t1", "t2", "t1"]}, timeout=10) == "sent"
        mine = conn.subscribe("t1")
        got_mine = [await mine.next(10) for _ in range(2)]
        return got_mine, [await others.next(10)]

    def router(method: str, params: Any) -> str | None:
        return params.get("turn") if params.get("turn") == "t1" else None

    mine, others = run(body, router=router)
    assert mine == [("turn/progress", {"turn": "t1"})] * 2
    assert others == [("turn/progress", {"turn": "t2"})]


def test_a_closed_routes_stragglers_and_unrouted_notifications_are_dropped_not_kept():
    async def body(conn: Connection) -> tuple[int, list[Any]]:
        mine = conn.subscribe("t1")
        mine.close()  # its thread is over; the agent lives on
        assert await conn.request("notify", {"turns": ["t1", "t2", "t1"]}, timeout=10) == "sent"
        assert await conn.request("echo", 1, timeout=10)  # every notification was read by now
        again = conn.subscribe("t1")  # a route taken anew starts empty
        with pytest.raises(asyncio.TimeoutError):
            await again.next(0.05)
        return len(conn._routes), list(conn._dropped)

    def router(method: str, params: Any) -> str | None:
        return params.get("turn") if params.get("turn") == "t1" else None

    routes, dropped = run(body, router=router)
    assert routes == 1 and dropped == []  # only the new "t1"; nothing queued for None


def test_a_request_from_the_agent_gets_the_handlers_answer():
    seen: list[tuple[str, Any]] = []

    async def handler(method: str, params: Any) -> Any:
        seen.append((method, params))
        return {"decision": "decline"}

    async def body(conn: Connection) -> Any:
        return await conn.request("ask", timeout=10)

    answer = run(body, handler=handler)
    assert seen == [("approve", {"command": "rm -rf /"})]
    assert answer == {"id": 900, "result": {"decision": "decline"}}


def test_a_failing_handler_answers_with_an_error_never_a_result():
    async def handler(method: str, params: Any) -> Any:
        raise RuntimeError("the callback broke")

    async def body(conn: Connection) -> Any:
        return await conn.request("ask", timeout=10)

    answer = run(body, handler=handler)
    assert "result" not in answer
    assert answer["error"] == {"code": INTERNAL_ERROR, "message": "the callback broke"}


def test_a_request_nobody_answers_ends_at_its_timeout():
    async def body(conn: Connection) -> None:
        with pytest.raises(TimeoutExceededError, match=r"silent got no answer within 0\.3 s"):
            await conn.request("silent", timeout=0.3)

    run(body)


def test_an_agent_killed_in_the_middle_of_a_frame_is_a_crash_not_a_protocol_error():
    """Its last frame, cut short with no newline, is its death's doing: the requests fail as a
    crash (transient: a batch retries the item), not as a frame that does not parse."""

    async def body(conn: Connection) -> None:
        with pytest.raises(CommandExecutionError) as err:
            await conn.request("killed_mid_frame", timeout=10)
        assert not isinstance(err.value, ProtocolError) and err.value.transient, err.value
        assert err.value.returncode == -9

    run(body)


def test_the_agent_exiting_fails_open_requests_with_its_exit_code_and_stderr():
    async def body(conn: Connection) -> None:
        with pytest.raises(CommandExecutionError) as err:
            await conn.request("die", timeout=10)
        assert err.value.returncode == 3 and "last words of the agent" in err.value.stderr
        with pytest.raises(CommandExecutionError):  # and every later one, at once
            await conn.request("echo", timeout=10)

    run(body)


# A peer that stops reading (closes its stdin) and says so, but lives on: a write to it fails
# with a broken pipe before its exit is seen.
DEAF_PEER = textwrap.dedent(
    """
    import json, os, sys, time
    os.close(0)
    sys.stdout.write(json.dumps({"method": "deaf", "params": {}}) + "\\n")
    sys.stdout.flush()
    time.sleep(60)
    """
)


def test_a_request_the_agent_cannot_read_fails_and_leaves_no_unretrieved_future(
    caplog: pytest.LogCaptureFixture,
):
    marker = new_marker()

    async def main() -> None:
        inv = Invocation([sys.executable, "-c", DEAF_PEER], merged_env(marker), cwd=".")
        conn = await Connection.start(inv, dialect="lite")
        try:
            heard = conn.subscribe()
            assert (await heard.next(30))[0] == "deaf"
            heard.close()
            with pytest.raises(CommandExecutionError, match=r"closed its input.*still running"):
                await conn.request("echo", timeout=10)
        finally:
            await conn.close()

    with caplog.at_level("ERROR", logger="asyncio"):
        asyncio.run(main())
        gc.collect()  # an unretrieved future says so when it is collected
    assert "never retrieved" not in caplog.text
    assert_no_leftovers(marker, within_s=0.0)


def test_a_line_that_is_not_json_is_noise_and_the_connection_goes_on():
    # what a shim or wrapper prints before it execs the agent
    async def body(conn: Connection) -> Any:
        answer = await conn.request("garbage", timeout=10)
        return answer, list(conn.noise), await conn.request("echo", 1, timeout=10)

    answer, noise, echo = run(body)
    assert answer == "after the noise" and noise == ["this is not json"] and echo["params"] == 1


def test_json_that_is_not_a_message_breaks_the_connection_with_a_protocol_error():
    async def body(conn: Connection) -> None:
        with pytest.raises(ProtocolError, match="not a JSON-RPC message: '\\[1, 2\\]'"):
            await conn.request("array", timeout=10)

    run(body)
