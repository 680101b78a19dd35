"""The real Rasa and action servers with all four messaging channels pointed at local fakes.

Ports: Rasa 5505, actions 5555, fakes 8501-8504 (override with CHANNELS_RASA_PORT,
CHANNELS_ACTIONS_PORT, CHANNELS_FAKE_PORT). The servers are started exactly as
``make run`` starts them (bot.tools.serve, the project's credentials.yml); only the channel
environment variables, the tracker database and the API token file differ.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.tools.serve import Servers
from tests.channels.fakes import FakePlatform, messenger_api, slack_api, telegram_api, twilio_api
from tests.servers import server_settings

RASA_PORT = int(os.environ.get("CHANNELS_RASA_PORT", "5505"))
ACTIONS_PORT = int(os.environ.get("CHANNELS_ACTIONS_PORT", "5555"))
FAKE_PORT = int(os.environ.get("CHANNELS_FAKE_PORT", "8501"))

TELEGRAM_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the format of Telegram's docs
TELEGRAM_SECRET = "conference-telegram-secret_2017"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_NUMBER = "whatsapp:+14155238886"  # Twilio's WhatsApp sandbox number
FACEBOOK_PAGE_TOKEN = "EAAB-page-access-token"
FACEBOOK_APP_SECRET = "facebook-app-secret"
FACEBOOK_VERIFY = "conference-verify-token"
SLACK_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the one in Slack's docs


def fake_platforms() -> Dict[str, FakePlatform]:
    return {
        "telegram": FakePlatform(FAKE_PORT, telegram_api(TELEGRAM_TOKEN)),
        "twilio": FakePlatform(FAKE_PORT + 1, twilio_api(TWILIO_SID, TWILIO_TOKEN)),
        "facebook": FakePlatform(FAKE_PORT + 2, messenger_api(FACEBOOK_PAGE_TOKEN)),
        "slack": FakePlatform(FAKE_PORT + 3, slack_api(SLACK_TOKEN)),
    }


def channel_environment(fakes: Dict[str, FakePlatform], rasa_url: str) -> Dict[str, str]:
    return {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": fakes["telegram"].url,
        "TELEGRAM_WEBHOOK_URL": f"{rasa_url}/webhooks/telegram/webhook",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": fakes["twilio"].url,
        "TWILIO_WEBHOOK_URL": f"{rasa_url}/webhooks/twilio/webhook",
        "FACEBOOK_PAGE_ACCESS_TOKEN": FACEBOOK_PAGE_TOKEN,
        "FACEBOOK_APP_SECRET": FACEBOOK_APP_SECRET,
        "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY,
        "FACEBOOK_API_URL": f"{fakes['facebook'].url}/v19.0",
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": f"{fakes['slack'].url}/api",
    }


@pytest.fixture(scope="session")
def platforms() -> Iterator[Dict[str, FakePlatform]]:
    fakes = fake_platforms()
    for fake in fakes.values():
        fake.start()
    yield fakes
    for fake in fakes.values():
        fake.stop()


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    """Tracker database and logs of the servers under test."""
    return tmp_path_factory.mktemp("channels")


@pytest.fixture(scope="session")
def servers(platforms, work) -> Iterator[Servers]:
    settings = server_settings(work, RASA_PORT, ACTIONS_PORT,
                               extra_env=channel_environment(platforms, f"http://127.0.0.1:{RASA_PORT}"))
    with Servers(settings) as running:
        yield running


@pytest.fixture
def stored_events(servers, work):
    """Number of events the tracker store holds for a conversation."""

    def count(sender_id: str) -> int:
        with sqlite3.connect(work / "tracker.db") as db:
            try:
                return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]
            except sqlite3.OperationalError:  # no conversation yet at all: no table
                return 0

    return count


@pytest.fixture
def webhook(servers):
    """URL of a channel's webhook on the running server."""
    return lambda channel: f"{servers.settings.rasa_url}/webhooks/{channel}/webhook"
