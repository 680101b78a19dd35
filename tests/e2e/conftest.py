"""Real servers for end-to-end tests: the trained model, the action server, SQLite.

The servers run on their own ports with their own tracker database, so the tests
never touch a developer's running assistant or conversations.
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests

from bot.tools.serve import Servers
from tests.servers import RELAXED_SENDER_LIMITS, server_settings

RASA_PORT = int(os.environ.get("E2E_RASA_PORT", "5105"))
ACTIONS_PORT = int(os.environ.get("E2E_ACTIONS_PORT", "5155"))


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Servers:
    settings = server_settings(tmp_path_factory.mktemp("e2e"), RASA_PORT, ACTIONS_PORT,
                               extra_env=RELAXED_SENDER_LIMITS)
    with Servers(settings) as running:
        yield running


class Chat:
    """One conversation over the REST channel."""

    def __init__(self, base_url: str, metadata: dict | None = None) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = f"e2e-{uuid.uuid4().hex[:12]}"
        self.metadata = metadata

    def send(self, message: str) -> list[dict]:
        body = {"sender": self.sender, "message": message}
        if self.metadata:
            body["metadata"] = self.metadata
        response = requests.post(self.url, json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def say(self, message: str) -> str:
        """All reply texts to ``message``, joined."""
        return "\n".join(m.get("text", "") for m in self.send(message))


@pytest.fixture
def chat(servers):
    return lambda metadata=None: Chat(servers.settings.rasa_url, metadata)
