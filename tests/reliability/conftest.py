"""A full stack for the reliability tests, on this suite's own ports.

Action server → TCP proxy (so tests can make it hang) → Rasa server on 127.0.0.1 with
the HTTP API behind a token and the privacy tracker store (SQLite) → the public
gateway. Content is a copy, so tests can break it. Ports: Rasa ``REL_RASA_PORT``
(5705), actions ``REL_ACTIONS_PORT`` (5755), and from ``REL_PORT_BASE`` (8705) on:
gateway, second Rasa, second gateway, action proxy, database proxy.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from pathlib import Path
from typing import Optional

import pytest
import requests
import yaml

from bot.tools.serve import Servers
from tests.conftest import ROOT
from tests.reliability.tcpproxy import TcpProxy
from tests.servers import PRIVACY_STORE, server_settings, sqlite_store

RASA_PORT = int(os.environ.get("REL_RASA_PORT", "5705"))
ACTIONS_PORT = int(os.environ.get("REL_ACTIONS_PORT", "5755"))
BASE = int(os.environ.get("REL_PORT_BASE", "8705"))
GATEWAY_PORT, RASA2_PORT, GATEWAY2_PORT, ACTION_PROXY_PORT, DB_PROXY_PORT = (BASE + i for i in range(5))
ALLOWED_ORIGIN = "https://conference.example"
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
    def __init__(self, servers: Servers, action_proxy: TcpProxy, work: Path, token: str) -> None:
        self.servers, self.action_proxy, self.work, self.token = servers, action_proxy, work, token
        self.rasa = servers.settings.rasa_url
        self.public = f"http://127.0.0.1:{GATEWAY_PORT}"
        self.content = work / "content"
        self.db = work / "tracker.db"
        self.logs = work / "log"

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
def stack(tmp_path_factory) -> Stack:
    work = tmp_path_factory.mktemp("reliability")
    shutil.copytree(ROOT / "data" / "content", work / "content")
    token = secrets.token_hex(16)
    settings = server_settings(
        work, RASA_PORT, ACTIONS_PORT, actions_url=f"http://127.0.0.1:{ACTION_PROXY_PORT}/webhook",
        tracker_store=sqlite_store(work / "tracker.db", PRIVACY_STORE),
        api_token=token, public=f"127.0.0.1:{GATEWAY_PORT}",
        extra_env={
            "BOT_CONTENT_DIR": str(work / "content"),
            "BOT_ACTION_TIMEOUT": "3",
            "BOT_CORS_ORIGINS": ALLOWED_ORIGIN,
            # The per-address limit has its own test (a second gateway); here every
            # request comes from 127.0.0.1.
            "BOT_RATE_PER_ADDRESS_PER_MINUTE": "100000",
            "BOT_RATE_ADDRESS_BURST": "100000",
            "BOT_API_TOKEN": "",  # only through settings.api_token
        },
    )
    proxy = TcpProxy(ACTION_PROXY_PORT, ACTIONS_PORT).start()
    servers = Servers(settings)
    try:
        servers.start()
        yield Stack(servers, proxy, work, token)
    finally:
        servers.stop()
        proxy.stop()
