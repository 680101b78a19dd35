"""A real cluster for the tests, started as a user starts it: ``make run-cluster`` (two
Rasa replicas with the default worker count, one action server, nginx, PostgreSQL,
Redis, the supervisor that restarts what dies).

Each test session creates its own PostgreSQL database (``bot_cluster_<random>``) and
its own Redis key prefix (Redis db ``CLUSTER_REDIS_DB``, 5 by default) and removes both
afterwards; ports and the run folder are the session's own (``CLUSTER_ARGS``), so a
cluster or ``make run`` beside it is not touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import psycopg2
import pytest
import requests

from bot.tools.cluster import CLUSTER_ENV, ClusterSettings, read_env_file
from bot.tools.serve import PROCESSES_FILE, wait_until_ready
from tests.conftest import ROOT
from tests.support.servers import interrupt, trained_model

LB_PORT = int(os.environ.get("CLUSTER_LB_PORT", "8605"))
LB_ACTIONS_PORT = int(os.environ.get("CLUSTER_LB_ACTIONS_PORT", "8606"))
FIRST_RASA_PORT = int(os.environ.get("CLUSTER_FIRST_RASA_PORT", "5605"))
FIRST_ACTIONS_PORT = int(os.environ.get("CLUSTER_FIRST_ACTIONS_PORT", "5640"))
REDIS_DB = os.environ.get("CLUSTER_REDIS_DB", "5")

STORE_DEFAULTS = read_env_file(CLUSTER_ENV)
PG = {key: os.environ.get(key, STORE_DEFAULTS[key]) for key in
      ("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD")}


def pg_connect(database: str):
    return psycopg2.connect(host=PG["DB_HOST"], port=int(PG["DB_PORT"]), user=PG["DB_USER"],
                            password=PG["DB_PASSWORD"] or None, dbname=database, connect_timeout=5)


@pytest.fixture(scope="session")
def database() -> str:
    """A fresh database name; Rasa creates it on start (login_db), ``cluster`` drops it."""
    return f"bot_cluster_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    return f"botcluster{uuid.uuid4().hex[:8]}"


def cluster_settings(run_dir: Path, database: str, redis_prefix: str) -> ClusterSettings:
    return ClusterSettings(
        model=trained_model(), replicas=2, action_servers=1, port=LB_PORT, actions_port=LB_ACTIONS_PORT,
        first_rasa_port=FIRST_RASA_PORT, first_actions_port=FIRST_ACTIONS_PORT, run_dir=run_dir,
        env={"DB_NAME": database, "REDIS_DB": REDIS_DB, "REDIS_KEY_PREFIX": redis_prefix},
    )


class MakeRunCluster:
    """``make run-cluster`` in the background, and what the tests need to know of it."""

    def __init__(self, settings: ClusterSettings) -> None:
        self.settings = settings
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_ports()[index]}"

    def pids(self) -> Dict[str, int]:
        return json.loads((self.settings.run_dir / PROCESSES_FILE).read_text(encoding="utf-8"))

    def replica_pid(self, index: int) -> int:
        return self.pids()[f"rasa-{self.settings.rasa_ports()[index]}"]

    def start(self) -> "MakeRunCluster":
        s = self.settings
        arguments = (f"--port {s.port} --actions-port {s.actions_port} --first-rasa-port {s.first_rasa_port} "
                     f"--first-actions-port {s.first_actions_port} --run-dir {s.run_dir}")
        command = ["make", "--no-print-directory", "-o", str(s.model), "run-cluster", f"MODEL={s.model}", f"REPLICAS={s.replicas}",
                   f"ACTION_SERVERS={s.action_servers}", f"CLUSTER_ARGS={arguments}"]
        s.run_dir.mkdir(parents=True, exist_ok=True)
        log = open(s.run_dir / "make-run-cluster.log", "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **s.env}, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for index in range(s.replicas):
                wait_until_ready(f"{self.replica_url(index)}/", self.process, 300)
            wait_until_ready(f"{self.url}/", self.process, 60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        interrupt(self.process, self.settings.run_dir / PROCESSES_FILE, 60)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory, database, redis_prefix) -> Iterator[MakeRunCluster]:
    settings = cluster_settings(tmp_path_factory.mktemp("cluster"), database, redis_prefix)
    running = MakeRunCluster(settings)
    try:
        yield running.start()
    finally:
        running.stop()
        settings.drop_stores()


def stored_events(database: str, sender: str) -> List[Dict]:
    """The conversation's events as stored in PostgreSQL, in storage order."""
    connection = pg_connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, type_name, data FROM events WHERE sender_id = %s ORDER BY id",
                           (sender,))
            return [dict(json.loads(data), _id=row_id) for row_id, _type, data in cursor.fetchall()]
    finally:
        connection.close()


def user_texts(events: List[Dict]) -> List[str]:
    return [e.get("text") for e in events if e["event"] == "user"]


def assert_each_turn_stored_once(events: List[Dict], sent: List[str]) -> None:
    """Every message once, in order, each answered before the next; no event twice."""
    assert user_texts(events) == sent
    keys = [(e["event"], e.get("timestamp"), e.get("text"), e.get("name")) for e in events]
    assert len(keys) == len(set(keys)), "an event is stored twice"
    timestamps = [e["timestamp"] for e in events]
    assert timestamps == sorted(timestamps), "events are stored out of order"
    turns = "".join("u" if e["event"] == "user" else "b" if e["event"] == "bot" else "" for e in events)
    assert "uu" not in turns and turns.endswith("b"), f"a message went unanswered: {turns}"


class Conversation:
    """One sender id, posting over REST to whichever URL a test chooses."""

    def __init__(self, prefix: str = "cluster") -> None:
        self.sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.sent: List[str] = []

    def say(self, base_url: str, message: str, timeout: float = 60) -> str:
        response = requests.post(f"{base_url}/webhooks/rest/webhook",
                                 json={"sender": self.sender, "message": message}, timeout=timeout)
        assert response.status_code == 200, response.text
        self.sent.append(message)
        return "\n".join(m.get("text", "") for m in response.json())
