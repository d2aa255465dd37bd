"""Regenerate the terminal pictures of the docs from real runs against the fakes.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]      # default: docs/img

Each picture is a real ``oauthpy`` command run in a pseudo-terminal, with the real vendor CLIs
pointed at ``oauthpy.testing``'s fake model backends. What the command printed (colours
included) becomes an SVG through rich (``Text.from_ansi``, ``Console.export_svg``), so a
picture shows what the command prints today, not what it printed when someone last took a
screenshot. tests/docs/test_screenshots.py runs this script.

Writes doctor.svg, batch.svg and chat.svg. The pictures show a fixed set of agents
(`PICTURED`): an agent added to the registry changes none of them (it has no fake started here,
and doctor's picture asks only these), so no picture waits on a new agent.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
from rich.console import Console
from rich.text import Text

from oauthpy import _registry as registry
from oauthpy.testing import FakeServer, Gate, fake_for, live_processes_with_env, new_marker, shell, text
from oauthpy.testing.processes import MARKER_VAR

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the pinned CLIs, found as the test suite finds them
from tests.support import vendor_binaries  # noqa: E402

COLUMNS = 100
#: the agents the pictures show, fixed: doctor's rows (batch and chat run codex)
PICTURED = ("codex", "claude", "gemini", "opencode", "copilot", "qwen")
#: every wait on a command is bounded: a stuck command fails the script, it never hangs it
TIMEOUT_S = 60


@contextlib.contextmanager
def fakes(root: Path) -> Iterator[tuple[dict[str, FakeServer], dict[str, str]]]:
    """The pictured agents' fakes, and one environment that sends each real CLI to its fake.

    ``HOME`` is ``root``, so the pictures can show ``~`` instead of a temporary path.
    """
    with contextlib.ExitStack() as stack:
        started = {p: stack.enter_context(fake_for(p)) for p in PICTURED}
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("NO_COLOR", "COLUMNS", "LINES", "OAUTHPY_OFFLINE")
        }
        for provider, fake in started.items():
            env.update(
                registry.get(provider).fake_environment(fake, root / f".{provider}-fake", defaults=False)
            )
        env.pop("NO_COLOR", None)  # the gemini fake's env sets it for the CLI; colour is the point here
        env.update(
            HOME=str(root),
            OAUTHPY_HOME=str(root / ".oauthpy"),
            **vendor_binaries(),
            TERM="xterm-256color",
            **new_marker(),
        )
        yield started, env


@contextlib.contextmanager
def terminal(
    args: list[str], env: dict[str, str], cwd: Path, *, python: list[str] | None = None
) -> Iterator[pexpect.spawn]:
    """``oauthpy ARGS`` in a pseudo-terminal of COLUMNS columns.

    However the block ends, the command is closed and no process it started is left: each
    carries the env marker, and a picture whose command leaves one is an error.
    """
    child = pexpect.spawn(
        sys.executable,
        [*(python or ["-m", "oauthpy.cli"]), *args],
        env=env,
        cwd=str(cwd),
        encoding="utf-8",
        timeout=TIMEOUT_S,
        dimensions=(40, COLUMNS),
    )
    child.logfile_read = io.StringIO()  # everything the command prints, whatever was expected
    try:
        yield child
    finally:
        child.close(force=True)
        left = _leftovers(env[MARKER_VAR])
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    if left:
        raise RuntimeError(f"oauthpy {' '.join(args)} left processes behind: {left}")


def _leftovers(marker: str, within_s: float = 5.0) -> list[int]:
    """The marked processes still alive after a bounded wait (a run's teardown is quick)."""
    deadline = time.monotonic() + within_s
    while (left := live_processes_with_env(MARKER_VAR, marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def printed(child: pexpect.spawn) -> str:
    """Everything the command printed so far."""
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    return log.getvalue()


def finish(child: pexpect.spawn) -> str:
    """Everything the command printed, once it has exited."""
    child.expect(pexpect.EOF)
    return printed(child)


def tidy(ansi: str, root: Path) -> str:
    """The terminal's line ends as newlines, the temporary home shown as ``~``."""
    return ansi.replace("\r\n", "\n").replace(str(root), "~")


def picture(title: str, command: str, ansi: str) -> str:
    """An SVG of a terminal window showing ``$ command`` and what it printed."""
    console = Console(
        record=True, width=COLUMNS, file=io.StringIO(), force_terminal=True, color_system="truecolor"
    )
    console.print(Text.assemble(("$ ", "bold green"), (command, "bold")))
    console.print(Text.from_ansi(ansi.rstrip("\n")), soft_wrap=True)
    return console.export_svg(title=title)


# -- the pictures --------------------------------------------------------------------------------


def doctor(root: Path, env: dict[str, str], started: dict[str, FakeServer]) -> str:
    # `-p` asks the pictured agents alone; the picture shows the command as a newcomer types it
    with terminal(["doctor", "-p", ",".join(PICTURED)], env, root) as child:
        out = finish(child)
    return picture("oauthpy doctor", "oauthpy doctor", tidy(out, root))


BATCH_ITEMS = 8
BATCH_HELD = 3  # the last items wait until the picture of the bar is taken


def batch(root: Path, env: dict[str, str], started: dict[str, FakeServer]) -> str:
    """The live bar in the middle of a batch: some items done, the rest still running."""
    opened = threading.Event()
    quick = [text(f"label {i}: positive") for i in range(BATCH_ITEMS - BATCH_HELD)]
    held = [Gate(opened, text(f"label {i}: negative"), TIMEOUT_S) for i in range(BATCH_HELD)]
    started["codex"].script(*quick, *held)
    items = root / "reviews.jsonl"
    items.write_text(
        "".join(
            json.dumps({"id": f"r-{i}", "prompt": f"Label review {i}"}) + "\n" for i in range(BATCH_ITEMS)
        )
    )
    command = ["batch", "-p", "codex", "reviews.jsonl", "-o", "labels.jsonl", "-j", "2"]
    with terminal(command, env, root) as child:
        try:
            child.expect_exact(f"{BATCH_ITEMS - BATCH_HELD}/{BATCH_ITEMS}")
            child.expect_exact("tokens")  # the rest of that frame
            bar = last_frame(printed(child))
        finally:
            opened.set()
        summary = last_frame(finish(child))
    return picture("oauthpy batch", " ".join(["oauthpy", *command]), tidy(bar + "\n" + summary, root))


def last_frame(ansi: str) -> str:
    """The last drawing of a live display: what follows its final carriage return."""
    frame = ansi.replace("\r\n", "\n").split("\r")[-1]
    return re.sub(r"\x1b\[\?25[lh]|\x1b\[2K", "", frame)


CHAT = ("Which file holds the tests?", "/model gpt-5.5", "And which one is the slowest?")


def chat(root: Path, env: dict[str, str], started: dict[str, FakeServer]) -> str:
    started["codex"].script(
        shell("ls tests"),
        text("The tests are in tests/test_app.py: 14 of them."),
        text("test_export_large_report: about 2.1 s of the suite's 3 s."),
    )
    # The plain line reader (input()): prompt-toolkit redraws its line with cursor moves that
    # a picture would not show right. Everything the REPL prints is the same with either.
    no_toolkit = (
        "import sys; sys.modules['prompt_toolkit'] = None; from oauthpy.cli import main; sys.exit(main())"
    )
    (root / "project/tests").mkdir(parents=True, exist_ok=True)
    (root / "project/tests/test_app.py").write_text("def test_export_large_report(): ...\n")
    with terminal(["chat", "-p", "codex", "--cwd", "project"], env, root, python=["-c", no_toolkit]) as child:
        for line in CHAT:
            child.expect_exact("codex> ")
            child.sendline(line)
        child.expect_exact("codex> ")
        child.sendeof()
        out = tidy(finish(child), root)
    return picture("oauthpy chat", "oauthpy chat -p codex --cwd project", out)


PICTURES: dict[str, Callable[[Path, dict[str, str], dict[str, FakeServer]], str]] = {
    "doctor.svg": doctor,
    "batch.svg": batch,
    "chat.svg": chat,
}


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else REPO / "docs/img"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="oauthpy-shots-") as tmp:
        root = Path(tmp).resolve()
        with fakes(root) as (started, env):
            for name, take in PICTURES.items():
                (out_dir / name).write_text(take(root, env, started))
                print(f"wrote {out_dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
