"""``python -m oauthpy``: the same as the ``oauthpy`` command."""

import sys

from oauthpy.cli import entry

sys.exit(entry())
