"""The OpenCode config that makes every agent ask the run's ``on_permission`` callback.

OpenCode (1.18) resolves an agent's permissions from rules in order, and the *last* rule whose
permission name (a wildcard) matches wins. An agent's own ``permission`` (``agent.<name>`` or
``mode.<name>`` in any opencode.json, an ``.opencode/agent/*.md`` front matter, the caller's
``OPENCODE_CONFIG_CONTENT``, the user's global config) comes after the top-level one, so
``OPENCODE_PERMISSION`` alone cannot make it ask (red team R1). Config objects merge key by key
and a key keeps the place it first had, so a later ``"bash": "ask"`` can still sit before an
earlier ``"*": "allow"``.

So, before the process starts, this module reads the config sources OpenCode reads (in its
order), adds ``ask`` at the agent level for every agent that sets permissions, replays the
merge, and refuses the run (naming the file) if any ``allow`` would still come after an ``ask``.
Facts from the opencode-ai 1.18.33 binary's config loader; the e2e tests run the real CLI.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oauthpy._agents.opencode.programs import refuse_programs
from oauthpy._errors import InvalidOptionsError
from oauthpy._fields import as_dict
from oauthpy._jsonc import loads_jsonc

#: what must reach the callback (OpenCode's default for each is "allow")
ASKED: dict[str, str] = {"bash": "ask", "edit": "ask", "webfetch": "ask"}
#: where OpenCode's admin-managed config lives on Linux (merged after the caller's content)
MANAGED_DIR = Path("/etc/opencode")
_CONFIG_NAMES = ("opencode.jsonc", "opencode.json")


@dataclass
class _Merged:
    """A config merged as OpenCode merges it, with the file each permission key came from."""

    config: dict[str, Any] = field(default_factory=dict)
    #: (section, agent or "", permission key) -> the file that set it last
    origin: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def add(self, source: str, config: Mapping[str, Any]) -> None:
        _merge(self.config, config)
        for section, name, perms in _permission_blocks(config):
            for key in perms:
                self.origin[(section, name, key)] = source


def asking(cwd: str, env: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The ``OPENCODE_CONFIG_CONTENT`` and the ``OPENCODE_PERMISSION`` rules for a run with
    ``on_permission``: the caller's content (JSON or JSONC) with ``ask`` for every agent that
    sets permissions, and ``continue_loop_on_deny`` (so the model hears of a refusal, as with
    every other agent); the rules are `ASKED` and those of the configured MCP servers' tools.

    Raises `InvalidOptionsError` naming the file when a setting would still allow, unasked,
    what the callback must see, or when the repository's own config would start a program
    (`refuse_programs`)."""
    ups, parsed = _up_to_worktree(Path(cwd)), {}  # each file read and parsed once for both checks

    def read(path: Path) -> dict[str, Any]:
        if path not in parsed:
            parsed[path] = _read(path)
        return parsed[path]

    refuse_programs(cwd, env, ups, read)
    content = env.get("OPENCODE_CONFIG_CONTENT") or ""
    caller = _parse(content, "OPENCODE_CONFIG_CONTENT") if content.strip() else {}
    sources = list(_sources_before_content(env, ups, read))
    managed = [
        (str(path), _read(path)) for path in (MANAGED_DIR / name for name in _CONFIG_NAMES) if path.is_file()
    ]
    asked = {**ASKED, **_mcp_rules([config for _, config in [*sources, ("", caller), *managed]])}
    merged = _Merged()
    for source, config in sources:
        merged.add(source, config)
    ours = dict(caller)
    experimental = caller.get("experimental")
    ours["experimental"] = {
        **(experimental if isinstance(experimental, dict) else {}),
        "continue_loop_on_deny": True,
    }
    for section in ("agent", "mode"):
        own = as_dict(caller.get(section))
        wanted = {
            name: {"permission": dict(asked)}
            for name, spec in as_dict(merged.config.get(section)).items()
            if _sets_permissions(spec)
        }
        wanted |= {
            name: {**as_dict(spec), "permission": _asking(as_dict(spec).get("permission"), asked)}
            for name, spec in own.items()
        }
        if wanted:
            ours[section] = {**own, **wanted}
    merged.add("OPENCODE_CONFIG_CONTENT", ours)
    for source, config in managed:
        merged.add(source, config)
    merged.add("OPENCODE_PERMISSION", {"permission": asked})
    _check(merged, asked)
    return json.dumps(ours), asked


