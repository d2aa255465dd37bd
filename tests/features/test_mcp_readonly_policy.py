"""``oauthpy mcp serve --allow read-only``: exact command shapes that only read (red-team T2).

Pure: the policy's answer to a command as the agent asks about it."""

from __future__ import annotations

import pytest

from oauthpy._mcp_serve.policy import allowed_by
from oauthpy._permissions import PermissionRequest

pytestmark = pytest.mark.fast


def read_only_allows(command: str) -> bool:
    return allowed_by("read-only", PermissionRequest("claude", "command", command=command, cwd="/w"))


@pytest.mark.parametrize(
    "command",
    [
        # the red-team's writes: chosen text into a file, inside or outside the folder
        'git log -1 "--format=tformat:touch X" --output=/home/me/.bashrc',
        "git diff --output=/home/me/.ssh/authorized_keys",
        "git log -1 --output=.git/hooks/post-commit",
        # the chain's first step: a .git/config whose fsmonitor a later `git status` runs
        'git log -1 "--format=tformat:%x5bcore%x5d%n%x09fsmonitor = touch PWNED" --output=.git/config',
        "git show --output=/tmp/x HEAD",
        "git log --output /tmp/x",
        # abbreviations git would take for --output
        "git log --out=/tmp/x",
        "git diff --outp=/tmp/x",
        # programs git runs, and config git reads from its command line
        "git diff --ext-diff",
        "git diff --textconv HEAD",
        "git show --textconv HEAD:a.bin",
        "git diff -O/tmp/order",
        "git diff -O /tmp/order",
        "git diff --no-index a b",
        "git -c core.fsmonitor=touch_PWNED status",
        "git -c core.pager=sh log",
        "git -C /elsewhere status",
        "git --git-dir=/tmp/evil status",
        "git --exec-path=/tmp status",
        "git log --format=%G?",
        "git log --pretty=format:%H",
        "git log --show-signature",
        "git status --ignore-submodules=none -- --output=x --frob",
        "git log -n x",
        # subcommands that write or are not listed
        "git commit -m x",
        "git config core.fsmonitor true",
        "git checkout -- a",
        "git",
        # the other readers' writing or program-running options
        "tree -o /home/me/.bashrc",
        "tree --fromfile list",
        "file -C -m magic",
        "file -z a.gz",
        "rg --pre sh pattern",
        "rg --pre=./run pattern",
        "rg -z pattern",
        "rg --search-zip pattern",
        "grep -f patterns.txt a",
        "tail -f log.txt",
        "wc --files0-from=list",
        "du --files0-from=list",
        "ls -I x",
        "head -n five a",
        # not a plain command, or not a reader
        "cat a; touch b",
        "FOO=1 cat a",
        "/bin/cat a",
        "touch a",
        "sed -n 1p a",
        "find . -delete",
    ],
)
def test_a_command_that_writes_runs_or_configures_is_not_read_only(command: str):
    assert not read_only_allows(command)


@pytest.mark.parametrize(
    "command",
    [
        "git status",
        "git status -s",
        "git status --short -b",
        "git status --porcelain",
        "git --no-pager log -n 5 --oneline",
        "git log -3 --stat",
        "git log --max-count=10 --name-only --author=me",
        "git log --pretty=oneline --since=yesterday",
        "git diff",
        "git diff --cached --name-status",
        "git diff HEAD^ -- src/a.py",
        "git diff -U5 --no-color",
        "git show -p HEAD",
        "git show HEAD:README.md",
        "git blame -L 1,20 app.py",
        "git log -- --output=x",  # after --: a path
        "ls",
        "ls -la src",
        "cat -n README.md",
        "head -n 20 a.py",
        "head -5 a.py",
        "tail -n5 a.py",
        "wc -l a.py b.py",
        "grep -rn needle src",
        "grep -e -x a.txt",
        "rg -n needle src",
        "rg -t py needle",
        "rg --files",
        "pwd",
        "stat -c %s a.py",
        "file -b a.py",
        "tree -L 2 -a",
        "du -sh .",
    ],
)
def test_a_plain_reading_command_is_read_only(command: str):
    assert read_only_allows(command)


def test_read_only_allows_no_file_change_and_no_tool():
    assert not allowed_by("read-only", PermissionRequest("codex", "file_change", paths=("a.py",)))
    assert not allowed_by("read-only", PermissionRequest("claude", "tool", tool_name="Write"))
