"""``python -m oauthpy``: the same as the ``oauthpy`` command."""

import sys

from .cli import main

sys.exit(main())
