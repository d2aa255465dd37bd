"""After the quick start: `oauthpy doctor` shows what it found, and what scripts/start installs
is found by every later command of that venv (issue 25, items 1 and 3)."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from oauthpy._agents.claude.auth import ClaudeAuth
from oauthpy._agents.codex.provider import find_binary as codex_binary
from tests.support import REPO, pinned

NO_VENDOR_PATH = "/usr/bin:/bin"  # node is there; no vendor CLI is


def _version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=True)
    if "Copilot" in out.stdout:  # "GitHub Copilot CLI 1.0.102."
        return out.stdout.split()[3].rstrip(".")
    return out.stdout.split()[-1] if "codex" in out.stdout else out.stdout.split()[0]


@pytest.mark.xdist_group("gemini")
def test_doctor_prints_each_pinned_cli_s_version_and_source_and_json_has_them(tmp_path: Path):
    gemini, copilot = pinned("gemini"), pinned("copilot")
    claude = ClaudeAuth().find_binary({})
    codex = codex_binary({"PATH": ""})
    assert claude
    env = {
        **os.environ,
        "OAUTHPY_HOME": str(tmp_path / "home"),
        "HOME": str(tmp_path / "user"),
        "CODEX_HOME": str(tmp_path / "codex"),
        "OAUTHPY_GEMINI_BINARY": gemini,
        "OAUTHPY_COPILOT_BINARY": copilot,
        "ANTHROPIC_API_KEY": "sk-ant-doctor-key-1234",
    }
    want = {
        "codex": _version(codex),
        "claude": _version(claude),
        "gemini": _version(gemini),
        "copilot": _version(copilot),
    }
    assert all(v[0].isdigit() for v in want.values()), want

    cli = [sys.executable, "-m", "oauthpy.cli", "doctor"]
    table = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=120)
    rows = {line.split()[0]: line.split() for line in table.stdout.splitlines()[1:] if line.strip()}
    for provider, version in want.items():
        # provider, installed, version, logged in, mode, source, ...
        assert rows[provider][1:3] == ["yes", version], table.stdout
        assert rows[provider][5] in ("oauthpy", "external"), table.stdout
    assert rows["claude"][3] == "yes"
    assert rows["copilot"][3] == "no"  # no login in its (empty) home, and copilot was not started for it

    report = json.loads(subprocess.run([*cli, "--json"], capture_output=True, env=env, timeout=120).stdout)
    by_name = {r["provider"]: r for r in report}
    assert by_name["gemini"]["binary"] == gemini
    assert by_name["claude"]["binary"] == claude
    assert by_name["codex"]["binary"] == codex
    for provider, version in want.items():
        r = by_name[provider]
        assert r["version"] == version and r["source"] in ("oauthpy", "external"), r
    assert by_name["codex"]["reason"] == "not_authenticated"
    assert by_name["claude"]["reason"] is None and by_name["claude"]["authenticated"]


def _start_function(name: str, *args: str) -> None:
    """Run one function of scripts/start (sourcing it only defines them)."""
    script = f'source "{REPO / "scripts/start"}" && {name} "$@"'
    subprocess.run(["bash", "-c", script, "start", *args], check=True, timeout=30)


def a_venv_without_vendor_clis(root: Path) -> Path:
    """A venv whose python imports this oauthpy (no reinstall) and has no vendor CLI in it."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    python = root / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    # this venv's packages, .pth files included (the editable install of the checkout)
    lines = [f"import site; site.addsitedir({p!r})" for p in site.getsitepackages()]
    Path(purelib, "zz_oauthpy_under_test.pth").write_text("\n".join(lines) + "\n")
    return python


