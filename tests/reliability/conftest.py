"""The reliability suite's view of the shared assistant (tests/conftest.py: `make run` with
the public gateway, Rasa's API behind a token, the privacy tracker store in SQLite),
whose actions go through a TCP proxy (so tests can make the action server refuse or
hang) and whose content is a copy (so tests can break it). Own ports from
``REL_PORT_BASE`` (8705): a second gateway, the PostgreSQL proxy, a second Rasa server.
"""

from __future__ import annotations

import os
import uuid
from typing import Optional

import pytest
import requests
import yaml

from tests.conftest import ALLOWED_ORIGIN, ROOT  # noqa: F401  (used by the access tests)

BASE = int(os.environ.get("REL_PORT_BASE", "8705"))
GATEWAY2_PORT, DB_PROXY_PORT, RASA2_PORT, ACTIONS2_PORT = (BASE + i for i in range(4))
TIMEOUT = 60
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_text(name: str, language: str) -> str:
    """The domain response ``name`` as rendered for ``language``."""
    variants = DOMAIN["responses"][name]
    for variant in variants:
        if any(c.get("value") == language for c in variant.get("condition", [])):
            return variant["text"]
    return variants[0]["text"]


class Stack:
    """The shared assistant, with the reliability tests' helpers."""

    def __init__(self, shared) -> None:
        self.servers = shared
        self.action_proxy = shared.action_proxy
        self.rasa = shared.rasa_url
        self.public = shared.public_url
        self.content = shared.content
        self.db = shared.tracker_db
        self.logs = shared.logs

    @property
    def token(self) -> str:
        return self.servers.token

    def send(self, text: str, sender: Optional[str] = None, base: Optional[str] = None,
             **extra) -> requests.Response:
        body = {"sender": sender or new_sender(), "message": text, **extra}
        return requests.post(f"{base or self.public}/webhooks/rest/webhook", json=body, timeout=TIMEOUT)

    def say(self, text: str, sender: Optional[str] = None, **extra) -> str:
        reply = self.send(text, sender, **extra)
        assert reply.status_code == 200, (reply.status_code, reply.text)
        return "\n".join(m.get("text", "") for m in reply.json())

    def tracker(self, sender: str) -> dict:
        reply = requests.get(f"{self.rasa}/conversations/{sender}/tracker",
                             params={"token": self.token}, timeout=TIMEOUT)
        assert reply.status_code == 200, reply.text
        return reply.json()


def new_sender() -> str:
    return f"rel-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def stack(shared_assistant) -> Stack:
    return Stack(shared_assistant)
