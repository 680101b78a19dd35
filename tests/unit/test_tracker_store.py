"""bot.plugins.tracker_store.sql: the SQLite fast path stores and returns exactly what Rasa's store does,
and a database that cannot be reached is reported, not retried forever."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest
import sqlalchemy.exc
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import sql as stores
from bot.plugins.tracker_store.sql import ResilientSQLTrackerStore, TrackerDatabaseUnreachable, wait_for_database

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  language:
    type: categorical
    values: [en, fr]
    influence_conversation: false
    mappings: [{type: custom}]
""")


def store(path) -> ResilientSQLTrackerStore:
    return ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def turn(text: str, reply: str) -> list:
    return [UserUttered(text, {"name": "ask_venue", "confidence": 0.9}), SlotSet("language", "fr"),
            ActionExecuted("action_answer"), BotUttered(reply), ActionExecuted("action_listen")]


def run(coroutine):
    return asyncio.run(coroutine)


def stored_rows(path) -> list:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT type_name, data FROM events ORDER BY id").fetchall()


def as_dicts(tracker: DialogueStateTracker) -> list:
    return [e.as_dict() for e in tracker.events]


def test_turns_are_stored_once_in_order_and_read_back_like_a_fresh_store(tmp_path):
    path = tmp_path / "tracker.db"
    cached = store(path)
    tracker = DialogueStateTracker.from_events("alice", [ActionExecuted("action_listen")], DOMAIN.slots)
    for number in range(3):
        tracker = run(cached.retrieve("alice")) or tracker
        for event in turn(f"question {number}", f"answer {number}"):
            tracker.update(event)
        run(cached.save(tracker))
    from_cache = run(cached.retrieve("alice"))
    from_database = run(store(path).retrieve("alice"))  # a new process: nothing cached
    assert as_dicts(from_cache) == as_dicts(from_database)
    assert [e.text for e in from_database.events if isinstance(e, UserUttered)] == [
        "question 0", "question 1", "question 2"]
    assert len(stored_rows(path)) == len(from_database.events) == 1 + 3 * 5
    assert from_cache.get_slot("language") == "fr"


def test_a_new_session_is_read_back_from_its_start_like_rasa_does(tmp_path):
    path = tmp_path / "tracker.db"
    cached = store(path)
    tracker = DialogueStateTracker.from_events("bob", turn("old", "old answer"), DOMAIN.slots)
    run(cached.save(tracker))
    tracker = run(cached.retrieve("bob"))
    time.sleep(0.01)  # a later timestamp, as a real new session has
    for event in [ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen"), *turn("new", "new answer")]:
        tracker.update(event)
    run(cached.save(tracker))
    from_cache = run(cached.retrieve("bob"))
    from_database = run(store(path).retrieve("bob"))
    assert as_dicts(from_cache) == as_dicts(from_database)
    assert [e.text for e in from_cache.events if isinstance(e, UserUttered)] == ["new"]
    assert len(stored_rows(path)) == 5 + 3 + 5


def test_an_unreachable_database_is_reported_with_its_host(tmp_path):
    import sqlalchemy as sa

    url = sa.engine.make_url("postgresql://postgres@127.0.0.1:1/none")  # nothing listens on port 1
    with pytest.raises(TrackerDatabaseUnreachable, match="127.0.0.1:1") as error:
        wait_for_database(url, timeout=2)
    assert "Connection refused" in str(error.value) or "connect" in str(error.value)


class RecordingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: list = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


class CommitFails:
    """A DBAPI connection whose next commit fails as a lost disk would (after the INSERT ran)."""

    def __init__(self, connection, outages: list) -> None:
        self._connection, self._outages = connection, outages

    def commit(self) -> None:
        if self._outages:
            raise self._outages.pop()
        self._connection.commit()

    def __getattr__(self, name: str):
        return getattr(self._connection, name)


def fail_next_commit(resilient: ResilientSQLTrackerStore, monkeypatch) -> list:
    """Makes the store's next save fail at its commit; returns the outage still to come."""
    outages = [sqlite3.OperationalError("disk I/O error")]
    insert = resilient._queries.insert
    monkeypatch.setattr(resilient._queries, "insert",
                        lambda connection, *args: insert(CommitFails(connection, outages), *args))
    return outages


def test_a_save_retried_through_an_outage_streams_each_new_event_once(tmp_path, monkeypatch):
    monkeypatch.setattr(stores, "RETRY_PAUSE_S", 0)
    path = tmp_path / "tracker.db"
    broker = RecordingBroker()
    resilient = ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path), event_broker=broker)
    outages = fail_next_commit(resilient, monkeypatch)
    tracker = DialogueStateTracker.from_events("carol", turn("where", "here"), DOMAIN.slots)
    run(resilient.save(tracker))
    assert not outages  # the first attempt failed and was retried
    stored = [json.loads(data) for _, data in stored_rows(path)]
    assert broker.published == [{"sender_id": "carol", **data} for data in stored]
    assert len(broker.published) == 5

    for event in turn("when", "now"):
        tracker.update(event)
    run(resilient.save(tracker))
    assert [event["event"] for event in broker.published[5:]] == [
        "user", "slot", "action", "bot", "action"]  # only the new turn


