"""A warm claude CLI whose loop no longer runs when its client closes (``run_until_complete``,
then leaving ``with``): killed and reaped without that loop (the pool's rule with a stand-in:
tests/core/test_pool_loops.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from oauthpy.testing import text
from tests.support import REPO, assert_no_leftovers

#: a caller's own loop that reaps its children through pidfds, as every loop does from Python
#: 3.12 (on 3.11 a watcher thread of asyncio's, blocked in `waitpid`, would reap them anyway)
_RUNS_ON_ITS_OWN_LOOP = """
import asyncio, json, os, sys
from oauthpy import Client

def zombie_children():
    names = []
    for entry in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{entry}/stat").read() if entry.isdigit() else ""
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields and fields[0] == "Z" and int(fields[1]) == os.getpid():
            names.append(stat[stat.index("(") + 1 : stat.rindex(")")])
    return names

loop = asyncio.new_event_loop()
if sys.version_info < (3, 12):
    watcher = asyncio.PidfdChildWatcher()
    watcher.attach_loop(loop)
    asyncio.set_child_watcher(watcher)
with Client("claude", auth_source="external") as client:
    answer = loop.run_until_complete(client.arun("hi", cwd=sys.argv[1], timeout=60)).text
print(json.dumps({"answer": answer, "zombies": zombie_children()}))
loop.close()
"""


def test_a_warm_cli_of_a_loop_that_no_longer_runs_is_reaped_when_its_client_closes(
    anthropic_fake, claude_env, workdir
):
    anthropic_fake.script(text("fine"))
    done = subprocess.run(
        [sys.executable, "-c", _RUNS_ON_ITS_OWN_LOOP, str(workdir)],
        env={**os.environ, **claude_env, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    said = json.loads(done.stdout)
    assert said["answer"] == "fine"
    assert said["zombies"] == [], "the killed CLI was left unreaped (a zombie, then PID 1's)"
    assert_no_leftovers(claude_env)
