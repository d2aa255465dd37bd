"""Where the tests find the repository and the recorded CLI output, whatever folder they are in."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECORDINGS = REPO / "tests" / "recordings"
