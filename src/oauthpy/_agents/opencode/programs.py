"""What a repository's own OpenCode config may not start in a run with ``on_permission`` (red
team T3).

When it starts, before any prompt and so before anyone is asked, OpenCode (1.18) starts the
local MCP servers of its config and connects to the remote ones (their headers may be filled from
the environment, ``{env:...}``, or from files, ``{file:...}``), imports its ``plugin`` entries and
every ``{plugin,plugins}/*.{ts,js}`` and ``{tool,tools}/*.{js,ts}`` of each ``.opencode`` folder
(JavaScript run in its own process), and later starts the config's LSP servers when a file is
read and its formatters after an edit. In a config the repository holds (``opencode.json(c)`` in
the run's folder or a parent up to the git worktree's root, and their ``.opencode`` folders),
each of those is refused before anything starts, naming the file and the key. The user's own
config (global folder, ``OPENCODE_CONFIG``, ``OPENCODE_CONFIG_DIR``, ``OPENCODE_CONFIG_CONTENT``)
stays theirs, and ``OPENCODE_DISABLE_PROJECT_CONFIG`` leaves the repository's out altogether.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._fields import as_dict

_HINT = (
    "remove that from the repository (or set OPENCODE_DISABLE_PROJECT_CONFIG=1 to leave its "
    "OpenCode config out), or run without on_permission"
)
_CONFIG_NAMES = ("opencode.jsonc", "opencode.json")
#: the code folders OpenCode imports from each ``.opencode`` folder (its own globs)
_CODE_GLOBS = ("plugin/*.ts", "plugin/*.js", "plugins/*.ts", "plugins/*.js", "tool/*.js", "tool/*.ts", "tools/*.js", "tools/*.ts")  # fmt: skip


def refuse_programs(
    cwd: str,
    env: Mapping[str, str],
    ups: list[Path],
    read: Callable[[Path], dict[str, Any]],
) -> None:
    """Raise `InvalidOptionsError` naming the file and the key when the repository's own config
    would start a program, run code or connect out. ``ups`` are the folders OpenCode searches
    (the run's and its parents up to the worktree's root); ``read`` parses a config file."""
    if (env.get("OPENCODE_DISABLE_PROJECT_CONFIG") or "").lower() in ("1", "true"):
        return
    home = Path(env.get("HOME") or os.path.expanduser("~")).resolve()
    for folder in _repository(ups, home):
        dot = folder / ".opencode"
        files = [folder / name for name in _CONFIG_NAMES]
        files += [dot / name for name in ("opencode.json", "opencode.jsonc")]
        for path in files:
            if path.is_file():
                found = list(_starting(read(path)))
                if found:
                    raise _refused(str(path), ", ".join(found))
        if dot.is_dir():
            code = sorted({p for pattern in _CODE_GLOBS for p in dot.glob(pattern) if p.is_file()})
            if code:
                raise InvalidOptionsError(
                    f"the repository's OpenCode plugins or tools ({', '.join(map(str, code))}) are "
                    "JavaScript that OpenCode runs when it starts, before on_permission is asked",
                    hint=_HINT,
                )


def _repository(ups: list[Path], home: Path) -> list[Path]:
    """The searched folders that belong to the repository: the home folder (the user's own
    ``~/.opencode``) and what holds it are not the repository's."""
    out = []
    for folder in ups:
        resolved = folder.resolve()
        if resolved == home or resolved in home.parents:
            break
        out.append(folder)
    return out


def _starting(config: Mapping[str, Any]) -> Iterator[str]:
    for name, server in as_dict(config.get("mcp")).items():
        spec = as_dict(server)
        if spec and spec.get("enabled") is not False:
            yield f"mcp.{name}.{'url' if spec.get('type') == 'remote' else 'command'}"
    if config.get("plugin"):
        yield "plugin"
    for section in ("lsp", "formatter"):
        for name, spec in as_dict(config.get(section)).items():
            if as_dict(spec).get("command") and not as_dict(spec).get("disabled"):
                yield f"{section}.{name}.command"


def _refused(source: str, what: str) -> InvalidOptionsError:
    return InvalidOptionsError(
        f"the repository's OpenCode config {source} sets {what}: OpenCode would start a program, "
        "run code or connect out with it before on_permission is asked",
        hint=_HINT,
    )
