"""What ``--allow read-only`` allows: exact command shapes that only read.

A reading program turns writer with one option (``git log --output=FILE``, ``tree -o FILE``,
``file -C``, ``rg --pre PROGRAM``), and git takes config from its own command line (``git -c``).
So a name on a list is not enough: every option of the command must be one this table names
(exactly: no abbreviation, no ``=value`` it does not check), with its value checked; the other
words are operands (paths, revisions, patterns), which only say what is read. Anything else is
refused: when unsure, refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Check = Callable[[str], bool]


def _number(value: str) -> bool:
    return value.isdigit() and len(value) <= 9


def _any(value: str) -> bool:  # a pattern, a date, a name: only says what is shown
    return True


def _type_name(value: str) -> bool:
    return re.fullmatch(r"[a-z0-9]+", value) is not None


def _one_of(*choices: str) -> Check:
    return lambda value: value in choices


@dataclass(frozen=True)
class Shape:
    """A command's allowed options. ``flags``: whole words taking no value; ``letters``:
    short flags without a value that may be combined (``-la``); ``valued``: options whose value
    is the next word, or after ``=`` (long) or attached (short, ``-n5``), each with its check;
    ``numbers``: ``-5`` means a count."""

    flags: frozenset[str] = frozenset()
    letters: str = ""
    valued: Mapping[str, Check] = field(default_factory=dict)
    numbers: bool = False

    def allows(self, words: Sequence[str]) -> bool:
        i, operands_only = 0, False
        while i < len(words):
            word = words[i]
            i += 1
            if operands_only or word == "-" or not word.startswith("-"):
                continue  # an operand: what is read
            if word == "--":
                operands_only = True
            elif word in self.flags:
                continue
            elif word in self.valued:
                if i >= len(words) or not self.valued[word](words[i]):
                    return False
                i += 1
            elif not self._option_with_value(word) and not self._letters(word):
                return False
        return True

    def _option_with_value(self, word: str) -> bool:
        if word.startswith("--"):
            name, equals, value = word.partition("=")
            return bool(equals) and name in self.valued and self.valued[name](value)
        check = self.valued.get(word[:2])
        return check is not None and len(word) > 2 and check(word[2:])

    def _letters(self, word: str) -> bool:
        rest = word[1:]
        if self.numbers and _number(rest):
            return True
        return not word.startswith("--") and bool(rest) and all(c in self.letters for c in rest)


def _flags(*words: str) -> frozenset[str]:
    return frozenset(words)


_COUNT = {"-n": _number, "--max-count": _number}
_LOG_VALUES: dict[str, Check] = {
    **_COUNT,
    "--skip": _number,
    "--since": _any,
    "--until": _any,
    "--after": _any,
    "--before": _any,
    "--author": _any,
    "--committer": _any,
    "--grep": _any,
    # named formats only: a custom --format's %G? runs gpg
    "--pretty": _one_of("oneline", "short", "medium", "full", "fuller", "reference", "raw"),
    "--format": _one_of("oneline", "short", "medium", "full", "fuller", "reference", "raw"),
    "--date": _one_of("relative", "local", "iso", "iso-strict", "rfc", "short", "raw", "default"),
    "-U": _number,
    "--unified": _number,
}
#: what git log, show and diff share: the patch, its summary forms, whitespace, colour off;
#: never --output, --ext-diff, --textconv, -O, --no-index, --format=<custom>
_DIFF_FLAGS = _flags(
    "-p",
    "-u",
    "--patch",
    "--no-patch",
    "--stat",
    "--shortstat",
    "--numstat",
    "--summary",
    "--name-only",
    "--name-status",
    "--raw",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-renames",
    "-M",
    "-w",
    "-b",
    "--ignore-all-space",
    "--ignore-space-change",
    "--ignore-blank-lines",
    "--word-diff",
    "--abbrev-commit",
    "--no-abbrev-commit",
    "--oneline",
    "--decorate",
    "--no-decorate",
    "-q",
    "--quiet",
)
_GIT: dict[str, Shape] = {
    "status": Shape(
        _flags(
            "-s",
            "--short",
            "-b",
            "--branch",
            "--long",
            "--porcelain",
            "--porcelain=v1",
            "--porcelain=v2",
            "-uno",
            "-unormal",
            "-uall",
            "--untracked-files=no",
            "--untracked-files=normal",
            "--untracked-files=all",
            "--no-renames",
        ),
    ),
    "log": Shape(
        _DIFF_FLAGS
        | _flags(
            "--graph",
            "--all",
            "--reverse",
            "--merges",
            "--no-merges",
            "--first-parent",
            "--follow",
            "--stat",
            "-s",
        ),
        valued=_LOG_VALUES,
        numbers=True,
    ),
    "show": Shape(_DIFF_FLAGS | _flags("-s"), valued=_LOG_VALUES),
    "diff": Shape(
        _DIFF_FLAGS | _flags("--cached", "--staged", "--merge-base", "--exit-code"),
        valued={"-U": _number, "--unified": _number},
    ),
    "blame": Shape(
        _flags("-w", "-s", "-l", "-e", "-t", "--porcelain", "--line-porcelain"), valued={"-L": _any}
    ),
}

#: the other reading commands; none of them has an option in its shape that writes, runs a
#: program (``rg --pre``, ``rg -z``, ``file -z``), reads names of more files from a file, or
#: follows a file forever (``tail -f``)
_READERS: dict[str, Shape] = {
    "pwd": Shape(_flags("-L", "-P")),
    "ls": Shape(_flags("--color=never"), letters="laAhR1trSdFinpgoG"),
    "cat": Shape(letters="nAbEsTvet"),
    "head": Shape(letters="qv", valued={"-n": _number, "-c": _number}, numbers=True),
    "tail": Shape(letters="qv", valued={"-n": _number, "-c": _number}, numbers=True),
    "wc": Shape(letters="lwcmL"),
    "stat": Shape(letters="Lft", valued={"-c": _any, "--format": _any}),
    "file": Shape(_flags("--mime", "--mime-type", "--mime-encoding", "--brief"), letters="biLhk"),
    "du": Shape(
        _flags("--apparent-size"),
        letters="shackmbxL",
        valued={"-d": _number, "--max-depth": _number},
    ),
    "tree": Shape(
        _flags("--noreport", "--dirsfirst", "--gitignore"),
        letters="adfFhsnCD",
        valued={"-L": _number, "-I": _any, "-P": _any},
    ),
    "grep": Shape(
        _flags("--color=never"),
        letters="rRinlLcvwxEFohHsqI",
        valued={"-e": _any, "-A": _number, "-B": _number, "-C": _number, "-m": _number},
    ),
    "rg": Shape(
        _flags("--files", "--hidden", "--no-heading", "--color=never", "--count"),
        letters="inlcvwxFoSsHN",
        valued={
            "-e": _any,
            "-A": _number,
            "-B": _number,
            "-C": _number,
            "-m": _number,
            "-t": _type_name,
            "--type": _type_name,
        },
    ),
}


def only_reads(words: Sequence[str]) -> bool:
    """Whether the plain command ``words`` (`PermissionRequest.argv`) has a read-only shape."""
    if not words:
        return False
    if words[0] == "git":
        # nothing between git and its subcommand: -c, -C, --git-dir, --exec-path... all set
        # what git runs or where; --no-pager alone is harmless
        rest = words[2:] if len(words) > 1 and words[1] == "--no-pager" else words[1:]
        shape = _GIT.get(rest[0]) if rest else None
        return shape is not None and shape.allows(rest[1:])
    reader = _READERS.get(words[0])
    return reader is not None and reader.allows(words[1:])
