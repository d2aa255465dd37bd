"""An attachment is read once for a run, however many attempts its retries make: the file
checked, read off the loop, then the same bytes sent by every attempt (the real ACP test
agent, whose model fails once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import Client, _attachments
from oauthpy.testing import HttpError, sample_png, text
from tests.support import open_rig


def test_a_retried_run_reads_its_attachment_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shot = tmp_path / "shot.png"
    shot.write_bytes(sample_png(5))
    reads: list[str] = []
    read = _attachments.read_checked

    def counted(attachment: _attachments.Attachment) -> bytes:
        reads.append(attachment.path)
        return read(attachment)

    monkeypatch.setattr(_attachments, "read_checked", counted)
    with open_rig("acp-test", tmp_path / "rig") as rig:
        rig.fake.script(HttpError(500, "blip"), text("seen"))
        client = Client("acp-test", auth_source="external", env=rig.env)
        options = {"max_retries": 2, "retry_backoff_s": 0.01, "retry_jitter_s": 0.0}
        result = client.run(
            "Describe it", cwd=rig.work, attachments=[shot], provider_options=options, timeout=30
        )
    assert result.text == "seen" and result.raw["retry"]["attempts"] == 2
    assert reads == [str(shot)]