def _mcp_rules(configs: list[dict[str, Any]]) -> dict[str, str]:
    """``ask`` for the tools of every MCP server the configs name. OpenCode runs an MCP tool
    unasked by default (its permission is the tool's name, ``<server>_<tool>``, each part with
    any character but a letter, a digit, ``_`` or ``-`` made ``_``), and such a tool acts like
    any other: a user's ``oauthpy mcp serve`` would start agents. The run's own tools come over
    ACP, not from a config, and stay unasked."""
    rules: dict[str, str] = {}
    for config in configs:
        for name in as_dict(config.get("mcp")):
            rules[f"{re.sub(r'[^a-zA-Z0-9_-]', '_', str(name))}_*"] = "ask"
    return rules


def _asking(permission: Any, asked: Mapping[str, str]) -> dict[str, Any]:
    """An agent's permission object with ``ask`` for ``asked``, placed after every other key."""
    kept = {k: v for k, v in as_dict(permission).items() if k not in asked}
    return {**kept, **asked}


def _sets_permissions(spec: Any) -> bool:
    return bool(as_dict(spec).get("permission") or as_dict(spec).get("tools"))


def _check(merged: _Merged, asked: Mapping[str, str]) -> None:
    config = merged.config
    top = _rules(as_dict(config.get("permission")))
    _check_rules(merged, top, asked, "")
    agents = as_dict(config.get("agent"))
    for name, spec in as_dict(config.get("mode")).items():  # modes become primary agents last
        agents[name] = _merge(dict(as_dict(agents.get(name))), as_dict(spec))
    for name, spec in agents.items():
        _check_rules(merged, top + _rules(as_dict(as_dict(spec).get("permission"))), asked, name)


def _check_rules(
    merged: _Merged, rules: list[tuple[str, str]], wanted: Mapping[str, str], agent: str
) -> None:
    for asked in wanted:
        last = None
        for key, action in rules:
            # a rule for some of what is asked counts too ("srv_touch" of "srv_*")
            if _matches(key, asked) or _matches(asked, key):
                last = (key, action)
        if last is not None and last[1] == "allow":
            key = last[0]
            source = merged.origin.get(("agent", agent, key)) or merged.origin.get(("mode", agent, key))
            source = source or merged.origin.get(("permission", "", key), "OpenCode's config")
            whose = f"agent {agent!r}" if agent else "every agent"
            raise InvalidOptionsError(
                f"OpenCode settings in {source} allow {asked!r} for {whose} (rule {key!r}) after "
                "oauthpy's 'ask': on_permission would not be asked",
                hint="remove that permission rule, or run without on_permission",
            )


def _rules(permission: Mapping[str, Any]) -> list[tuple[str, str]]:
    """OpenCode's rule list of a permission object: (permission wildcard, action)."""
    out: list[tuple[str, str]] = []
    for key, value in permission.items():
        if isinstance(value, str):
            out.append((key, value))
        elif isinstance(value, dict):
            out += [(key, v) for v in value.values() if isinstance(v, str)]
    return out


def _matches(wildcard: str, name: str) -> bool:
    pattern = re.escape(wildcard).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(pattern, name) is not None


