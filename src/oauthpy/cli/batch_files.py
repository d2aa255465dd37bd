"""The files of ``oauthpy batch``: the items it reads and the result lines it writes.

INPUT is JSON Lines (one object per item: ``prompt``, optional ``id``, ``cwd``, ``model``; other
keys are the dataset's own and are ignored; ``#`` lines are comments), one JSON array of such
items (or of prompt strings), or, when its first line does not look like JSON, one prompt per
non-empty line. A leading UTF-8 BOM is ignored. OUTPUT is JSON Lines, one whole line per finished item, appended with
a single ``write`` each, so a crash loses at most the items still running and never leaves a
line a reader would choke on; a torn last line of an earlier crash is cut off on ``--resume``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
from dataclasses import dataclass
from typing import Any

from oauthpy._errors import BudgetExceededError, InvalidOptionsError, OauthPyError, StructuredOutputError
from oauthpy._events import RunResult, Usage
from oauthpy.cli.render import clean, usage_json

#: how many bad input lines one error message lists
_MAX_REPORTED = 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class InputItem:
    """One item of the input: its id (given, else its line number), line number and fields."""

    id: str | int
    line: int
    fields: dict[str, Any]

    @property
    def key(self) -> str:
        return id_key(self.id)


def id_key(value: Any) -> str:
    """Ids compare as text: ``7`` and ``"7"`` are the same item."""
    return str(value)


def _lines(data: bytes, problems: list[str]) -> list[tuple[int, str]]:
    found = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"line {number}: not UTF-8 text (byte {exc.start})")
            continue
        if text.strip():
            found.append((number, text))
    return found


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _comment(text: str) -> bool:
    return text.lstrip().startswith("#")


def _looks_like_json(text: str) -> bool:
    return text.lstrip().startswith(("{", "["))


def read_items(data: bytes) -> list[InputItem]:
    """Every item of ``data``, checked; all problems with their line numbers in one error.

    The first line that is not a ``#`` comment decides the format: one that looks like JSON (it
    starts with ``{``) makes the file JSON Lines (``#`` lines are comments, and a line that is
    not a JSON object is an error, never a prompt); a file that starts with ``[`` is one JSON
    array of items (objects, or prompts as strings); anything else is a prompt per line (every
    line a prompt, ``#`` or not). A JSON object in a file read as prompts is refused.
    """
    problems: list[str] = []
    lines = _lines(data.removeprefix(_BOM), problems)  # Notepad and PowerShell write a BOM
    if not lines and not problems:
        raise InvalidOptionsError("the input has no items (it is empty)")
    first = next((text for _, text in lines if not _comment(text)), None)
    if first is None and not problems:
        raise InvalidOptionsError("the input has no items (only # comment lines)")
    if first is not None and first.lstrip().startswith("["):
        return _json_array(data.removeprefix(_BOM))
    if first is not None and not _looks_like_json(first):
        _refuse(problems)
        return _prompt_lines(lines)
    items: list[InputItem] = []
    seen: dict[str, int] = {}
    for number, text in lines:
        if _comment(text):
            continue
        fields = _json_object(text)
        if fields is None:
            what = "not valid JSON" if not _parses(text) else "not a JSON object"
            problems.append(
                f"line {number}: {what} (the file is JSON Lines: every line but # comments is an item)"
            )
            continue
        _item(fields, number, fields.get("id", number), seen, items, problems)
    _refuse(problems)
    return items


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _item(
    fields: dict[str, Any],
    number: int,
    item_id: Any,
    seen: dict[str, int],
    items: list[InputItem],
    problems: list[str],
) -> None:
    where = f"line {number}" if number > 0 else f"item {-number}"
    prompt = fields.get("prompt")
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)):
        problems.append(f"{where}: id must be a string or a whole number")
    elif id_key(item_id) in seen:
        problems.append(
            f"{where}: id {item_id!r} is already used by {'line' if number > 0 else 'item'} {abs(seen[id_key(item_id)])}"
        )
    elif not isinstance(prompt, str) or not prompt.strip():
        problems.append(f'{where}: no prompt (a non-empty string under "prompt")')
    else:
        seen[id_key(item_id)] = number
        kept = {k: fields[k] for k in ("prompt", "cwd", "model", "attachments") if fields.get(k) is not None}
        items.append(InputItem(item_id, abs(number), kept))


def _json_array(data: bytes) -> list[InputItem]:
    """A file that is one JSON array: each element an item object or a prompt string."""
    try:
        value = json.loads(data.decode("utf-8", "replace"))
    except json.JSONDecodeError as exc:
        raise InvalidOptionsError(
            f"the input starts with '[' but is not one JSON array: {exc.msg} (line {exc.lineno}); "
            "nothing was started",
            hint="write one JSON object per line (JSON Lines), or one valid JSON array of items",
        ) from None
    if not isinstance(value, list) or not value:
        raise InvalidOptionsError("the input's JSON array has no items; nothing was started")
    items: list[InputItem] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, element in enumerate(value, 1):
        if isinstance(element, str):
            element = {"prompt": element}
        if not isinstance(element, dict):
            problems.append(f"item {index}: not an object or a prompt string")
            continue
        _item(element, -index, element.get("id", index), seen, items, problems)
    _refuse(problems)
    return items


def _refuse(problems: list[str]) -> None:
    if problems:
        more = len(problems) - _MAX_REPORTED
        shown = problems[:_MAX_REPORTED] + ([f"... and {more} more"] if more > 0 else [])
        raise InvalidOptionsError("the input has bad lines; nothing was started:\n  " + "\n  ".join(shown))


def _prompt_lines(lines: list[tuple[int, str]]) -> list[InputItem]:
    objects = [number for number, text in lines if _json_object(text) is not None or _looks_like_json(text)]
    if objects:
        shown = ", ".join(map(str, objects[:_MAX_REPORTED])) + (
            " ..." if len(objects) > _MAX_REPORTED else ""
        )
        raise InvalidOptionsError(
            f"the input is read as one prompt per line (its first line is not JSON), "
            f"but line(s) {shown} look like JSON; nothing was started",
            hint="for JSON Lines, make every line a JSON object (# comment lines are allowed)",
        )
    return [InputItem(number, number, {"prompt": text}) for number, text in lines]


def anchor_attachments(items: list[InputItem], folder: str) -> None:
    """An item's relative attachment paths as paths from ``folder`` (the INPUT file's)."""
    for item in items:
        paths = item.fields.get("attachments")
        if isinstance(paths, list):
            item.fields["attachments"] = [
                os.path.join(folder, os.path.expanduser(p)) if isinstance(p, str) else p for p in paths
            ]


def spent(result: RunResult | OauthPyError) -> tuple[Usage, float | None, bool]:
    """What an item's run spent: tokens, cost when known, whether the cost is an estimate. A
    run whose answer failed its schema was paid for all the same."""
    if isinstance(result, RunResult):
        return result.usage, result.cost_usd, result.cost_estimated
    if isinstance(result, StructuredOutputError) and result.usage is not None:
        from oauthpy._prices import cost_of

        return (result.usage, *cost_of(result.model, result.usage))
    return Usage(), None, False


def result_line(item_id: str | int, done: Any) -> dict[str, Any]:
    """The OUTPUT line of a finished item (``done`` is a `oauthpy._batch.Finished`).

    Redacted like every CLI output: keys and tokens are masked in text, output and errors.
    """
    result: RunResult | OauthPyError = done.result
    timing = {"elapsed_s": round(done.elapsed_s, 3), "attempts": done.attempts}
    if isinstance(result, RunResult):
        return {
            "id": item_id,
            "ok": True,
            "text": clean(result.text),
            "output": clean(result.output) if result.output is not None else None,
            "usage": usage_json(result.usage),
            "cost_usd": result.cost_usd,
            "cost_estimated": result.cost_estimated,
            "model": result.model,
            "session_id": result.session_id,
            **timing,
            # --fallback: the agent that answered, after the tries that failed over (docs/failover.md)
            **(
                {
                    "provider": result.provider,
                    "failed_over": [clean(dataclasses.asdict(a)) for a in result.attempts],
                }
                if result.attempts
                else {}
            ),
            # a worktree item's changes (docs/workspaces.md)
            **(
                {
                    "changes": [{"path": c.path, "status": c.status} for c in result.changes],
                    "diff": result.diff,
                }
                if result.repository is not None
                else {}
            ),
        }
    error = {"type": type(result).__name__, "message": result.message}  # redacted when raised
    if result.hint:
        error["hint"] = result.hint
    empty = dict.fromkeys(("text", "output", "usage", "cost_usd", "model", "session_id"))
    line = {"id": item_id, "ok": False, **empty, **timing, "error": error}
    if isinstance(result, StructuredOutputError):
        line["session_id"] = result.session_id  # --keep-sessions: ask again in that conversation
        if result.usage is not None:  # the malformed answer was paid for
            usage, cost, estimated = spent(result)
            line.update(usage=usage_json(usage), cost_usd=cost, cost_estimated=estimated, model=result.model)
    if isinstance(result, BudgetExceededError):
        line["not_run"] = True  # the budget was spent before it started: --resume runs it
    return line


class OutputError(OauthPyError):
    """OUTPUT could not be written (a full disk): a clean ``error:`` line and exit 2."""


class Output:
    """OUTPUT, opened for appending after what an earlier run of the batch wrote.

    Without ``resume`` an existing non-empty file is refused (nothing is overwritten). With it,
    the ids already ``ok`` there are `done`, and a torn last line is cut off.
    """

    def __init__(self, path: str, *, resume: bool) -> None:
        self.path = path
        self.done: set[str] = set()
        self.torn = False
        self._keep = 0
        self._fd: int | None = None
        if path == "-":
            if resume:
                raise InvalidOptionsError("--resume needs an OUTPUT file, not stdout")
            return
        try:
            with open(path, "rb") as f:
                # a device or a pipe (/dev/null, /dev/full) holds no earlier results
                existing = f.read() if stat.S_ISREG(os.fstat(f.fileno()).st_mode) else b""
        except FileNotFoundError:
            existing = b""
        except OSError as exc:
            raise InvalidOptionsError(f"cannot read OUTPUT {path}: {exc.strerror}") from None
        if existing and not resume:
            raise InvalidOptionsError(
                f"OUTPUT {path} exists and is not empty; nothing was overwritten",
                hint="add --resume to finish that batch (items already ok are skipped), or choose another file",
            )
        self._keep = len(existing)
        if existing and not existing.endswith(b"\n"):
            self._keep = existing.rfind(b"\n") + 1  # a torn last line: an item cut off by a crash
        self.torn = self._keep < len(existing)
        for number, raw in enumerate(existing[: self._keep].splitlines(), 1):
            record = _json_object(raw.decode("utf-8", "replace"))
            if record is None or "id" not in record or "ok" not in record:
                raise InvalidOptionsError(
                    f"OUTPUT {path} line {number} is not a batch result line; is it the right file?"
                )
            if record["ok"] is True:
                self.done.add(id_key(record["id"]))

    def open(self) -> None:
        """Open for appending (creating the file); cuts off a torn last line first."""
        if self.path == "-":
            self._fd = 1
            return
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise InvalidOptionsError(f"cannot write OUTPUT {self.path}: {exc.strerror}") from None
        if self.torn:
            os.ftruncate(fd, self._keep)
        self._fd = fd

    def write(self, line: dict[str, Any]) -> None:
        """Append one line whole: one ``write`` for all of it where the OS allows.

        A write that fails (the disk is full) takes back what it wrote of the line, so the file
        keeps only whole lines, and raises `OutputError`: the batch stops, ``--resume`` goes on.
        """
        assert self._fd is not None
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        start = self._size()
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as exc:
            if start is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, start)
            raise OutputError(
                f"cannot write OUTPUT {self.path}: {exc.strerror}; the batch was stopped",
                hint="make room (or choose another OUTPUT), then run the same command with --resume "
                "to finish the rest",
            ) from None

    def _size(self) -> int | None:
        """Where the next line starts, for a regular file (None for a device or pipe)."""
        assert self._fd is not None
        try:
            info = os.fstat(self._fd)
        except OSError:
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    def close(self) -> None:
        if self._fd is not None and self._fd != 1:
            os.close(self._fd)
        self._fd = None
