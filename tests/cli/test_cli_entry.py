"""The ``oauthpy`` command's entry point leaves what it made to the interpreter's exit.

A fresh `oauthpy run -p codex` spent 22 ms of its 355 ms in the exit's last garbage collections,
after its output (docs/performance.md): the entry point freezes the heap once `main` is done.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.fast

ROOT = REPO

#: prints, at the interpreter's exit, whether the heap was frozen by then
AT_EXIT = "import atexit, gc; atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))"


@pytest.mark.parametrize(
    "how",
    [
        "import runpy; runpy.run_module('oauthpy', run_name='__main__')",
        "import runpy; runpy.run_module('oauthpy.cli', run_name='__main__')",
        "import sys; from oauthpy.cli import entry; sys.exit(entry())",
    ],
    ids=["python -m oauthpy", "python -m oauthpy.cli", "console script"],
)
@pytest.mark.parametrize("argv", [["--version"], ["auth", "status", "--provider", "nobody"]])
def test_each_way_in_freezes_the_heap_before_the_exit(how: str, argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"{AT_EXIT}; {how}", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # --version exits inside argparse (0), an unknown provider is a usage error (2)
    assert done.returncode in (0, 2), done.stderr
    assert done.stdout.splitlines()[-1] == "frozen: True", (done.stdout, done.stderr)


def test_the_installed_command_is_the_entry_point() -> None:
    scripts = (ROOT / "pyproject.toml").read_text().partition("[project.scripts]")[2]
    assert scripts.split()[:3] == ["oauthpy", "=", '"oauthpy.cli:entry"']
