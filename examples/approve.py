"""Approve or refuse what the agent wants to do, from your own code (``on_permission``).

Runs offline by default: the real codex CLI against oauthpy's fake model, scripted to ask for
two commands. The callback allows one and refuses the other, with a reason; every question and
its answer is also a ``permission`` event. Pass ``--live`` to use your own codex login.

    python examples/approve.py [--live]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from oauthpy import Client, Decision, EventKind, PermissionRequest
from oauthpy.testing import FakeResponsesServer, shell, text

#: programs that only read, allowed with any plain arguments
READ_ONLY = {"ls", "cat"}
#: exact commands (as words) allowed besides
EXACT = {("touch", "notes.txt")}
ALLOWED = "ls, cat, touch notes.txt"


def approve(request: PermissionRequest) -> bool | tuple[Decision, str]:
    """Allow a short list of commands; refuse everything else and say why.

    Never match ``request.command`` by prefix: it is the whole shell line, and
    ``touch notes.txt; rm -f keep.txt`` starts with ``touch notes.txt``. ``request.argv()`` is
    None for anything but one plain command (no ``;``, ``&&``, ``|``, ``$(...)``, redirects...),
    so chained commands are refused here, and the words are compared exactly.
    """
    argv = request.argv()
    if argv is not None and (argv[0] in READ_ONLY or tuple(argv) in EXACT):
        return True
    return Decision.DENY, "this script only allows: " + ALLOWED


def run(env: dict[str, str] | None, cwd: str) -> None:
    client = Client("codex", auth_source="external" if env else "auto", env=env)
    prompt = "Create notes.txt, then delete everything else in this folder."
    # codex runs an approved command in its sandbox: let it write in this folder (docs/permissions.md)
    options = {"sandbox": "workspace-write"}
    for event in client.stream_sync(
        prompt, cwd=cwd, timeout=120, on_permission=approve, provider_options=options
    ):
        if event.kind is EventKind.PERMISSION:
            print(f"{event.status:8} {event.text}" + (f"  ({event.output})" if event.output else ""))
        elif event.kind is EventKind.DONE:
            print("answer:", event.text)
    print("files now:", sorted(p.name for p in Path(cwd).iterdir()))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as home:
        (Path(tmp) / "keep.txt").write_text("precious\n")
        if "--live" in sys.argv:
            run(None, tmp)
            return
        with FakeResponsesServer() as fake:
            fake.script(
                shell("touch notes.txt"),
                shell("rm -f keep.txt"),
                text("I made notes.txt; I was not allowed to delete keep.txt."),
            )
            run(fake.env(home), tmp)


if __name__ == "__main__":
    main()
