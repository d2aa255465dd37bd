"""What a review returns: a `Review` of one agent (or several merged), its `Finding` list, and
the JSON every reviewer is asked for.

Findings are frozen data like every result of oauthpy; ``raw`` keeps what the agent answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from oauthpy._events import Usage

Severity = Literal["critical", "high", "medium", "low"]
#: the severities, worst first: a finding's rank is its place here
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")

#: what a reviewer answers (through ``output_schema``): the issue's JSON, ``line``/``end_line``
#: optional, since a finding about a whole file has none
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "severity": {"type": "string", "enum": list(SEVERITIES)},
                    "path": {"type": "string"},
                    "line": {"type": ["integer", "null"]},
                    "end_line": {"type": ["integer", "null"]},
                    "title": {"type": "string"},
                    "body": {"type": "string"},
                },
                "required": ["severity", "path", "title", "body"],
            },
        },
    },
    "required": ["summary", "findings"],
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a reviewer found: ``path`` relative to the repository, ``line``/``end_line``
    when known, and the agents that raised it (several once reviews are merged)."""

    severity: Severity
    path: str
    title: str
    body: str = ""
    line: int | None = None
    end_line: int | None = None
    agents: tuple[str, ...] = ()

    @property
    def rank(self) -> int:
        """0 for ``critical`` to 3 for ``low``: sorts worst first."""
        return SEVERITIES.index(self.severity)

    @property
    def where(self) -> str:
        """``path:line`` or ``path:line-end``, or the path alone."""
        if self.line is None:
            return self.path
        if self.end_line is not None and self.end_line != self.line:
            return f"{self.path}:{self.line}-{self.end_line}"
        return f"{self.path}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "title": self.title,
            "body": self.body,
            "agents": list(self.agents),
        }


@dataclass(frozen=True, slots=True)
class Review:
    """A review: the reviewer (``provider``; agents joined by ``+`` when merged), its summary,
    its findings worst first, token ``usage`` (summed over the agents; None with no agent run), and ``raw``: the
    agent's parsed answer (the `Review` of each agent when merged). ``errors`` holds, for a
    merged review, the agents that failed and why. ``changed`` is False when the target held
    no change, and no agent was started."""

    provider: str
    summary: str
    findings: tuple[Finding, ...] = ()
    usage: Usage | None = None
    raw: Any = field(default=None, repr=False, compare=False)
    errors: dict[str, str] = field(default_factory=dict)
    #: False when there was no change to review (no agent started)
    changed: bool = True

    def at_least(self, severity: Severity) -> tuple[Finding, ...]:
        """The findings at ``severity`` or worse (``--fail-on``)."""
        bar = SEVERITIES.index(severity)
        return tuple(f for f in self.findings if f.rank <= bar)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
            "errors": dict(self.errors),
            "changed": self.changed,
        }
