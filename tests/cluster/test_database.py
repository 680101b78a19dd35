"""The tracker database: a restart keeps conversations going, a wrong host fails fast,
replicas with several Sanic workers store and read on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tools.cluster import PRODUCTION_ENDPOINTS
from bot.tools.serve import ServerSettings, _environment, rasa_command
from bot.plugins.tracker_store.sql import ResilientSQLTrackerStore
from tests.cluster.conftest import (FIRST_RASA_PORT, PG, STORE_DEFAULTS, Conversation,
                                    assert_each_turn_stored_once, cluster_settings, pg_connect,
                                    stored_events)
from tests.e2e.replies import language_of


def restart_postgresql() -> None:
    """Restarts the local PostgreSQL cluster (every client connection is cut)."""
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not shutil.which("pg_ctlcluster") or not versions:
        pytest.skip("needs a local Debian PostgreSQL (pg_ctlcluster) to restart")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"],
                   check=True, timeout=120)


def test_conversation_continues_with_its_history_after_a_postgresql_restart(cluster, database):
    conversation = Conversation("pgrestart")
    assert language_of(conversation.say(cluster.url, "Qui organise la conférence ?")) == "fr"
    conversation.say(cluster.url, "Où se déroule la conférence ?")

    restart_postgresql()
    # Straight after the restart every pooled connection is dead; the store reconnects
    # instead of answering from an empty tracker.
    reply = conversation.say(cluster.url, "ok")
    assert reply and language_of(reply) == "fr", reply

    # A message sent while PostgreSQL is going down and coming back waits for it.
    restart = threading.Thread(target=restart_postgresql)
    restart.start()
    during = conversation.say(cluster.url, "merci", timeout=120)
    restart.join()
    assert during and language_of(during) == "fr", during
    assert "16" in conversation.say(cluster.url, "Quand a lieu la conférence ?")

    assert_each_turn_stored_once(stored_events(database, conversation.sender), conversation.sent)


def test_wrong_database_host_fails_start_up_clearly_within_60_seconds(tmp_path, database, redis_prefix):
    settings = cluster_settings(tmp_path, database, redis_prefix)
    env = settings.store_env()
    env.update(DB_HOST="db-host-that-does-not-exist.invalid", BOT_DB_STARTUP_TIMEOUT="20")
    server = ServerSettings(model=settings.model, rasa_port=FIRST_RASA_PORT + 9, actions_port=5639,
                            endpoints=PRODUCTION_ENDPOINTS, log_dir=tmp_path, extra_env=env)
    try:
        finished = subprocess.run(rasa_command(server), env=_environment(server), capture_output=True,
                                  text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"still starting after 60 s: {expired.stdout!r}")
    assert finished.returncode != 0
    output = finished.stdout + finished.stderr
    assert "Cannot reach the tracker database" in output
    assert "db-host-that-does-not-exist.invalid" in output


def test_a_replica_with_several_sanic_workers_stores_and_reads_on_postgresql(monkeypatch):
    """SANIC_WORKERS > 1 (a replica with several workers) changes nothing on PostgreSQL,
    where the event cache is always checked against the rows (replicas take turns)."""
    monkeypatch.setenv("SANIC_WORKERS", "2")
    name = f"bot_workers_{uuid.uuid4().hex[:10]}"
    store = ResilientSQLTrackerStore(
        domain=Domain.empty(), dialect="postgresql", host=PG["DB_HOST"], port=int(PG["DB_PORT"]), db=name,
        username=PG["DB_USER"], password=PG["DB_PASSWORD"] or None, login_db=STORE_DEFAULTS["DB_LOGIN_DB"])
    try:
        tracker = DialogueStateTracker.from_events("w", [ActionExecuted("action_listen")], {})
        for text in ("hello", "where is it"):
            tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
            tracker.update(BotUttered(f"re: {text}"))
            tracker.update(ActionExecuted("action_listen"))
            asyncio.run(store.save(tracker))
            tracker = asyncio.run(store.retrieve("w"))
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello", "where is it"]
        assert len(tracker.events) == 7
    finally:
        store.engine.dispose()
        connection = pg_connect(STORE_DEFAULTS["DB_LOGIN_DB"])
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
