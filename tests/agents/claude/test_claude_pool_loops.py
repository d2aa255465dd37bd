"""A warm claude CLI whose loop no longer runs when its client closes (``run_until_complete``,
then leaving ``with``): killed and reaped without that loop (the pool's rule with a stand-in:
tests/core/test_pool_loops.py)."""

from __future__ import annotations

import os

from oauthpy.testing import text
from tests.orphans import run_as_subreaper
from tests.support import REPO, assert_no_leftovers

#: a caller's own loop that reaps its children through pidfds, as every loop does from Python
#: 3.12 (on 3.11 a watcher thread of asyncio's, blocked in `waitpid`, would reap them anyway)
_RUNS_ON_ITS_OWN_LOOP = """
import asyncio
from oauthpy import Client

loop = asyncio.new_event_loop()
if sys.version_info < (3, 12):
    watcher = asyncio.PidfdChildWatcher()
    watcher.attach_loop(loop)
    asyncio.set_child_watcher(watcher)
with Client("claude", auth_source="external") as client:
    answer = loop.run_until_complete(client.arun("hi", cwd=sys.argv[1], timeout=60)).text
print(json.dumps({"answer": answer, "left": left()}))
loop.close()
"""


def test_a_warm_cli_of_a_loop_that_no_longer_runs_is_reaped_when_its_client_closes(
    anthropic_fake, claude_env, workdir
):
    anthropic_fake.script(text("fine"))
    said = run_as_subreaper(
        _RUNS_ON_ITS_OWN_LOOP,
        str(workdir),
        env={**os.environ, **claude_env, "PYTHONPATH": str(REPO / "src")},
    )
    assert said["answer"] == "fine"
    # the killed CLI, this program's child, unreaped: a zombie until exit, then PID 1's
    assert said["left"] == [], said
    assert_no_leftovers(claude_env)
