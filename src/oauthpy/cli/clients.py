"""The `Client` a command's arguments ask for (``-p``, ``--source``, ``--command``)."""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oauthpy._client import Client


def client_for(args: argparse.Namespace, provider: Any = None, **kw: Any) -> Client:
    """``provider`` (else ``args.provider``) with the command's auth source; ``--command``
    (split as a shell would) is the argv of an ACP agent for ``-p acp``."""
    from oauthpy._client import Client  # lazy: `oauthpy --help` imports no client

    line = getattr(args, "agent_command", None)
    command = shlex.split(line) if line else None
    return Client(provider or args.provider, auth_source=args.source, command=command, **kw)
