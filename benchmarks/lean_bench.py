"""The first model request of a run, default against ``lean=True``, for each agent against its
fake (docs/lean.md).

    .venv/bin/python benchmarks/lean_bench.py [--agents codex,claude] [--map N]

Prints a markdown table: the bytes of the first model request (its ``Content-Length``),
default and lean, and their ratio; and the input tokens the run's ``result.usage`` reports,
default and lean, where the vendor's CLI reports them (the fake counts a token per 4 bytes of
the request, as a tokenizer would count English and JSON, so that the usage that reaches
`RunResult` follows what was sent). ``--map N`` adds, per agent, the
total request bytes of a ``Client.map`` of N prompts, default and lean. Sizes, not times: the
figures do not depend on the machine. The pinned CLIs come from tools/ (scripts/test).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import open_rig  # noqa: E402

from oauthpy import _registry as registry  # noqa: E402
from oauthpy.testing import Tokens, text  # noqa: E402
from oauthpy.testing.script import Reply  # noqa: E402

PROMPT = "Reply with the word ok."


def request_bytes(request: Any) -> int:
    """What the CLI sent: its ``Content-Length``, else the JSON the fake read."""
    length = request.headers.get("content-length")
    return int(length) if length else len(request.body_text.encode())


def turns(rig: Any) -> list[Any]:
    """The fake's model requests that are turns of the conversation (not a router's calls)."""
    is_turn = rig.provision.is_turn
    return [r for r in rig.fake.requests if r.method == "POST" and (is_turn is None or is_turn(r))]


def counted(fake: Any) -> None:
    """Make ``fake`` report each request's input tokens as its bytes / 4 (its scripted replies
    report a fixed count otherwise)."""
    plain = fake.next_step

    def next_step(req: Any = None) -> Any:
        answer = plain(req)
        if isinstance(answer, Reply) and req is not None:
            tokens = Tokens(input=max(1, request_bytes(req) // 4), output=answer.usage.output)
            return dataclasses.replace(answer, usage=tokens)
        return answer

    fake.next_step = next_step


def first_request(name: str, lean: bool) -> tuple[int, int | None]:
    """The first model request's bytes, and the input tokens ``result.usage`` reports (None:
    the vendor's CLI reports none)."""
    with tempfile.TemporaryDirectory() as root, open_rig(name, Path(root)) as rig:
        rig.fake.script(text("ok"))
        counted(rig.fake)
        result = rig.run(PROMPT, lean=lean)
        assert "ok" in result.text, result.text
        return request_bytes(turns(rig)[0]), result.usage.input_tokens or None


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
    print("| agent | default (B) | lean (B) | lean / default | result.usage input tokens, default | lean |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.agents.split(","):
        (default, used), (lean, lean_used) = first_request(name, False), first_request(name, True)
        tokens = f"{used:,} | {lean_used:,}" if used and lean_used else "not reported | not reported"
        print(f"| {name} | {default:,} | {lean:,} | {lean / default:.1%} | {tokens} |", flush=True)
        if args.map:
            default, lean = map_bytes(name, False, args.map), map_bytes(name, True, args.map)
            print(
                f"| {name}: map of {args.map} | {default:,} | {lean:,} | {lean / default:.1%} | | |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
