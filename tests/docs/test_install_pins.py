"""scripts/start and scripts/test install into the same .venv: every package the suite pins to one
version, scripts/start installs at that version too (pyproject's ``pinned`` extra, used by both),
so running one after the other never swaps a vendor CLI (claude-agent-sdk 0.2.187 -> 0.2.186)."""

from __future__ import annotations

import re

import pytest
import tomlkit
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.paths import REPO

pytestmark = pytest.mark.fast

ROOT = REPO


def installed_extras(script: str) -> list[str]:
    """The extras of the checkout that the script's one `pip install -e '.[...]'` names."""
    text = (ROOT / "scripts" / script).read_text()
    (extras,) = re.findall(r"pip install [^\n]*-e '\.\[([\w,-]+)\]'", text)
    return extras.split(",")


def requirements(extras: list[str]) -> list[Requirement]:
    """What installing oauthpy with these extras asks for, its own extras (`oauthpy[codex]`) followed."""
    project = tomlkit.parse((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for line in project["optional-dependencies"][extra]:
            req = Requirement(line)
            if canonicalize_name(req.name) == "oauthpy":
                todo.extend(req.extras)
            else:
                found.append(req)
    return found


def pins(reqs: list[Requirement]) -> dict[str, str]:
    """package -> the one version an `==` requirement allows."""
    return {
        canonicalize_name(r.name): spec.version for r in reqs for spec in r.specifier if spec.operator == "=="
    }


def test_what_scripts_start_installs_is_at_the_versions_scripts_test_pins():
    start, test = requirements(installed_extras("start")), requirements(installed_extras("test"))
    start_pins, test_pins = pins(start), pins(test)
    started = {canonicalize_name(r.name) for r in start}
    # both vendor CLIs that come from PyPI, installed by scripts/start, at the suite's version
    assert {"claude-agent-sdk", "openai-codex-cli-bin"} <= started
    for package, version in sorted(test_pins.items()):
        if package in started:
            assert start_pins.get(package) == version, (
                f"scripts/start installs {package} unpinned or at another version than scripts/test "
                f"({start_pins.get(package)} vs {version}): pin it in pyproject's `pinned` extra"
            )


def test_every_pin_is_written_once_in_pyproject():
    project = tomlkit.parse((ROOT / "pyproject.toml").read_text())["project"]
    lines = [line for extra in project["optional-dependencies"].values() for line in extra]
    pinned = [canonicalize_name(Requirement(line).name) for line in lines if "==" in line]
    assert sorted(pinned) == sorted(set(pinned)), "a package pinned in two extras: keep one pin"
