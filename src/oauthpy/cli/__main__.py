import sys

from oauthpy.cli import entry

sys.exit(entry())
