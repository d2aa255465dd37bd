"""No secret survives into an error message or a repr, nor into JSON output, the CLI's printed
answer or a stream of deltas that splits it (what ``redact`` masks: test_redaction_shapes.py)."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import CommandExecutionError, Event, EventKind, RunResult, SessionNotFoundError, Usage, redact
from oauthpy._describe import describe
from oauthpy._redact import MASK, MAX_HOLD, StreamRedactor
from oauthpy.cli import render
from tests.core.redaction_cases import KEYS, secret_strategy

pytestmark = pytest.mark.fast


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=50), secret_strategy, st.text(max_size=50))
def test_a_planted_secret_never_survives_into_errors_or_reprs(before, secret, after):
    text = f"{before} {secret} {after}"
    err = CommandExecutionError(text, stderr=text, details={"x": 1})
    assert secret not in str(err) and secret not in err.stderr
    event = Event(EventKind.ERROR, text=text, command=text, raw={"k": secret})
    assert secret not in repr(event)
    result = RunResult("codex", "cli", text, (event,), 0.1, "/", Usage(), raw={"k": secret})
    assert secret not in repr(result)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), secret_strategy, st.text(max_size=40))
def test_a_planted_secret_never_survives_into_json_output(before, secret, after):
    from oauthpy.cli.render import dumps, event_json, result_json

    text = f"{before} {secret} {after}"
    event = Event(EventKind.COMMAND, text=text, command=text, output=text, tool_input={"arg": text})
    result = RunResult("claude", "sdk", text, (event,), 0.1, "/", Usage(), output={"answer": text})
    assert secret not in dumps(result_json(result))
    assert secret not in dumps(event_json(event))


# -- item 3: every error attribute that holds vendor text ---------------------------------------


def test_error_details_are_redacted_recursively_like_the_message():
    key = KEYS["openai"]
    err = CommandExecutionError(
        f"codex run failed: {key}",
        stderr=f"stderr {key}",
        details={"message": f"Incorrect API key {key}", "nested": {"list": [key, (key, 1)]}, "status": 401},
        hint=f"check {key}",
    )
    assert key not in str(err) + err.stderr + repr(err.details) + str(err.hint) + repr(err)
    assert err.details["status"] == 401 and err.details["nested"]["list"][1][1] == 1
    assert err.details["message"] == f"Incorrect API key {MASK}"


def test_session_not_found_redacts_the_id_and_the_vendor_words():
    key = KEYS["github"]
    err = SessionNotFoundError(f"bad-{key}", f"vendor said {key}")
    assert key not in str(err) + err.session_id + err.message


# -- item 13: reprs redact first, then cut ------------------------------------------------------


def test_reprs_redact_before_cutting_so_no_key_prefix_shows():
    key = KEYS["google"]
    text = "x" * 44 + " " + key + " and more text after it"  # the cut at 77 falls inside the key
    event = Event(EventKind.MESSAGE, text=text)
    result = RunResult("gemini", "stream-json", text, (event,), 0.1, "/", Usage())
    for shown in (repr(event), repr(result)):
        assert key[:10] not in shown and MASK in shown


def test_describe_redacts_command_output_before_cutting_it():
    key = KEYS["google"]
    output = "y" * 100 + " " + key  # the 120-character cut falls inside the key
    line = describe(Event(EventKind.COMMAND, command="env", output=output, exit_code=0))
    assert line is not None and key[:10] not in line and MASK[:5] in line


# -- item 2: secrets split across streamed deltas -----------------------------------------------

STREAMED = [
    "your token is " + KEYS["github"] + " keep it safe",
    "the jwt " + KEYS["jwt"] + " expires soon",
    "send Authorization: Bearer opaque-value-123 with each call",
    "header x-api-key : hunter2-long-value next",
]


def pieces_of(text: str, cuts: list[int]) -> list[str]:
    bounds = [0, *sorted({c % (len(text) + 1) for c in cuts}), len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if b > a]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STREAMED), st.lists(st.integers(min_value=0, max_value=500), max_size=8))
def test_a_secret_streamed_in_pieces_is_masked_and_nothing_else_changes(text, cuts):
    redactor = StreamRedactor()
    shown = [redactor.feed(p) for p in pieces_of(text, cuts)] + [redactor.flush()]
    assert "".join(shown) == redact(text)  # same as redacting the whole text at once


def test_the_stream_redactor_holds_back_only_a_short_tail():
    redactor = StreamRedactor()
    assert redactor.feed("Hello there, wor") == "Hello there, "
    assert redactor.feed("ld! Your key: ghp_Ab3dEf") == "world! Your key: "
    assert redactor.feed("Gh1jKlMn0pQrStUvWx0123456789 ok") == f"{MASK} "
    assert redactor.feed(" send api_key: opaque") == "ok send "  # "api_key:" may lead a secret
    assert redactor.feed("-value-123 now") == f"api_key: {MASK} "
    assert redactor.flush() == "now"
    long_word = "z" * (MAX_HOLD + 1)
    assert redactor.feed(long_word) == long_word  # bounded: released once too long


def test_stream_printer_masks_a_key_split_across_deltas_and_prints_the_message_once():
    key = KEYS["github"]
    deltas = ["Here: " + key[:10], key[10:25], key[25:] + " done"]
    for item_id in ("msg_1", None):  # with ids (codex, claude) and without (gemini)
        out, err = io.StringIO(), io.StringIO()
        printer = render.StreamPrinter(out, err)
        for piece in deltas:
            printer.feed(Event(EventKind.MESSAGE, text=piece, delta=True, item_id=item_id))
        printer.feed(Event(EventKind.MESSAGE, text="".join(deltas), item_id=item_id))
        printer.feed_end()
        assert out.getvalue() == f"Here: {MASK} done\n"


def test_stream_printer_does_not_repeat_a_message_whose_deltas_carried_no_id():
    out = io.StringIO()
    printer = render.StreamPrinter(out, io.StringIO())
    for piece in ("Hel", "lo there"):
        printer.feed(Event(EventKind.MESSAGE, text=piece, delta=True))
    printer.feed(Event(EventKind.MESSAGE, text="Hello there", item_id="msg_9"))
    printer.feed(Event(EventKind.MESSAGE, text="Unstreamed", item_id="msg_10"))
    printer.feed_end()
    assert out.getvalue() == "Hello there\nUnstreamed\n"


def test_stream_printer_prints_a_message_once_when_other_events_come_between_its_deltas():
    out, err = io.StringIO(), io.StringIO()
    printer = render.StreamPrinter(out, err)
    printer.feed(Event(EventKind.MESSAGE, text="Hel", delta=True))
    printer.feed(Event(EventKind.OTHER, raw={"method": "usage_update"}))  # shows nothing
    printer.feed(Event(EventKind.MESSAGE, text="lo", delta=True))
    printer.feed(Event(EventKind.COMMAND, text="ls", command="ls", status="completed"))  # on err
    printer.feed(Event(EventKind.MESSAGE, text="Hello", item_id="msg_1"))
    printer.feed_end()
    assert out.getvalue() == "Hello\n"
    assert "[command]" in err.getvalue()


def test_json_output_redacts_a_messages_deltas_jointly():
    key = KEYS["jwt"]
    deltas = ["token " + key[:20], key[20:60], key[60:] + " end"]
    events = tuple(Event(EventKind.MESSAGE, text=p, delta=True, item_id="m") for p in deltas)
    events += (Event(EventKind.MESSAGE, text="".join(deltas), item_id="m"),)
    out = render.result_json(RunResult("claude", "sdk", "".join(deltas), events, 0.1, "/", Usage()))
    dumped = render.dumps(out)
    assert all(p not in dumped for p in (key[:20], key[20:60], key[60:]))
    shown = [e["text"] for e in out["events"] if e.get("delta")]
    assert len(shown) == 3 and "".join(shown) == f"token {MASK} end"


def test_repr_of_a_delta_shows_only_its_length():
    key = KEYS["github"]
    first, second = key[:18], key[18:]
    for piece in (first, second):
        shown = repr(Event(EventKind.MESSAGE, text=piece, delta=True))
        assert piece not in shown and f"text_len={len(piece)}" in shown


# -- item 8: answers are returned unchanged, printed redacted ------------------------------------


def test_the_cli_answer_text_is_redacted_while_the_result_keeps_the_answer():
    text = f"use {KEYS['openai']} for task-management-system-design.md"
    result = RunResult("codex", "cli", text, (), 0.1, "/", Usage(), output={"k": KEYS["openai"]})
    assert result.text == text
    assert render.answer_text(result) == f"use {MASK} for task-management-system-design.md"
    assert render.result_json(result)["output"] == {"k": MASK}


def test_a_structured_output_error_redacts_the_reply_before_cutting_it():
    from oauthpy._errors import StructuredOutputError
    from oauthpy._options import build_request
    from oauthpy._structured import parse_structured

    key = "AIza" + "Sy9xQ2mK7pL4nR8tV1wZ3bC6dF0gH5jE"  # 36 characters after the prefix
    reply = "x" * 280 + " " + key + " and more words after it"  # the 300-character cut falls in the key
    request = build_request("p", output_schema={"type": "object"})
    with pytest.raises(StructuredOutputError) as err:
        parse_structured(reply, request)
    assert "AIzaSy9x" not in str(err.value)
