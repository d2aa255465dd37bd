"""Secret redaction for everything oauthpy prints, logs, raises or reprs.

What is redacted: every error attribute, ``repr()``, and every CLI output mode (plain text,
``--stream``, ``--json``, ``--schema``). What is not: the model's answer as the library returns
it (``RunResult.text``, ``Event.text``, ``RunResult.output``). That is data the caller asked for,
not a log line, and masking look-alikes in it would corrupt answers.

Three layers, applied in this order:

* literal values: the credential-looking values of every run's environment
  (`remember_secrets`, fed where a run's env is built) and ``extra_secrets``, whatever
  their shape;
* credential shapes (``sk-...``, ``AIza...``, ``ghp_...``, JWTs, ...), only as whole tokens (no
  letter or digit on their left, so ``task-...`` is no ``sk-`` key) and, where the prefix is a
  common substring, only when the body looks random (digits among letters);
* values after ``Authorization:``, ``x-api-key:``, ``OPENAI_API_KEY=``, ``Bearer`` and the like,
  unless they are code (a variable or attribute path, a call) or prose ("Bearer authentication").

Git SHAs and UUIDs are deliberately left alone: they are not secrets and masking them would
make error messages useless.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import cache
from itertools import pairwise
from typing import Any

MASK = "[REDACTED]"


@cache
def _rx(pattern: str) -> re.Pattern[str]:
    """Compiled on first use: compiling them all costs ``import oauthpy`` a few milliseconds."""
    return re.compile(pattern)


# A token starts where no letter or digit is on its left ("task-..." holds no "sk-" key); in
# JSON-escaped text it may also follow an escaped newline or tab ("\nsk-..."). The check sits
# after each pattern's first character, so every alternative starts with a literal and the
# regex engine can skip ahead to the few characters a key can start with.
_LEFT = r"(?:(?<![A-Za-z0-9].)|(?<=\\[nrt].))"
_RIGHT = r"(?![A-Za-z0-9_\-])"

_PATTERNS = (
    r"sk-ant-[A-Za-z0-9_\-]{8,}",  # Anthropic
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}",  # OpenAI
    r"AIza[0-9A-Za-z_\-]{30,}",  # Google API key
    r"A(?:KIA|SIA)[0-9A-Z]{16}",  # AWS access key id
    r"gh[pousr]_[A-Za-z0-9]{20,}",  # GitHub tokens
    r"github_pat_[A-Za-z0-9_]{20,}",
    r"xox[abposr]-[A-Za-z0-9\-]{10,}",  # Slack
    r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",  # JWT
    r"ya29\.[A-Za-z0-9_\-]{20,}",  # Google OAuth access token
)
_TOKEN = "|".join(f"{p[0]}{_LEFT}{p[1:]}{_RIGHT}" for p in _PATTERNS)
# Prefixes that occur in ordinary words ("sk-learn"): their body must look random.
_CHECKED_PREFIX = r"sk-ant-|sk-(?:proj-|svcacct-|admin-)?|xox[abposr]-"

_NAMES = (
    r"x-api-key|x-goog-api-key|api[_-]?key|authorization|(?:access|refresh|auth|id)[_-]?token|token"
    r"|client[_-]?secret|secret|password|passwd"
)
# Variable-style names that end in a credential word (``AWS_SECRET_ACCESS_KEY``,
# ``DB_PASSWORD``, ``MY_SECRET_SIGNING_KEY``), and a bare ``key`` set with ``=`` (a URL query).
_MORE_NAMES = r"(?:[A-Za-z0-9]+[_-])+(?:key|secret|token|password|passwd)|key(?=\s*(?:=|%3[Dd]))"
# A value is what can follow ``name:`` or ``Bearer ``: no whitespace, quotes, separators or
# brackets (a bracket or a call after it means code: ``api_key = os.environ["..."]``).
_VALUE = r"[^\s,;&\"'`()\[\]{}<>$]"
_HEADER = (
    rf"(?i)(?:(?P<name>(?<![A-Za-z0-9])(?P<word>{_NAMES}|{_MORE_NAMES})[\"']?\s*(?:[:=]|%3[AD])\s*"
    rf"(?P<quote>[\"']?)(?P<scheme>(?:bearer|basic)\s+)?)"
    rf"|(?P<bare>\bbearer\s+))"
    rf"(?P<value>{_VALUE}+)(?!{_VALUE}|[(\[])"
)
# A PEM private key, whole (to its END line, or to the end of a cut text)
_PEM = r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"
# The password of a URL's user info: ``postgres://user:[REDACTED]@host``
_URL_PASSWORD = r"(?P<user>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@]*:)[^\s/@]+(?=@)"
# every name above and "bearer" contain one of these
_HEADER_HINTS = ("key", "auth", "token", "secret", "passw", "bearer")
# A variable, constant or attribute path (``OPENAI_API_KEY``, ``self.api_key``): code, not a key.
_IDENT_PATH = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"


def _random_looking(s: str) -> bool:
    """Digits among letters, or a long run of letters whose case flips often: not words."""
    letters = [c for c in s if c.isalpha()]
    if not letters:
        return False
    if any(c.isdigit() for c in s):
        return True
    flips = sum(a.isupper() != b.isupper() for a, b in pairwise(letters))
    return len(letters) >= 20 and flips * 4 >= len(letters)


def _token(m: re.Match[str]) -> str:
    token = m.group(0)
    prefix = _rx(_CHECKED_PREFIX).match(token)
    if prefix is not None and not _random_looking(token[prefix.end() :]):
        return token  # "sk-learn-tutorial-notes": a name, not a key
    return MASK


# Not a value but more syntax: another ``name=`` (``access_token: expires_in=3600``), or a YAML
# tag (``password: !vault |``).
_NOT_A_VALUE = r"[A-Za-z_][A-Za-z0-9_]*=|![a-z_]+$"
# Lower-case words joined by hyphens (``api-key: header-name``): a name, unless it is a password.
_WORDS = r"[a-z]+(?:-[a-z]+)+"


def _header(m: re.Match[str]) -> str:
    value = m.group("value").rstrip(".:!?")  # "Authorization: required." ends a sentence
    if m.group("bare") is not None:  # prose says "Bearer tokens"; a real one is random
        secret = len(value) >= 8 and _random_looking(value)
    elif m.group("scheme") is not None:  # "Authorization: Bearer X": X is a credential
        secret = len(value) >= 6
    elif _rx(_NOT_A_VALUE).match(value):
        secret = False
    elif not m.group("quote") and _rx(_IDENT_PATH).fullmatch(value):  # api_key = OPENAI_API_KEY
        secret = len(value) >= 12 and _random_looking(value)
    elif not m.group("quote") and _rx(_WORDS).fullmatch(value) and "pass" not in m.group("word").lower():
        secret = False
    else:
        secret = len(value) >= 6
    if not secret:
        return m.group(0)
    start, end = m.start("value") - m.start(), m.start("value") - m.start() + len(value)
    return m.group(0)[:start] + MASK + m.group(0)[end:]


# -- remembered literal values ------------------------------------------------------------------

#: at most this many remembered values; the oldest go first
MAX_REMEMBERED = 256
_MAX_VALUE_LEN = 8192
_lock = threading.Lock()
_remembered: OrderedDict[str, None] = OrderedDict()
# longest first, so a value that contains another is masked whole; replaced, never mutated,
# so redact() reads it without the lock
_literals: tuple[str, ...] = ()


def remember_secrets(values: Iterable[str]) -> None:
    """Mask these literal values in every later `redact`, process-wide (thread-safe).

    Fed with `secret_values` of every run's environment, so a key of unknown shape is
    masked in errors, retry summaries, reprs and CLI output, not only in the stderr tail.
    """
    global _literals
    new = [v for v in values if isinstance(v, str) and 6 <= len(v) <= _MAX_VALUE_LEN]
    if not new:
        return
    with _lock:
        added = False
        for v in new:
            added = added or v not in _remembered
            _remembered[v] = None
            _remembered.move_to_end(v)
        while len(_remembered) > MAX_REMEMBERED:
            _remembered.popitem(last=False)
        if added:
            _literals = tuple(sorted(_remembered, key=len, reverse=True))


def redact(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every recognisable credential replaced by ``[REDACTED]``.

    ``extra_secrets`` are literal values (e.g. the API key in the child's environment) that
    are removed wherever they appear, whatever their shape, like the remembered ones.
    """
    if not text:
        return text
    for secret in (*_literals, *extra_secrets):
        if secret and len(secret) >= 6 and secret in text:
            text = text.replace(secret, MASK)
    text = _rx(_TOKEN).sub(_token, text)
    if "PRIVATE KEY-----" in text:
        text = _rx(_PEM).sub(MASK, text)
    if "://" in text:
        text = _rx(_URL_PASSWORD).sub(lambda m: m.group("user") + MASK, text)
    lowered = text.lower()
    if any(hint in lowered for hint in _HEADER_HINTS):  # the header regex is the slow part
        text = _rx(_HEADER).sub(_header, text)
    return text


