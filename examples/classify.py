"""Classify many items with one agent: ``Client.map`` with a JSON schema.

Every review goes to the agent as its own prompt, three at a time on warm agents; each answer
is parsed and validated against the schema (``result.output``). A failed item would be its error
object in the list, not an exception that loses the others. Runs offline by default: the real
codex CLI against oauthpy's fake model, which labels each review by its words. ``--live`` uses
your own codex login.

The same from the command line, with resume and progress (docs/batch.md):

    oauthpy batch -p codex reviews.jsonl -o labels.jsonl --schema label.schema.json -j 3

    python examples/classify.py [--live]
"""

from __future__ import annotations

import sys
import tempfile

from oauthpy import Client, OauthPyError
from oauthpy.testing import FakeResponsesServer, Match, text

REVIEWS = [
    "The blender is great, smoothies in seconds.",
    "It broke after two days and support never answered.",
    "Arrived on Tuesday. It is a blender.",
    "Great price, great sound, I use it every day.",
    "The lid broke the first time I used it.",
]

LABEL = {
    "type": "object",
    "properties": {
        "label": {"enum": ["positive", "negative", "neutral"]},
        "reason": {"type": "string"},
    },
    "required": ["label", "reason"],
    "additionalProperties": False,
}


def classify(client: Client, cwd: str) -> None:
    prompts = [f"Classify this product review. Review: {review}" for review in REVIEWS]
    results = client.map(prompts, concurrency=3, cwd=cwd, output_schema=LABEL, timeout=120)
    for review, result in zip(REVIEWS, results, strict=True):
        if isinstance(result, OauthPyError):
            print(f"{'failed':9} {review}  ({type(result).__name__}: {result.message})")
        else:
            print(f"{result.output['label']:9} {review}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as home:
        if "--live" in sys.argv:
            classify(Client("codex"), tmp)
            return
        with FakeResponsesServer() as fake:
            # The fake model labels a review by its words; requests arrive in any order.
            fake.script(
                Match(
                    r"Review: [^\"]*great",
                    text('{"label": "positive", "reason": "praise"}'),
                    otherwise=Match(
                        r"Review: [^\"]*broke",
                        text('{"label": "negative", "reason": "a defect"}'),
                        otherwise=text('{"label": "neutral", "reason": "facts only"}'),
                    ),
                )
            )
            classify(Client("codex", auth_source="external", env=fake.env(home)), tmp)


if __name__ == "__main__":
    main()
