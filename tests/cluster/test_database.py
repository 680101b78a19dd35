"""The tracker database: a restart keeps conversations going; a wrong host fails fast."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from bot.cluster import PRODUCTION_ENDPOINTS
from bot.serve import ServerSettings, _environment, rasa_command
from tests.cluster.conftest import (FIRST_RASA_PORT, Conversation, assert_each_turn_stored_once,
                                    cluster_settings, stored_events)
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
