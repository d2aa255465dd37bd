"""``python -m oauthpy``: the same as the ``oauthpy`` command."""

import sys

from .cli import entry

sys.exit(entry())
