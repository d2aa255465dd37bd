"""Session files damaged after a real run (red team R7, T15): what is readable is kept, as the
CLIs read them. Gemini: a chat file cut short (a write cut in half) is still listed and its
transcript has what came before the cut. Claude: one appended line that is not UTF-8 costs
that line, not the whole transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy.testing import text
from tests.support import assert_no_leftovers, conversation, open_rig


@pytest.mark.xdist_group("gemini")
def test_a_gemini_session_file_cut_in_half_is_listed_and_read_up_to_the_cut(tmp_path: Path):
    with open_rig("gemini", tmp_path) as rig:
        rig.fake.script(text(" ".join(f"word{i}" for i in range(300))), text("a short reply"))
        client = rig.client()
        cut_early = rig.run("a prompt cut away").session_id
        cut_late = rig.run("a prompt kept whole").session_id
        files = {
            sid: next(
                p for p in Path(rig.env["GEMINI_CLI_HOME"]).rglob("session-*.jsonl") if sid in p.read_text()
            )
            for sid in (cut_early, cut_late)
        }
        data = files[cut_early].read_bytes()
        files[cut_early].write_bytes(data[: data.index(b"a prompt cut away") - 5])  # in its prompt's line
        data = files[cut_late].read_bytes()
        prompt_end = data.index(b"a prompt kept whole") + 40
        files[cut_late].write_bytes(data[:prompt_end])  # in the middle of the line after the prompt

        listed = {s.id: s for s in client.sessions(cwd=str(rig.work))}
        assert cut_early in listed and cut_late in listed
        assert listed[cut_early].turns == 0 and listed[cut_late].turns == 1
        assert conversation(client.transcript(cut_early)) == []
        assert conversation(client.transcript(cut_late)) == [("user", "a prompt kept whole")]
        assert_no_leftovers(rig.env)


def test_a_claude_transcript_with_a_line_that_is_not_utf8_keeps_its_readable_turns(tmp_path: Path):
    with open_rig("claude", tmp_path) as rig:
        rig.fake.script(text("first reply"), text("second reply"))
        client = rig.client()
        with client.session(cwd=rig.work, timeout=60) as chat:
            sid = chat.run("first prompt").session_id
            chat.run("second prompt")
        [path] = Path(rig.env["CLAUDE_CONFIG_DIR"]).rglob(f"{sid}.jsonl")
        with path.open("ab") as fh:
            fh.write(b'{"type": "user", "message": "\xff\xfe cut \xc3"\n')
        assert conversation(client.transcript(sid)) == [
            ("user", "first prompt"),
            ("message", "first reply"),
            ("user", "second prompt"),
            ("message", "second reply"),
        ]
        assert sid in {s.id for s in client.sessions(cwd=str(rig.work))}
        assert_no_leftovers(rig.env)
