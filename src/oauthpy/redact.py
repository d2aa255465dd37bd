"""Secret redaction for everything oauthpy prints, logs, raises or reprs.

Patterns cover the credential shapes of the vendors oauthpy wraps and the usual suspects that
show up in stderr of a misconfigured machine. Git SHAs and UUIDs are deliberately left alone:
they are not secrets and masking them would make error messages useless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[REDACTED]"

_PATTERNS = (
    r"sk-ant-[A-Za-z0-9_\-]{8,}",  # Anthropic
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}",  # OpenAI
    r"AIza[0-9A-Za-z_\-]{30,}",  # Google API key
    r"(?:AKIA|ASIA)[0-9A-Z]{16}",  # AWS access key id
    r"gh[pousr]_[A-Za-z0-9]{20,}",  # GitHub tokens
    r"github_pat_[A-Za-z0-9_]{20,}",
    r"xox[abposr]-[A-Za-z0-9\-]{10,}",  # Slack
    r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",  # JWT
    r"ya29\.[A-Za-z0-9_\-]{20,}",  # Google OAuth access token
)
_TOKEN_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# "Bearer <anything>" and "x-api-key: <anything>": the value is secret whatever its shape.
_HEADER_RE = re.compile(
    r"(?i)(\b(?:x-api-key|x-goog-api-key|api[_-]?key|authorization)\s*[:=]\s*(?:bearer\s+|basic\s+)?"
    r"|\bbearer\s+)"
    r"([^\s,;\"']{6,})"
)

# Environment variable names whose values are credentials; their values are scrubbed verbatim.
_SECRET_NAME_RE = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|AUTH)")


def redact(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every recognisable credential replaced by ``[REDACTED]``.

    ``extra_secrets`` are literal values (e.g. the API key in the child's environment) that
    are removed wherever they appear, whatever their shape.
    """
    if not text:
        return text
    for secret in extra_secrets:
        if secret and len(secret) >= 6 and secret in text:
            text = text.replace(secret, MASK)
    text = _TOKEN_RE.sub(MASK, text)
    return _HEADER_RE.sub(lambda m: m.group(1) + MASK, text)


def secret_values(env: dict[str, str] | None) -> tuple[str, ...]:
    """The values of credential-looking variables in ``env``, for :func:`redact`."""
    if not env:
        return ()
    return tuple(v for k, v in env.items() if v and len(v) >= 6 and _SECRET_NAME_RE.search(k))
