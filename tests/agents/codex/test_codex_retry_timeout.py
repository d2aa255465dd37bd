"""A run whose time runs out while codex is still retrying its model request says so: the
error carries codex's last `Reconnecting... n/m` (its words), on both transports and on the
command line's `codex exec` path. Codex's own retries are on here (its fake's environment turns
them off); the fake fails every request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy import Client, TimeoutExceededError
from oauthpy.testing import HttpError
from tests.support import assert_no_leftovers

#: the run's total timeout: codex's backoff (0.2 s, doubling) is still going well past it
TIMEOUT_S = 8
RUN_CODEX = [sys.executable, "-m", "oauthpy.cli", "run", "-p", "codex", "--source", "external"]


def _retries_on(codex_env: dict[str, str]) -> None:
    # its stream retries say `Reconnecting... n/m`; its request retries (before them) are silent
    config = Path(codex_env["CODEX_HOME"], "config.toml")
    assert "stream_max_retries = 0" in config.read_text()
    config.write_text(config.read_text().replace("stream_max_retries = 0", "stream_max_retries = 10"))


@pytest.mark.parametrize("transport", ["app-server", "exec"])
def test_a_timeout_while_codex_retries_says_it_was_retrying(
    transport: str, openai_fake, codex_env: dict[str, str], workdir: Path
):
    _retries_on(codex_env)
    openai_fake.script(*[HttpError(500, "fake fell over")] * 40)
    codex = Client("codex", auth_source="external", transport=transport)
    with pytest.raises(TimeoutExceededError) as err:
        codex.run("hi", cwd=workdir, env=codex_env, timeout=TIMEOUT_S)
    assert err.value.which == "total" and err.value.after_s >= TIMEOUT_S - 0.5
    assert "while codex was still retrying its model request (Reconnecting... " in err.value.message
    assert err.value.hint and "try again later" in err.value.hint
    assert_no_leftovers(codex_env)


def test_oauthpy_run_says_it_too_in_the_command_lines_words(
    openai_fake, codex_env: dict[str, str], workdir: Path
):
    _retries_on(codex_env)
    openai_fake.script(*[HttpError(500, "fake fell over")] * 40)
    done = subprocess.run(  # stdin no terminal: `run` takes the `codex exec` path
        [*RUN_CODEX, "--timeout", str(TIMEOUT_S), "--cwd", str(workdir), "hi"],
        env={**os.environ, **codex_env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "while codex was still retrying its model request (Reconnecting... " in done.stderr
    assert "allow the run more time (--timeout)" in done.stderr, done.stderr
    assert_no_leftovers(codex_env)