@pytest.mark.parametrize("name", [pytest.param("gemini", marks=pytest.mark.xdist_group("gemini")), "qwen"])
def test_a_node_cli_that_start_installs_is_found_by_the_venv_s_commands_with_path_lacking_it(
    tmp_path: Path, name: str
):
    program = pinned(name)
    python = a_venv_without_vendor_clis(tmp_path / "venv")
    tools = tmp_path / "tools" / name
    (tools / "node_modules" / ".bin").mkdir(parents=True)
    (tools / "node_modules" / ".bin" / name).symlink_to(program)

    _start_function(f"link_{name}", str(tmp_path / "venv"), str(tools))

    linked = tmp_path / "venv" / "bin" / name
    assert linked.is_symlink() and os.path.samefile(linked, program)
    env = {
        "PATH": NO_VENDOR_PATH,  # neither the venv's bin nor the CLI: as `.venv/bin/oauthpy` unactivated
        "HOME": str(tmp_path / "user"),
        "OAUTHPY_HOME": str(tmp_path / "home"),
    }
    proc = subprocess.run(
        [python, "-m", "oauthpy.cli", "doctor", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    row = next(r for r in json.loads(proc.stdout) if r["provider"] == name)
    assert row["installed"] is True, proc.stdout + proc.stderr
    assert row["binary"] == str(linked) and row["version"] == _version(program)
    # the link is idempotent: start may run again
    _start_function(f"link_{name}", str(tmp_path / "venv"), str(tools))
    assert os.path.samefile(linked, program)


def test_which_looks_next_to_the_interpreter_s_scripts_after_path(tmp_path: Path, monkeypatch):
    from oauthpy import _executables

    scripts = tmp_path / "venv-bin"
    scripts.mkdir()
    exe = scripts / "gemini"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(_executables, "scripts_dir", lambda: str(scripts))
    assert _executables.which("gemini", {"PATH": str(tmp_path / "elsewhere")}) == str(exe)
    on_path = tmp_path / "on-path"
    on_path.mkdir()
    first = on_path / "gemini"
    first.write_text("#!/bin/sh\n")
    first.chmod(0o755)
    assert _executables.which("gemini", {"PATH": str(on_path)}) == str(first)  # PATH wins


def test_copilot_that_start_installs_is_linked_as_its_native_program(tmp_path: Path):
    # npm's `copilot` is a Node launcher with the program as its child: the link skips it
    tools = tmp_path / "tools" / "copilot"
    native = tools / "node_modules" / "@github" / "copilot-linux-x64" / "copilot"
    native.parent.mkdir(parents=True)
    native.symlink_to(pinned("copilot"))
    (tmp_path / "venv" / "bin").mkdir(parents=True)

    _start_function("link_copilot", str(tmp_path / "venv"), str(tools))

    linked = tmp_path / "venv" / "bin" / "copilot"
    assert os.readlink(linked) == str(native)
    assert _version(str(linked)) == _version(pinned("copilot"))


#: a stand-in npm: it "installs" a package (its program under node_modules) unless its folder is
#: copilot's, where it fails as npm does behind a proxy whose certificate it does not trust
FAKE_NPM = """#!/bin/sh
for arg; do case "$prev" in --prefix) prefix=$arg;; esac; prev=$arg; done
name=$(basename "$prefix")
if [ "$name" = copilot ]; then
    echo "npm error code SELF_SIGNED_CERT_IN_CHAIN" >&2
    exit 1
fi
mkdir -p "$prefix/node_modules/.bin" && printf '#!/bin/sh\\n' > "$prefix/node_modules/.bin/$name"
echo "added 1 package"
"""


def test_a_node_cli_npm_cannot_install_is_named_and_the_others_are_linked(tmp_path: Path):
    bin_dir, venv_dir, tools = tmp_path / "bin", tmp_path / "venv", tmp_path / "tools"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM)
    (bin_dir / "npm").chmod(0o755)
    (venv_dir / "bin").mkdir(parents=True)
    script = f'set -euo pipefail; source "{REPO / "scripts/start"}" && install_node_clis "$@"; echo after'
    done = subprocess.run(
        ["bash", "-c", script, "start", str(venv_dir), str(tools)],
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    # the quick start goes on to its demo with what it has
    assert done.returncode == 0 and done.stdout.endswith("after\n"), done.stderr
    for name in ("gemini", "qwen"):
        assert os.readlink(venv_dir / "bin" / name) == str(tools / name / "node_modules" / ".bin" / name)
    assert not (venv_dir / "bin" / "copilot").exists()
    assert "npm could not install copilot" in done.stderr
    assert "SELF_SIGNED_CERT_IN_CHAIN" in done.stderr  # npm's own words say why
    assert f"npm install --prefix {tools}/copilot" in done.stderr  # and how to retry
    assert "added 1 package" not in done.stdout + done.stderr  # a success stays quiet
