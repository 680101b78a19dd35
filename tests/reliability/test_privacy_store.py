"""PrivacyTrackerStore on a real SQLite file: redaction, forget me, session cap, purge."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tools.retention import purge
from bot.plugins.tracker_store.privacy import PrivacyTrackerStore, TrackerStoreUnavailable
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "tracker.db"


def store(db, **options) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db), **options)


def rows(db, sender=None):
    with sqlite3.connect(db) as connection:
        query = "SELECT data FROM events" + (" WHERE sender_id = ?" if sender else "")
        return [json.loads(data) for (data,) in connection.execute(query, (sender,) if sender else ())]


def turn(text: str, intent: str, action: str, timestamp: float = None) -> list:
    return [UserUttered(text, intent={"name": intent, "confidence": 1.0},
                        parse_data={"text": text, "intent": {"name": intent}}, timestamp=timestamp),
            ActionExecuted(action, timestamp=timestamp), BotUttered("reply", timestamp=timestamp),
            ActionExecuted("action_listen", timestamp=timestamp)]


def tracker(sender: str, *events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [e for group in events for e in group], DOMAIN.slots)


def test_emails_and_phones_never_reach_the_database(db):
    conversation = tracker("u1", turn("mail jan@example.be or call +32 470 12 34 56", "greet", "utter_greet"))
    assert conversation.latest_message.text.startswith("mail jan@")  # the turn itself still had them
    run(store(db).save(conversation))
    stored = json.dumps(rows(db))
    assert "jan@example.be" not in stored and "470 12 34 56" not in stored
    assert "[email]" in stored and "[phone]" in stored
    assert run(store(db).retrieve("u1")).latest_message.text == "mail [email] or call [phone]"


def test_redaction_can_be_switched_off(db):
    run(store(db, redact_personal_data=False).save(tracker("u1", turn("jan@example.be", "greet", "utter_greet"))))
    assert "jan@example.be" in json.dumps(rows(db))


def test_forget_me_deletes_the_whole_conversation_and_nothing_else(db):
    first = tracker("u1", turn("where is it?", "ask_venue", "action_answer"))
    run(store(db).save(first))
    run(store(db).save(tracker("u2", turn("hello", "greet", "utter_greet"))))
    later = tracker("u1", turn("where is it?", "ask_venue", "action_answer"),
                    turn("delete my data", "forget_me", "utter_forget_me_done"))
    run(store(db).save(later))
    assert rows(db, "u1") == []
    assert rows(db, "u2")
    assert run(store(db).retrieve("u1")) is None


def test_a_long_session_is_reset_keeping_the_language(db):
    events = [SlotSet("language", "fr")] + [turn(f"q{i}", "greet", "utter_greet") for i in range(10)]
    long = DialogueStateTracker.from_events("u1", [events[0], *[e for t in events[1:] for e in t]], DOMAIN.slots)
    run(store(db, max_events=20).save(long))
    reloaded = run(store(db, max_events=20).retrieve("u1"))
    assert len(reloaded.events) < 10
    assert any(isinstance(e, SessionStarted) for e in reloaded.events)
    assert reloaded.get_slot("language") == "fr"
    assert len(rows(db, "u1")) > 40  # the history is kept, only the session restarts


def test_purge_deletes_idle_conversations_only(db, tmp_path):
    old = time.time() - 40 * 86400
    run(store(db).save(tracker("old", turn("hi", "greet", "utter_greet", timestamp=old))))
    run(store(db).save(tracker("new", turn("hi", "greet", "utter_greet"))))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: bot.plugins.tracker_store.privacy.PrivacyTrackerStore\n"
                         f"  dialect: sqlite\n  db: {db}\n", encoding="utf-8")
    assert purge(endpoints, "30d") == 1
    assert rows(db, "old") == [] and rows(db, "new")


def test_purge_refuses_a_store_it_cannot_purge(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an SQL store"):
        purge(endpoints, "30d")


@pytest.fixture
def short_outages(monkeypatch):
    """The store retries a failing database for 30 s (tests/cluster tests the retries);
    here only the error after them matters."""
    monkeypatch.setenv("BOT_DB_OUTAGE_TIMEOUT", "1")


def test_an_unreadable_database_is_a_clear_error(db, short_outages):
    broken = store(db)
    db.unlink()
    db.mkdir()  # a directory where the file was: every query fails
    with pytest.raises(TrackerStoreUnavailable, match="unavailable"):
        run(broken.save(tracker("u1", turn("hi", "greet", "utter_greet"))))


def test_failures_are_reported_to_the_channel_handling_the_message(db, short_outages):
    from bot.plugins.tracker_store.privacy import watch_storage

    broken = store(db)
    db.unlink()
    db.mkdir()
    with watch_storage() as failures:
        with pytest.raises(TrackerStoreUnavailable):
            run(broken.retrieve("u1"))
    assert failures == ["read"]
    with watch_storage() as failures:
        pass
    assert failures == []


def test_a_conversation_saved_turn_by_turn_is_stored_once_redacted_and_reads_back_whole(db):
    writer = store(db)
    conversation = tracker("u1", [ActionExecuted("action_listen")])
    for number in range(3):
        conversation = run(writer.retrieve("u1")) or conversation
        for event in turn(f"question {number}: mail me at jan{number}@example.be", "greet", "utter_greet"):
            conversation.update(event)
        run(writer.save(conversation))
    stored = rows(db, "u1")
    assert len(stored) == 1 + 3 * 4  # every event once
    assert "@example.be" not in json.dumps(stored)
    texts = [e.text for e in run(store(db).retrieve("u1")).events if isinstance(e, UserUttered)]
    assert texts == [f"question {n}: mail me at [email]" for n in range(3)]
    assert [e.as_dict() for e in run(writer.retrieve("u1")).events] == \
        [e.as_dict() for e in run(store(db).retrieve("u1")).events]  # the cache holds what is stored
