"""Stream normalized events as they happen; breaking out of the loop stops the agent.

With no account: ``OAUTHPY_OFFLINE=1 python examples/stream_events.py`` (oauthpy's fake model answers).
"""

from oauthpy import Client, EventKind

for event in Client("codex").stream_sync("Run `ls` and summarise what you see.", timeout=300):
    if event.kind is EventKind.COMMAND and event.status != "in_progress":
        print(f"$ {event.command} -> exit {event.exit_code}")
    elif event.kind is EventKind.MESSAGE and not event.delta:
        print(event.text)
    elif event.kind is EventKind.DONE:
        print("tokens:", event.usage)
