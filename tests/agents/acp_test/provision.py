"""The test suite's own ACP agent in the shared suites: its provision (every default but one)."""

from __future__ import annotations

from oauthpy.testing.provision import Provision

#: a Python script on the interpreter that runs the tests: it starts at once, needs no install
PROVISION = Provision(starts_at_once=True)
