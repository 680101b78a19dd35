"""The messaging channels of the shared assistant (tests/conftest.py), pointed at local
fakes of the Telegram, Twilio, Messenger and Slack APIs (tests/support/fakes.py)."""

from __future__ import annotations

import sqlite3
from typing import Dict

import pytest

from tests.support.fakes import (FACEBOOK_APP_SECRET, FACEBOOK_PAGE_TOKEN, FACEBOOK_VERIFY, SLACK_SECRET,  # noqa: F401
                                 SLACK_TOKEN, TELEGRAM_SECRET, TELEGRAM_TOKEN, TWILIO_NUMBER, TWILIO_SID,
                                 TWILIO_TOKEN, FakePlatform)


@pytest.fixture(scope="session")
def servers(shared_assistant):
    return shared_assistant


@pytest.fixture(scope="session")
def platforms(shared_assistant) -> Dict[str, FakePlatform]:
    return shared_assistant.platforms


@pytest.fixture
def stored_events(shared_assistant):
    """Number of events the tracker store holds for a conversation."""

    def count(sender_id: str) -> int:
        with sqlite3.connect(shared_assistant.tracker_db) as db:
            try:
                return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]
            except sqlite3.OperationalError:  # no conversation yet at all: no table
                return 0

    return count


@pytest.fixture
def webhook(shared_assistant):
    """URL of a channel's webhook on the running server."""
    return lambda channel: f"{shared_assistant.rasa_url}/webhooks/{channel}/webhook"
