"""The one edit oauthpy makes to an isolated Codex ``config.toml``.

Codex may keep its login in the OS keyring, shared by every ``CODEX_HOME``; isolation needs the
credentials inside the isolated home, so ``cli_auth_credentials_store`` is set to ``"file"``
unless the user already chose a supported store. tomlkit round-trips the rest of the file
(comments, order, tables, spacing) unchanged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from oauthpy._errors import InvalidOptionsError

KEY = "cli_auth_credentials_store"
SUPPORTED = ("file", "keyring", "auto")


def ensure_credentials_store(config_path: Path) -> bool:
    """Add ``cli_auth_credentials_store = "file"`` when unset. Returns whether the file changed.

    Raises `InvalidOptionsError` for a value isolation cannot work with, or a file that
    is not valid TOML, before any process starts.
    """
    import tomlkit  # lazy: only isolated codex runs pay for it
    from tomlkit.exceptions import TOMLKitError

    text = config_path.read_text(encoding="utf-8") if config_path.exists() else ""
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise InvalidOptionsError(
            f"{config_path} is not valid TOML ({exc}); fix it before using auth_source='oauthpy'"
        ) from None
    current = doc.get(KEY)
    if current is not None:
        if isinstance(current, str) and str(current) in SUPPORTED:
            return False
        raise InvalidOptionsError(
            f"{config_path} sets {KEY} = {tomlkit.item(current).as_string()!s}, which oauthpy's "
            f"isolated login cannot use",
            hint=f'set {KEY} to one of {", ".join(repr(s) for s in SUPPORTED)} (oauthpy adds "file" when it is unset)',
        )
    doc[KEY] = "file"
    _write_private(config_path, tomlkit.dumps(doc))
    return True


def _write_private(path: Path, text: str) -> None:
    # Atomic, so a crash never leaves a half-written config; 0600 like codex's own files.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config.toml.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
