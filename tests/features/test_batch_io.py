"""The batch engine's files and progress without a vendor: input (JSON Lines, a JSON array, plain
prompts, a BOM and comments), the output file and its result lines, a full disk, and the progress
tally and display. The real CLIs run it in tests/contract/test_batch_command.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy._batch import Finished
from oauthpy._errors import CommandExecutionError, InvalidOptionsError, StructuredOutputError
from oauthpy.cli.batch_files import Output, read_items, result_line
from oauthpy.cli.batch_progress import Tally

pytestmark = pytest.mark.fast

# -- input ---------------------------------------------------------------------------------------


def test_jsonl_items_keep_their_ids_and_fields_and_ignore_the_datasets_own_keys():
    data = b'{"id": "a", "prompt": "p1", "label": "x"}\n\n{"prompt": "p2", "cwd": "/tmp", "model": "m"}\n'
    items = read_items(data)
    assert [(i.id, i.line, i.fields) for i in items] == [
        ("a", 1, {"prompt": "p1"}),
        (3, 3, {"prompt": "p2", "cwd": "/tmp", "model": "m"}),
    ]


def test_a_file_of_plain_lines_is_one_prompt_per_non_empty_line():
    items = read_items(b"first prompt\n\n  \nsecond {not json}\n")
    assert [(i.id, i.fields["prompt"]) for i in items] == [(1, "first prompt"), (4, "second {not json}")]


def test_every_bad_line_is_reported_with_its_number_at_once():
    data = b'{"id": 1, "prompt": "a"}\nnot json\n{"id": 1, "prompt": "b"}\n{"id": 2}\n{"id": true, "prompt": "c"}\n'
    with pytest.raises(InvalidOptionsError) as err:
        read_items(data)
    message = str(err.value)
    assert "line 2: not valid JSON" in message
    assert "line 3: id 1 is already used by line 1" in message
    assert "line 4: no prompt" in message
    assert "line 5: id must be a string" in message
    assert "nothing was started" in message


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "no items"), (b"\n \n", "no items"), (b"ok\n\xff\xfe\n", "line 2: not UTF-8")],
)
def test_empty_or_undecodable_input_is_refused(data: bytes, words: str):
    with pytest.raises(InvalidOptionsError, match=words):
        read_items(data)


def test_an_id_and_its_text_form_are_the_same_item():
    with pytest.raises(InvalidOptionsError, match="already used"):
        read_items(b'{"id": 7, "prompt": "a"}\n{"id": "7", "prompt": "b"}\n')


# -- output --------------------------------------------------------------------------------------


def test_an_existing_output_is_never_overwritten_without_resume(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": 1, "ok": true}\n')
    with pytest.raises(InvalidOptionsError) as err:
        Output(str(out), resume=False)
    assert "--resume" in str(err.value.hint)
    assert out.read_text() == '{"id": 1, "ok": true}\n'


def test_resume_knows_the_ok_ids_and_cuts_a_torn_last_line(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    out.write_text(
        '{"id": 1, "ok": true}\n{"id": 2, "ok": false}\n{"id": "x", "ok": true}\n{"id": 3, "ok": tr'
    )
    output = Output(str(out), resume=True)
    assert output.done == {"1", "x"}
    assert output.torn
    output.open()
    output.write({"id": 2, "ok": True})
    output.close()
    lines = out.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, "x", 2]


def test_resume_refuses_a_file_that_is_not_batch_output(tmp_path: Path):
    out = tmp_path / "notes.txt"
    out.write_text("my notes\n")
    with pytest.raises(InvalidOptionsError, match="line 1 is not a batch result line"):
        Output(str(out), resume=True)


def test_a_result_line_is_redacted_and_names_the_error(tmp_path: Path):
    key = "sk-proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ"
    error = CommandExecutionError(f"the vendor said {key}", hint="try again")
    line = result_line("a", Finished(0, error, 2, 1.23456))
    assert line["ok"] is False and line["attempts"] == 2 and line["elapsed_s"] == 1.235
    assert line["error"]["type"] == "CommandExecutionError"
    assert key not in json.dumps(line)
    assert line["text"] is None and line["usage"] is None


def test_a_failed_schema_line_names_its_conversation_even_when_the_agent_told_no_usage():
    error = StructuredOutputError("not the JSON").of_run(None, "m", "thread-7")
    line = result_line("a", Finished(0, error, 1, 0.5))
    assert line["session_id"] == "thread-7" and line["usage"] is None and line["model"] is None


def test_the_tally_line_has_rate_eta_tokens_cost_and_rate_limits():
    now = [0.0]
    limits = [0]
    tally = Tally(10, clock=lambda: now[0], rate_limits=lambda: limits[0])
    now[0] = 30.0
    tally.add(True, 120, 0.01)
    tally.add(False, 0, None, item="r-7", error="RateLimitError")
    assert tally.line() == "2/10 done · 1 ok · 1 failed · 4.0/min · ETA 2m00s · 120 tokens · $0.0100"
    limits[0] = 2
    assert tally.line().endswith("$0.0100 · rate-limited 2x")
    marked = tally.status(lambda text, colour: f"<{colour}>{text}")
    assert marked.startswith("<green>1 ok · <red>1 failed · ") and "<yellow>rate-limited 2x" in marked
    assert tally.summary() == (
        "1 ok, 1 failed of 10 in 30s · 120 tokens · $0.0100\n"
        "failed: r-7 (RateLimitError) (OUTPUT has each error; --resume runs them again)"
    )


def test_the_summary_names_failed_ids_up_to_twenty_and_what_resume_skipped():
    tally = Tally(30, clock=lambda: 0.0, skipped=12)
    assert tally.resuming() == "resuming: 12 already done in OUTPUT, skipped; 30 to run"
    for n in range(25):
        tally.add(False, 0, None, item=n, error="TimeoutExceededError")
    first, named = tally.summary().split("\n")
    assert first == "0 ok, 25 failed of 30 in 0s · 0 tokens · 12 already done, skipped"
    assert named.startswith("failed: 0 (TimeoutExceededError), 1 (TimeoutExceededError), ")
    assert "19 (TimeoutExceededError), and 5 more (OUTPUT has each error" in named
    assert "20 (" not in named


# -- input people write: a BOM, comments (red-team N10) ------------------------------------------


def test_a_bom_and_comment_lines_leave_json_lines_json_lines():
    data = b'\xef\xbb\xbf# labels\r\n{"id": "a", "prompt": "p1", "model": "m"}\r\n  # between\n{"id": "b", "prompt": "p2"}\n'
    items = read_items(data)
    assert [(i.id, i.line, i.fields) for i in items] == [
        ("a", 2, {"prompt": "p1", "model": "m"}),
        ("b", 4, {"prompt": "p2"}),
    ]
    assert [i.fields["prompt"] for i in read_items(b"\xef\xbb\xbfjust a prompt\n")] == ["just a prompt"]
    with pytest.raises(InvalidOptionsError, match="only # comment lines"):
        read_items(b"# nothing but a comment\n")


def test_plain_prompts_keep_hash_lines_as_prompts_and_refuse_json_objects():
    items = read_items(b"Fix the bug\n# Heading of the second prompt\n")
    assert [i.fields["prompt"] for i in items] == ["Fix the bug", "# Heading of the second prompt"]
    with pytest.raises(InvalidOptionsError) as err:
        read_items(b'Summarize\n{"prompt": "x"}\nmore\n{"prompt": "y"}\n')
    assert "line(s) 2, 4 look like JSON; nothing was started" in str(err.value)
    assert err.value.hint and "# comment lines are allowed" in err.value.hint


# -- a full disk under OUTPUT (red-team N14) -------------------------------------------------------


def test_a_failed_write_takes_back_its_partial_line_and_is_a_clean_error(tmp_path: Path, monkeypatch):
    import os

    from oauthpy import OauthPyError
    from oauthpy.cli import batch_files

    path = tmp_path / "out.jsonl"
    output = Output(str(path), resume=False)
    output.open()
    output.write({"id": "a", "ok": True})
    real_write = os.write
    calls = [0]

    def half_then_full(fd: int, data: bytes) -> int:
        calls[0] += 1
        if calls[0] == 1:
            return real_write(fd, data[:7])  # part of the line got in
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch_files.os, "write", half_then_full)
    with pytest.raises(OauthPyError) as err:
        output.write({"id": "b", "ok": True})
    monkeypatch.undo()
    output.close()
    assert err.value.message == f"cannot write OUTPUT {path}: No space left on device; the batch was stopped"
    assert path.read_text() == '{"id": "a", "ok": true}\n'  # whole lines only


def test_off_a_terminal_a_plain_line_every_few_seconds_and_a_summary():
    import io

    from oauthpy.cli.batch_progress import PLAIN_EVERY_S, Display

    now = [0.0]
    stream = io.StringIO()
    display = Display(Tally(3, clock=lambda: now[0]), stream)
    display.tally.add(True, 10, None)
    display.tick()
    assert stream.getvalue() == ""  # not yet
    now[0] = PLAIN_EVERY_S
    display.tick()
    now[0] = PLAIN_EVERY_S + 1
    display.tick()  # one line per period
    assert stream.getvalue() == "batch: 1/3 done · 1 ok · 0 failed · 12.0/min · ETA 10s · 10 tokens\n"
    display.close(interrupted=True)
    assert stream.getvalue().splitlines()[-1] == "interrupted: 1 ok, 0 failed of 3 in 6s · 10 tokens"


def test_quiet_shows_nothing():
    import io

    from oauthpy.cli.batch_progress import Display

    now = [0.0]
    stream = io.StringIO()
    display = Display(Tally(1, clock=lambda: now[0]), stream, quiet=True)
    now[0] = 100.0
    display.tick()
    display.close()
    assert stream.getvalue() == ""


def test_a_broken_first_json_line_is_an_error_with_its_number_never_a_prompt():
    # a line that starts like JSON makes the file JSON Lines: a paid prompt of '{"prompt": "x"' is never sent
    with pytest.raises(InvalidOptionsError, match=r"line 1: not valid JSON"):
        read_items(b'{"prompt": "x"\n{"prompt": "y"}\n')


def test_a_json_array_is_read_as_its_items_and_every_problem_reported_at_once():
    items = read_items(b'[{"id": "a", "prompt": "one"}, "two"]')
    assert [(i.id, i.fields["prompt"]) for i in items] == [("a", "one"), (2, "two")]
    with pytest.raises(InvalidOptionsError) as err:
        read_items(b'[{"id": "a"}, 3, {"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]')
    message = str(err.value)
    assert "item 1: no prompt" in message and "item 2: not an object" in message
    assert "item 4: id 'a' is already used by item 3" in message


def test_a_file_that_starts_with_a_bracket_but_is_no_array_is_refused_saying_why():
    with pytest.raises(InvalidOptionsError, match=r"starts with '\[' but is not one JSON array"):
        read_items(b'[{"prompt": "x"},\n')
