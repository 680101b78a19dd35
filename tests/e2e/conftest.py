"""Real servers for end-to-end tests: the trained model, the action server, SQLite.

The servers run on their own ports with their own tracker database, so the tests
never touch a developer's running assistant or conversations.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import requests

from bot.serve import ServerSettings, Servers
from tests.conftest import ROOT

RASA_PORT = int(os.environ.get("E2E_RASA_PORT", "5105"))
ACTIONS_PORT = int(os.environ.get("E2E_ACTIONS_PORT", "5155"))


def server_settings(work: Path, rasa_port: int = RASA_PORT, actions_port: int = ACTIONS_PORT,
                    **options) -> ServerSettings:
    """Servers on their own ports, with their own tracker database and logs under ``work``."""
    model = Path(os.environ.get("BOT_MODEL", ROOT / "models" / "current.tar.gz"))
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run `make train` first")
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {work / 'tracker.db'}\n",
        encoding="utf-8",
    )
    options.setdefault("api_token_file", work / "api-token")
    # Rate limits have their own tests (tests/reliability); these tests reuse senders quickly.
    options.setdefault("extra_env", {"BOT_RATE_PER_SENDER_PER_MINUTE": "100000",
                                     "BOT_RATE_SENDER_BURST": "100000"})
    return ServerSettings(model=model, rasa_port=rasa_port, actions_port=actions_port,
                          endpoints=endpoints, log_dir=work / "log", **options)


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Servers:
    with Servers(server_settings(tmp_path_factory.mktemp("e2e"))) as running:
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
