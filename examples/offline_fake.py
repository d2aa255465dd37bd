"""Test your own code offline: the real codex CLI against oauthpy's fake Responses API."""

import tempfile
from pathlib import Path

from pydantic import BaseModel

from oauthpy import Client
from oauthpy.testing import FakeResponsesServer, text


class Answer(BaseModel):
    city: str
    population: int


with FakeResponsesServer() as fake, tempfile.TemporaryDirectory() as tmp:
    env = fake.env(Path(tmp, "codex-home"))  # isolated CODEX_HOME pointed at the fake
    fake.script(text('{"city": "Lyon", "population": 522000}'))
    result = Client("codex").run("Biggest city?", cwd=tmp, env=env, output_schema=Answer)
    print(result.output)  # Answer(city='Lyon', population=522000)
    print(len(fake.requests), "request(s) reached the fake")
