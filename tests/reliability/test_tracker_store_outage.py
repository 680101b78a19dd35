"""The conversation database (PostgreSQL) goes away and comes back.

A second Rasa server, with the production endpoints (deploy/endpoints.production.yml:
PostgreSQL + Redis, as one replica of `make run-cluster`), stores conversations in a
throw-away PostgreSQL database reached through a TCP proxy; cutting the proxy is the
outage (the machine's PostgreSQL keeps running). Skipped when no PostgreSQL answers on
127.0.0.1:5432.
"""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from bot.conversation.notices import notice
from bot.tools.cluster import PRODUCTION_ENDPOINTS
from bot.tools.serve import ServerSettings, Servers
from tests.reliability.conftest import DB_PROXY_PORT, RASA2_PORT, new_sender
from tests.support.servers import trained_model
from tests.support.tcpproxy import TcpProxy

psycopg2 = pytest.importorskip("psycopg2")
PG = dict(host=os.environ.get("REL_PG_HOST", "127.0.0.1"), port=int(os.environ.get("REL_PG_PORT", "5432")),
          user=os.environ.get("REL_PG_USER", "postgres"))


def admin():
    connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    connection.autocommit = True
    return connection


@pytest.fixture(scope="module")
def database():
    try:
        connection = admin()
    except psycopg2.OperationalError as error:
        pytest.skip(f"no PostgreSQL on {PG['host']}:{PG['port']}: {error}")
    name = f"rel_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.close()


@pytest.fixture(scope="module")
def pg_stack(stack, database, tmp_path_factory):
    work = tmp_path_factory.mktemp("postgres")
    proxy = TcpProxy(DB_PROXY_PORT, PG["port"]).start()
    store = {"DB_HOST": "127.0.0.1", "DB_PORT": str(DB_PROXY_PORT), "DB_NAME": database, "DB_USER": PG["user"],
             "DB_PASSWORD": "", "DB_LOGIN_DB": "postgres", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379",
             "REDIS_DB": "5", "REDIS_PASSWORD": "", "REDIS_KEY_PREFIX": f"rel{uuid.uuid4().hex[:8]}",
             "ACTION_SERVER_URL": f"{stack.servers.actions_url}/webhook",
             # The store rides out short outages (bot/plugins/tracker_store/sql.py, tested in
             # tests/cluster); here the outage must outlast its retries.
             "BOT_DB_OUTAGE_TIMEOUT": "3"}
    servers = Servers(ServerSettings(model=trained_model(), rasa_port=RASA2_PORT, endpoints=PRODUCTION_ENDPOINTS,
                                     var_dir=work, extra_env=store))
    try:
        servers.start_rasa()
        yield servers.settings, proxy, database, work / "log"
    finally:
        servers.stop()
        proxy.stop()


def user_texts(database, sender):
    connection = psycopg2.connect(dbname=database, connect_timeout=5, **PG)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
                           (sender,))
            return [json.loads(data)["text"] for (data,) in cursor.fetchall()]
    finally:
        connection.close()


def test_database_outage_is_a_clear_error_and_storage_resumes(stack, pg_stack):
    servers, proxy, database, logs = pg_stack
    base, sender = servers.rasa_url, new_sender()
    assert "Lamot" in stack.say("Where does the conference take place?", sender, base=base)
    assert user_texts(database, sender) == ["Where does the conference take place?"]

    proxy.cut()
    try:
        started = time.monotonic()
        refused = stack.send("Who organised it?", sender, base=base)
        print(f"\nanswer during the outage after {time.monotonic() - started:.1f} s")
        # Not a silent loss: the client is told the message was not processed or saved.
        assert refused.status_code == 503
        assert refused.json()["error"] == notice("try_again")
        assert refused.headers.get("Retry-After")
        assert "Tracker store unavailable" in (logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    finally:
        proxy.restore()

    assert stack.say("Who organised the conference?", sender, base=base)
    assert user_texts(database, sender) == ["Where does the conference take place?",
                                            "Who organised the conference?"]