def _permission_blocks(config: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    yield "permission", "", as_dict(config.get("permission"))
    for section in ("agent", "mode"):
        for name, spec in as_dict(config.get(section)).items():
            yield section, name, as_dict(as_dict(spec).get("permission"))


def _sources_before_content(
    env: Mapping[str, str], ups: list[Path], read: Callable[[Path], dict[str, Any]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file, config) of what OpenCode merges before ``OPENCODE_CONFIG_CONTENT``, in its order;
    ``ups``: the run's folder and its parents up to the worktree's root."""
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    global_dir = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "opencode"
    for name in ("config.json", "opencode.json", "opencode.jsonc"):
        if (global_dir / name).is_file():
            yield str(global_dir / name), read(global_dir / name)
    if env.get("OPENCODE_CONFIG") and Path(env["OPENCODE_CONFIG"]).is_file():
        yield env["OPENCODE_CONFIG"], read(Path(env["OPENCODE_CONFIG"]))
    project = not _truthy(env.get("OPENCODE_DISABLE_PROJECT_CONFIG"))
    if project:
        for folder in reversed(ups):  # the outermost first
            for name in _CONFIG_NAMES:
                if (folder / name).is_file():
                    yield str(folder / name), read(folder / name)
    dirs = [global_dir]
    dirs += [folder / ".opencode" for folder in ups if (folder / ".opencode").is_dir()] if project else []
    dirs.append(home / ".opencode")
    if env.get("OPENCODE_CONFIG_DIR"):
        dirs.append(Path(env["OPENCODE_CONFIG_DIR"]))
    for folder in dirs:
        if not folder.is_dir():
            continue
        if folder.name == ".opencode" or str(folder) == env.get("OPENCODE_CONFIG_DIR"):
            for name in ("opencode.json", "opencode.jsonc"):
                if (folder / name).is_file():
                    yield str(folder / name), read(folder / name)
        yield from _markdown_agents(folder)


def _markdown_agents(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Agents defined as markdown: ``{agent,agents}/**/*.md`` and ``{mode,modes}/*.md``."""
    for sub, deep, section in (("agent", True, "agent"), ("agents", True, "agent"), ("mode", False, "mode"), ("modes", False, "mode")):  # fmt: skip
        base = folder / sub
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.md") if deep else base.glob("*.md")):
            data = _front_matter(path)
            name = str(data.get("name") or path.relative_to(base).with_suffix("").as_posix())
            yield str(path), {"agent": {name: data}} if section == "agent" else {"mode": {name: data}}


def _front_matter(path: Path) -> dict[str, Any]:
    text = _text(path)
    if not text.startswith("---"):
        return {}
    head, sep, _ = text[3:].partition("\n---")
    if not sep:
        return {}
    import yaml  # only for a project that defines agents in markdown

    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError:
        raise _unreadable(path) from None
    return data if isinstance(data, dict) else {}


def _up_to_worktree(cwd: Path) -> list[Path]:
    """``cwd`` and its parents up to the git worktree's root (the filesystem's root outside git)."""
    out = []
    for folder in (cwd, *cwd.parents):
        out.append(folder)
        if (folder / ".git").exists():
            break
    return out


def _read(path: Path) -> dict[str, Any]:
    return _parse(_text(path), str(path))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        raise _unreadable(path) from None


def _parse(text: str, source: str) -> dict[str, Any]:
    """JSON or JSONC (comments, trailing commas), as OpenCode reads its config."""
    try:
        value = loads_jsonc(text)
    except ValueError:
        raise _unreadable(source) from None
    return value if isinstance(value, dict) else {}


def _unreadable(source: str | Path) -> InvalidOptionsError:
    return InvalidOptionsError(
        f"cannot read OpenCode's config {source}: with on_permission, oauthpy must see every "
        "permission it sets before OpenCode starts",
        hint="fix the file's JSON (or YAML front matter), or run without on_permission",
    )


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
    """OpenCode's deep merge: objects merge key by key, a key keeps its first place."""
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = _merge(dict(target[key]), value)
        else:
            target[key] = value
    return target


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")
