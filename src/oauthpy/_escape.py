"""Agent text made safe to show on a terminal: control characters written visibly.

A model chooses the commands it asks to run. Shown raw, a carriage return or an ESC sequence in
one rewrites what the person reads (``rm -rf ~ #\\r\\x1b[2K`` then anything), so a question or a
progress line would show one command and approve another. Every line oauthpy shows from an agent
(a permission question, a progress line, an MCP elicitation, a sign-in command) goes through
`visible` first. Backslashes are left as they are: a literal ``\\r`` moves no cursor.
"""

from __future__ import annotations

import re

#: C0 but tab, DEL, C1 (ESC is C0), Unicode line/paragraph separators and the bidi controls
#: that reorder what is shown
_HIDING = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WITHOUT_NEWLINE = re.compile(_HIDING.pattern.replace("\x0a-", "\x0b-"))
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _shown(found: re.Match[str]) -> str:
    char = found.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with each control character written as an escape (``\\r``, ``\\x1b``,
    ``\\u202e``): one line that shows everything it holds. ``keep_newlines`` leaves line
    breaks for multi-line prose (a reasoning summary), escaping the rest."""
    pattern = _WITHOUT_NEWLINE if keep_newlines else _HIDING
    return pattern.sub(_shown, text)


__all__ = ["visible"]
