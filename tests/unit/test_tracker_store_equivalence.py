"""The tracker store's plain SQL against Rasa's own SQLTrackerStore, on SQLite and on the
PostgreSQL of this machine: the same rows written, the same tracker read back, whoever
wrote the turns before (another replica, stock Rasa), across sessions, redaction and
"forget me"."""

from __future__ import annotations

import os
import time
import uuid
from typing import Callable, Dict, List

import psycopg2
import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store.privacy import FORGET_ME_ACTION, PrivacyTrackerStore
from bot.plugins.tracker_store.sql import ResilientSQLTrackerStore
from tests.unit.test_tracker_store import DOMAIN, as_dicts, run, turn
PG = {"host": os.environ.get("DB_HOST", "127.0.0.1"), "port": int(os.environ.get("DB_PORT", "5432")),
      "username": os.environ.get("DB_USER", "postgres")}
COLUMNS = "type_name, timestamp, action_name, intent_name, data"


def pg_admin():
    connection = psycopg2.connect(host=PG["host"], port=PG["port"], user=PG["username"], dbname="postgres",
                                  connect_timeout=3)
    connection.autocommit = True
    return connection


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory) -> Dict:
    """Store settings of one fresh database (SQLite file or PostgreSQL database)."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path_factory.mktemp("equivalence") / "tracker.db")}
        return
    name = f"bot_equivalence_{uuid.uuid4().hex[:10]}"
    try:
        admin = pg_admin()
    except psycopg2.OperationalError:
        pytest.skip(f"needs PostgreSQL on {PG['host']}:{PG['port']}")
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield {"dialect": "postgresql", **PG, "db": name}
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def several_writers(monkeypatch):
    """What a replica or a Sanic worker sees: others write the same conversations (on SQLite
    only with several workers; on PostgreSQL always)."""
    monkeypatch.setenv("SANIC_WORKERS", "2")


def ours(database: Dict, kind: Callable = ResilientSQLTrackerStore, **options) -> ResilientSQLTrackerStore:
    return kind(domain=DOMAIN, **database, **options)


def rasa(database: Dict) -> SQLTrackerStore:
    settings = dict(database)
    return SQLTrackerStore(domain=DOMAIN, dialect=settings.pop("dialect"), host=settings.pop("host", None),
                           **settings)


def rows(store: SQLTrackerStore, sender: str) -> List[tuple]:
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(
            f"SELECT {COLUMNS} FROM events WHERE sender_id = '{sender}' ORDER BY id")]


def new_session() -> list:
    return [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("language", "fr"),
            ActionExecuted("action_listen")]


def conversation() -> List[list]:
    """What each save adds: turns, a new session, more turns."""
    return [[ActionExecuted("action_listen"), *turn("Où est la conférence ?", "À Malines.")],
            turn("Et les dates ?", "Les 16 et 17 novembre."), new_session(), turn("Merci", "Avec plaisir"),
            turn("Qui organise ?", "La ville de Malines.")]


def play(store: Callable[[int], SQLTrackerStore], sender: str, saves: List[list]) -> None:
    """Each save by ``store(number)``: retrieve, add the events, save (as Rasa's processor does)."""
    for number, events in enumerate(saves):
        tracker = run(store(number).retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
        for event in events:
            tracker.update(event)
        run(store(number).save(tracker))
        time.sleep(0.002)  # later turns, later timestamps


def test_the_same_rows_are_written_as_by_rasa(database):
    stock, plain = rasa(database), ours(database)
    saves = conversation()
    play(lambda _: stock, "rows-rasa", saves)
    play(lambda _: plain, "rows-ours", saves)
    by_rasa, by_ours = rows(stock, "rows-rasa"), rows(stock, "rows-ours")
    assert len(by_ours) == sum(len(events) for events in saves)
    # Same columns; timestamps differ (each event is made when played), so compare them apart.
    assert [row[:1] + row[2:4] for row in by_ours] == [row[:1] + row[2:4] for row in by_rasa]
    assert [row[1] for row in by_ours] == sorted(row[1] for row in by_ours)
    assert [row[4].replace(str(row[1]), "") for row in by_ours] == [row[4].replace(str(row[1]), "") for row in by_rasa]


def test_the_same_tracker_is_read_back_as_by_rasa_in_every_session(database):
    plain = ours(database)
    for count in range(1, 6):
        sender = f"read-{count}"
        play(lambda _: plain, sender, conversation()[:count])
        fresh = ours(database)  # nothing cached
        assert as_dicts(run(plain.retrieve(sender))) == as_dicts(run(rasa(database).retrieve(sender)))
        assert as_dicts(run(fresh.retrieve(sender))) == as_dicts(run(rasa(database).retrieve(sender)))
    latest = run(plain.retrieve("read-5"))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["Merci", "Qui organise ?"]
    assert run(plain.retrieve("nobody")) is None and run(rasa(database).retrieve("nobody")) is None


def test_replicas_and_stock_rasa_taking_turns_read_and_write_what_rasa_would(database, several_writers):
    replicas = [ours(database), ours(database)]
    stock = rasa(database)
    writers = [replicas[0], replicas[1], stock, replicas[0], replicas[0], stock, replicas[1]]
    saves = conversation() + [turn("Encore ?", "Oui"), turn("Fin", "Au revoir")]
    sender = "turns"
    for number, events in enumerate(saves):
        writer = writers[number]
        tracker = run(writer.retrieve(sender))
        if tracker is not None:
            assert as_dicts(tracker) == as_dicts(run(rasa(database).retrieve(sender)))
        tracker = tracker or DialogueStateTracker(sender, DOMAIN.slots)
        for event in events:
            tracker.update(event)
        run(writer.save(tracker))
        time.sleep(0.002)
    for replica in replicas:
        assert as_dicts(run(replica.retrieve(sender))) == as_dicts(run(stock.retrieve(sender)))
    stored = rows(stock, sender)
    assert len(stored) == sum(len(events) for events in saves)  # every event once
    assert len({row[4] for row in stored}) == len(stored)


def test_the_cached_stamp_after_a_save_is_what_the_database_says(database, several_writers):
    plain = ours(database)
    play(lambda _: plain, "stamp", conversation())
    with plain._connection() as connection:
        assert plain._cache.get("stamp")[1] == plain._queries.stamp(connection, "stamp")


def test_redacted_turns_are_stored_and_read_back_like_rasa_reads_them(database, several_writers):
    private = ours(database, PrivacyTrackerStore)
    play(lambda _: private, "redact", [turn("écrivez à ana@example.org ou au +32 15 29 76 54", "Merci"),
                                       turn("encore", "oui")])
    stored = " ".join(row[4] for row in rows(private, "redact"))
    assert "ana@example.org" not in stored and "29 76 54" not in stored
    assert as_dicts(run(private.retrieve("redact"))) == as_dicts(run(rasa(database).retrieve("redact")))


def test_a_conversation_forgotten_on_one_replica_is_gone_on_the_other(database, several_writers):
    first, second = ours(database, PrivacyTrackerStore), ours(database, PrivacyTrackerStore)
    play(lambda number: (first, second)[number % 2], "forget", conversation()[:2])
    assert run(first.retrieve("forget")) is not None  # cached by both now
    tracker = run(second.retrieve("forget"))
    for event in [UserUttered("oubliez-moi", {"name": "forget_me", "confidence": 1.0}),
                  ActionExecuted(FORGET_ME_ACTION), ActionExecuted("action_listen")]:
        tracker.update(event)
    run(second.save(tracker))
    assert rows(first, "forget") == []
    assert run(first.retrieve("forget")) is None and run(rasa(database).retrieve("forget")) is None
    play(lambda _: first, "forget", [turn("bonjour", "bonjour")])  # starts afresh, as with Rasa
    assert as_dicts(run(second.retrieve("forget"))) == as_dicts(run(rasa(database).retrieve("forget")))


def test_a_turn_runs_the_prepared_statements_only(database, several_writers):
    """PostgreSQL: a turn of a cached conversation is one stamp (the read's check, which
    the save after it trusts) and one insert, each an EXECUTE of a statement prepared once
    on the kept connection; SQLite: the same queries."""
    plain = ours(database)
    play(lambda _: plain, "prepared", conversation()[:1])
    if database["dialect"] == "sqlite":
        sent: list = []
        kept = plain.engine.raw_connection()
        kept.connection.set_trace_callback(sent.append)
        kept.close()
        play(lambda _: plain, "prepared", [turn("encore", "oui")])
        assert [statement.split()[0] for statement in sent] == ["SELECT", "BEGIN", "INSERT", "COMMIT"]
        return

    def executions() -> Dict[str, int]:
        with plain._connection() as connection:
            cursor = connection.cursor()
            cursor.execute("SELECT name, generic_plans + custom_plans FROM pg_prepared_statements")
            return dict(cursor.fetchall())

    before = executions()
    play(lambda _: plain, "prepared", [turn("encore", "oui")])
    after = executions()
    assert {name: after[name] - before.get(name, 0) for name in after} == {
        "bot_events_stamp": 1, "bot_events_insert": 1, "bot_events_prefix": 0, "bot_events_appended": 0,
        "bot_events_session": 0}



def test_a_save_without_a_read_before_it_checks_what_others_wrote(database, several_writers):
    """Rasa's API can replace a conversation's events without reading it first
    (PUT /conversations/<id>/tracker/events): the save then counts the rows as Rasa does,
    whatever another replica wrote since this one last read."""
    first, second = ours(database), ours(database)
    play(lambda number: (first, second)[number], "unread", conversation()[:2])  # first: read, save
    events = [event for save in conversation()[:3] for event in save]
    run(first.save(DialogueStateTracker.from_events("unread", events, DOMAIN.slots)))
    assert len(rows(first, "unread")) == len(events)
    assert as_dicts(run(first.retrieve("unread"))) == as_dicts(run(rasa(database).retrieve("unread")))