def statements(resilient: ResilientSQLTrackerStore) -> list:
    """The SQL statements the store's (one, kept) SQLite connection runs from now on."""
    sent: list = []
    kept = resilient.engine.raw_connection()
    kept.connection.set_trace_callback(sent.append)
    kept.close()
    return sent


def test_workers_sharing_the_file_read_each_other_s_turns_and_store_each_event_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    path = tmp_path / "tracker.db"
    first, second = store(path), store(path)  # two Sanic workers
    tracker = DialogueStateTracker.from_events("dave", turn("q0", "a0"), DOMAIN.slots)
    run(first.save(tracker))
    for number, worker in enumerate([second, first, first, second, first], start=1):
        tracker = run(worker.retrieve("dave"))
        assert as_dicts(tracker) == as_dicts(run(store(path).retrieve("dave")))  # what a fresh store reads
        for event in turn(f"q{number}", f"a{number}"):
            tracker.update(event)
        run(worker.save(tracker))
    assert [json.loads(data).get("text") for name, data in stored_rows(path) if name == "user"] == [
        f"q{number}" for number in range(6)]
    assert len(stored_rows(path)) == 6 * 5


def test_a_worker_uses_its_cache_only_while_the_rows_are_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    path = tmp_path / "tracker.db"
    first = store(path)
    run(first.save(DialogueStateTracker.from_events("erin", turn("my phone is 555", "noted"), DOMAIN.slots)))
    sent = statements(first)
    assert run(first.retrieve("erin")).latest_message.text == "my phone is 555"
    assert len(sent) == 1 and "count" in sent[0].lower()  # the stamp only: the events came from the cache

    # Another worker forgets the conversation and writes as many events again; SQLite may
    # even give them the same ids. The stamp still differs (timestamps), so nothing stale.
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'erin'")
    time.sleep(0.01)
    run(store(path).save(DialogueStateTracker.from_events("erin", turn("hello", "hi"), DOMAIN.slots)))
    assert run(first.retrieve("erin")).latest_message.text == "hello"


