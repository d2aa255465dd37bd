"""Bad input to ``oauthpy run`` of any agent is one error line and exit 2, before its CLI starts
(every agent's program is the tripwire's script here). The command through its real entry
point, with each agent's own faults: tests/cli/test_cli.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import _registry as registry
from oauthpy.cli import main

pytestmark = pytest.mark.fast

#: the arguments after ``run -p <agent>`` and how the error line starts
CASES = {
    "timeout": (["--timeout", "-1", "x"], "error: timeout must be a positive number"),
    "cwd": (["--cwd", "/no/such/dir", "x"], "error: cwd does not exist"),
    "schema": (["--schema", "/no/such.json", "x"], "error: cannot read --schema"),
    "effort": (["--effort", "bogus", "x"], "error: "),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("provider", registry.names(generic=False))
def test_bad_input_is_one_error_line_and_exit_2(
    provider: str,
    case: str,
    tripwire: tuple[dict[str, str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    env, fired = tripwire
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    args, message = CASES[case]
    assert main(["run", "-p", provider, "--source", "external", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    if case == "effort":  # the option named, and the efforts the agent takes if it takes any
        assert "reasoning" in err, err
        assert all(effort in err for effort in registry.get(provider).efforts), err
    assert not fired.exists(), "the vendor CLI was started"
