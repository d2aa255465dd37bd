"""Run one prompt through your logged-in Codex CLI and print the answer and the token usage.

With no account: ``OAUTHPY_OFFLINE=1 python examples/quickstart.py`` (oauthpy's fake model answers).
"""

from oauthpy import Client

result = Client("codex").run("Name three files in this directory.", cwd=".", timeout=300)
print(result.text)
print(result.usage)
