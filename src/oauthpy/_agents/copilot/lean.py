"""A lean Copilot CLI run (docs/lean.md), through its documented flags: ``--excluded-tools``
naming every built-in tool (``--available-tools`` with no names changes nothing),
``--no-custom-instructions`` (no AGENTS.md or .github instructions), ``--disable-builtin-mcps``.
Copilot has no option for its own 7.6 KB base system prompt: that stays."""

from __future__ import annotations

#: every built-in tool the Copilot CLI declares over ACP (it prints a notice for a name it does
#: not know, which would be a chunk of the answer)
TOOLS = (
    "bash",
    "read_bash",
    "stop_bash",
    "list_bash",
    "view",
    "create",
    "edit",
    "sql",
    "read_agent",
    "list_agents",
    "write_agent",
    "grep",
    "glob",
    "task",
)


def args() -> list[str]:
    """The flags of a lean ``copilot --acp``."""
    return [f"--excluded-tools={','.join(TOOLS)}", "--no-custom-instructions", "--disable-builtin-mcps"]
