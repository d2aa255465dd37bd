"""An agent added to the registry after the docs' pictures were taken: the suite's own ACP agent
under another name, listed (doctor, demo and the offline mode go over it). tests/docs/
test_screenshots.py registers it for scripts/screenshots.py, whose pictures must not change."""

from __future__ import annotations

from tests.agents.acp_test.entry import ENTRY

NEWCOMER = ENTRY._replace(name="newcomer", title="an agent added since", listed=True)