def redact_data(value: Any) -> Any:
    """``value`` with every string in it redacted, through dicts, lists and tuples."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(k): redact_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(redact_data(v) for v in value)
    return value


# -- which environment values are secrets -------------------------------------------------------

# Names whose values are credentials; oauthpy's own prefix is dropped first (OAUTHPY_ has "AUTH").
_SECRET_NAME = r"(?i)KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH"
# Names that match but hold no secret: agent sockets, authors, paths, enum-like settings.
_PLAIN_NAME = r"(?i)AUTHOR|SOCK|(?:^|_)(?:TYPE|MODE|METHOD|DIR|PATH|FILE|HOME|URL|HOST|PORT|TIMEOUT|TTL)$"
_PLAIN_VALUE = r"(?i)[~/.]|[a-z]:[\\/]|https?://[^@]*$|[0-9.]+$|true$|false$|none$|null$|yes$|no$|on$|off$"


def secret_values(env: Mapping[str, str | None] | None) -> tuple[str, ...]:
    """The values of credential-looking variables in ``env``, for `redact`.

    Paths, URLs without credentials, numbers, booleans and values shorter than 8 characters
    are left out: masking them would mangle messages without hiding anything.
    """
    if not env:
        return ()
    out = []
    for name, value in env.items():
        if not value or len(value) < 8:
            continue
        name = name.removeprefix("OAUTHPY_")
        if not _rx(_SECRET_NAME).search(name) or _rx(_PLAIN_NAME).search(name):
            continue
        if _rx(_PLAIN_VALUE).match(value):
            continue
        out.append(value)
    return tuple(out)


# -- streamed text ------------------------------------------------------------------------------

# A word after which the next word may be the secret: "Authorization:", ":", "Bearer", "api_key=".
_LEAD_WORD = rf"(?i)(?:(?<![A-Za-z0-9])(?:{_NAMES})[\"']?[:=]?[\"']?|^[\"']?[:=][\"']?|^bearer|^basic)$"
#: characters a `StreamRedactor` holds back at most; beyond, it releases them redacted
MAX_HOLD = 4096


class StreamRedactor:
    """Redacts text that arrives in pieces, so a secret split across pieces is still masked.

    ``feed`` returns what is safe to show now: everything but a short tail that could be the
    start of a secret (the unfinished last word, plus the words before it that could lead a
    secret, e.g. ``Authorization: Bearer``). ``flush`` returns the rest. A tail longer than
    ``max_hold`` is released redacted as it is.
    """

    def __init__(self, max_hold: int = MAX_HOLD) -> None:
        self.max_hold = max_hold
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        cut = _hold_from(text)
        if len(text) - cut > self.max_hold:
            cut = len(text)
        self._held = text[cut:]
        return redact(text[:cut])

    def flush(self) -> str:
        text, self._held = self._held, ""
        return redact(text)


def _hold_from(text: str) -> int:
    """Where the tail that could still grow into a secret starts."""
    # the unfinished last word (none when the text ends in whitespace)
    last = "" if not text or text[-1].isspace() else text.rsplit(None, 1)[-1]
    cut = len(text) - len(last)
    for _ in range(4):  # "Authorization : Bearer" is the longest lead
        before = text[:cut].rstrip()
        if not before:
            break
        word = before.rsplit(None, 1)[-1]
        if not _rx(_LEAD_WORD).search(word):
            break
        cut = len(before) - len(word)
    return cut
