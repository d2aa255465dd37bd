"""The first model request of a run, default against ``lean=True``, for each agent against its
fake (docs/lean.md).

    .venv/bin/python benchmarks/lean_bench.py [--agents codex,claude] [--map N]

Prints a markdown table: the bytes of the first model request (its ``Content-Length``) and the
characters of its JSON, default and lean, and their ratio. ``--map N`` adds, per agent, the
total request bytes of a ``Client.map`` of N prompts, default and lean. Sizes, not times: the
figures do not depend on the machine. The pinned CLIs come from tools/ (scripts/test).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import open_rig  # noqa: E402

from oauthpy import _registry as registry  # noqa: E402
from oauthpy.testing import text  # noqa: E402

PROMPT = "Reply with the word ok."


def request_bytes(request: Any) -> int:
    """What the CLI sent: its ``Content-Length``, else the JSON the fake read."""
    length = request.headers.get("content-length")
    return int(length) if length else len(request.body_text.encode())


def turns(rig: Any) -> list[Any]:
    """The fake's model requests that are turns of the conversation (not a router's calls)."""
    is_turn = rig.provision.is_turn
    return [r for r in rig.fake.requests if r.method == "POST" and (is_turn is None or is_turn(r))]


def first_request(name: str, lean: bool) -> int:
    with tempfile.TemporaryDirectory() as root, open_rig(name, Path(root)) as rig:
        rig.fake.script(text("ok"))
        result = rig.run(PROMPT, lean=lean)
        assert "ok" in result.text, result.text
        return request_bytes(turns(rig)[0])


def map_bytes(name: str, lean: bool, count: int) -> int:
    with tempfile.TemporaryDirectory() as root, open_rig(name, Path(root)) as rig:
        rig.fake.script(*(text("ok") for _ in range(count)))
        prompts = [f"{PROMPT} ({i})" for i in range(count)]
        rig.client().map(prompts, cwd=rig.work, model=rig.model, lean=lean, timeout=120)
        return sum(request_bytes(r) for r in turns(rig))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", default=",".join(registry.names(generic=False)))
    ap.add_argument("--map", type=int, default=0, help="prompts of a map row per agent (0: none)")
    args = ap.parse_args()
    os.environ.setdefault("PATH", "")
    print("| agent | default (B) | lean (B) | lean / default |")
    print("|---|---:|---:|---:|")
    for name in args.agents.split(","):
        default, lean = first_request(name, False), first_request(name, True)
        print(f"| {name} | {default:,} | {lean:,} | {lean / default:.1%} |", flush=True)
        if args.map:
            default, lean = map_bytes(name, False, args.map), map_bytes(name, True, args.map)
            print(
                f"| {name}: map of {args.map} | {default:,} | {lean:,} | {lean / default:.1%} |", flush=True
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