def test_a_worker_reads_only_the_rows_another_worker_appended(tmp_path, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    path = tmp_path / "tracker.db"
    first, second = store(path), store(path)
    tracker = DialogueStateTracker.from_events("gus", turn("q0", "a0"), DOMAIN.slots)
    run(first.save(tracker))
    tracker = run(second.retrieve("gus"))
    for event in turn("q1", "a1"):
        tracker.update(event)
    run(second.save(tracker))
    sent = statements(first)
    from_cache = run(first.retrieve("gus"))
    assert as_dicts(from_cache) == as_dicts(run(store(path).retrieve("gus")))
    assert [statement.split()[1] for statement in sent] == ["count(*),", "count(*),", "data"]  # stamp, prefix, new rows


def test_rows_rewritten_under_reused_ids_are_read_afresh(tmp_path, monkeypatch):
    """Forgotten and written again with more events: SQLite reuses the ids of the deleted
    rows, so the rows up to the cached highest id are not the cached ones any more."""
    monkeypatch.setenv("SANIC_WORKERS", "2")
    path = tmp_path / "tracker.db"
    first = store(path)
    run(first.save(DialogueStateTracker.from_events("hal", turn("my e-mail is hal@example.org", "ok"),
                                                    DOMAIN.slots)))
    assert run(first.retrieve("hal")) is not None  # cached in the first worker
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'hal'")
    time.sleep(0.01)
    run(store(path).save(DialogueStateTracker.from_events("hal", turn("new", "start") + turn("again", "yes"),
                                                          DOMAIN.slots)))
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT min(id) FROM events WHERE sender_id = 'hal'").fetchone() == (1,)
    assert [e.text for e in run(first.retrieve("hal")).events if isinstance(e, UserUttered)] == ["new", "again"]


def test_one_worker_alone_trusts_its_cache_without_asking_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    path = tmp_path / "tracker.db"
    alone = store(path)
    run(alone.save(DialogueStateTracker.from_events("fay", turn("where", "here"), DOMAIN.slots)))
    sent = statements(alone)
    assert run(alone.retrieve("fay")).latest_message.text == "where"
    assert sent == []


def test_the_stamp_is_read_from_an_index_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    path = tmp_path / "tracker.db"
    store(path), store(path)  # two workers start: the index is created once
    with sqlite3.connect(path) as connection:
        plan = " ".join(row[-1] for row in connection.execute(
            "EXPLAIN QUERY PLAN SELECT count(*), max(id), max(timestamp) FROM events WHERE sender_id = 'x'"))
    assert f"COVERING INDEX {stores.STAMP_INDEX}" in plan


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_new_conversation_is_known_from_one_count_and_its_first_save_counts_nothing(tmp_path, monkeypatch,
                                                                                     workers):
    monkeypatch.setenv("SANIC_WORKERS", workers)
    path = tmp_path / "tracker.db"
    fresh = store(path)
    sent = statements(fresh)
    assert run(fresh.retrieve("ida")) is None
    assert run(fresh.retrieve("ida")) is None
    queries = [statement for statement in sent if statement.startswith("SELECT")]
    assert not [q for q in queries if "events.data" in q]  # no read of Rasa's
    assert len(queries) == (1 if workers == "1" else 2)  # one count; with 2 workers a stamp per read
    run(fresh.save(DialogueStateTracker.from_events("ida", turn("first", "reply"), DOMAIN.slots)))
    assert not any("count(" in statement.lower() and "events.id" in statement for statement in sent)
    assert as_dicts(run(fresh.retrieve("ida"))) == as_dicts(run(store(path).retrieve("ida")))
    assert len(stored_rows(path)) == 5


def test_a_conversation_stored_before_a_restart_is_read_by_rasa_and_continued(tmp_path):
    path = tmp_path / "tracker.db"
    before = DialogueStateTracker.from_events("kim", turn("q0", "a0"), DOMAIN.slots)
    run(store(path).save(before))
    restarted = store(path)
    tracker = run(restarted.retrieve("kim"))
    assert as_dicts(tracker) == as_dicts(before)
    for event in turn("q1", "a1"):
        tracker.update(event)
    run(restarted.save(tracker))
    assert [json.loads(data).get("text") for name, data in stored_rows(path) if name == "user"] == ["q0", "q1"]


def test_a_save_failing_before_its_commit_leaves_nothing_and_its_retry_stores_each_event_once(tmp_path,
                                                                                            monkeypatch):
    """The plain INSERT runs on the kept connection: a failure before its commit rolls it
    back, and the outage retry writes the turn once."""
    monkeypatch.setenv("SANIC_WORKERS", "2")
    monkeypatch.setattr(stores, "RETRY_PAUSE_S", 0)
    path = tmp_path / "tracker.db"
    broker = RecordingBroker()
    resilient = ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path), event_broker=broker)
    tracker = DialogueStateTracker.from_events("lee", turn("q0", "a0"), DOMAIN.slots)
    run(resilient.save(tracker))
    tracker = run(resilient.retrieve("lee"))
    for event in turn("q1", "a1"):
        tracker.update(event)
    outages = fail_next_commit(resilient, monkeypatch)
    run(resilient.save(tracker))
    assert not outages  # failed after the INSERT, rolled back, retried
    assert [json.loads(data).get("text") for name, data in stored_rows(path) if name == "user"] == ["q0", "q1"]
    assert len(stored_rows(path)) == 10
    assert [event["event"] for event in broker.published] == ["user", "slot", "action", "bot", "action"] * 2
    assert as_dicts(run(resilient.retrieve("lee"))) == as_dicts(run(store(path).retrieve("lee")))


def test_a_failing_stamp_query_is_reported_like_any_database_failure(tmp_path, monkeypatch):
    """Raised as SQLAlchemy's error, so outages are retried and failures reach the privacy
    store's clear "store unavailable" answer instead of escaping as a bare sqlite3 error."""
    from bot.plugins.tracker_store.privacy import PrivacyTrackerStore, TrackerStoreUnavailable

    monkeypatch.setenv("SANIC_WORKERS", "2")
    monkeypatch.setenv("BOT_DB_OUTAGE_TIMEOUT", "0")
    path = tmp_path / "tracker.db"
    privacy = PrivacyTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    run(privacy.save(DialogueStateTracker.from_events("jo", turn("q", "a"), DOMAIN.slots)))
    privacy._queries._run["stamp"] = "SELECT count(*), max(id), max(timestamp) FROM no_such_table WHERE sender_id = ?"
    with pytest.raises(TrackerStoreUnavailable) as failure:
        run(privacy.retrieve("jo"))
    assert isinstance(failure.value.__cause__, sqlalchemy.exc.OperationalError)
