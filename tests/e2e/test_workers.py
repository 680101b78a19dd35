"""`make run WORKERS=2`: two Sanic worker processes share one port, the SQLite tracker
store and the SQLite lock store (bot/plugins/lock_store.py). A conversation whose messages reach
both workers must keep one consistent tracker, and the web page's socket.io channel
must work."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio
import yaml

from bench.targets import _cpu_ticks, _tree
from bot.tools.serve import Servers
from tests.conftest import ROOT
from tests.e2e.conftest import ACTIONS_PORT, RASA_PORT
from tests.servers import RELAXED_SENDER_LIMITS, server_settings

QUESTIONS = ["Hello", "Where does the conference take place?", "When does it start?",
             "Is there wifi?", "Thanks"]


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    work = tmp_path_factory.mktemp("workers")
    settings = server_settings(work, RASA_PORT + 2, ACTIONS_PORT + 2,
                               extra_env={"SANIC_WORKERS": "2", **RELAXED_SENDER_LIMITS})
    # In place of the suites' plain endpoints: `make run`'s own, whose SQLite lock store
    # the workers share, with this test's action server and databases.
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"{settings.actions_url}/webhook"
    endpoints["tracker_store"]["db"] = str(work / "tracker.db")
    endpoints["lock_store"]["db"] = str(work / "locks.db")
    settings.endpoints.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    with Servers(settings) as running:
        yield running, work / "tracker.db"


def workers_cpu(servers: Servers) -> dict:
    return {pid: _cpu_ticks(pid) for pid in _tree(servers.rasa.pid) if pid != servers.rasa.pid}


def converse(url: str, sender: str) -> None:
    for question in QUESTIONS:
        # A new connection per message, so the kernel hands messages to either worker.
        response = requests.post(f"{url}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": sender, "message": question},
                                 headers={"Connection": "close"})
        assert response.status_code == 200 and response.json(), response.text


def test_conversations_served_by_both_workers_are_stored_once_in_order(two_workers):
    servers, database = two_workers
    assert len(workers_cpu(servers)) == 2
    before = workers_cpu(servers)
    senders = [f"workers-{uuid.uuid4().hex[:10]}" for _ in range(6)]
    with ThreadPoolExecutor(len(senders)) as pool:
        list(pool.map(lambda sender: converse(servers.settings.rasa_url, sender), senders))
    used = {pid: ticks - before[pid] for pid, ticks in workers_cpu(servers).items()}
    assert all(ticks > 0 for ticks in used.values()), f"a worker did nothing: {used}"
    with sqlite3.connect(database) as connection:
        for sender in senders:
            rows = connection.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id",
                                      (sender,)).fetchall()
            texts = [json.loads(data)["text"] for kind, data in rows if kind == "user"]
            assert texts == QUESTIONS  # each message once, in the order sent
            timestamps = [json.loads(data)["timestamp"] for _, data in rows]
            assert timestamps == sorted(timestamps)
            assert [kind for kind, _ in rows].count("session_started") == 1


def test_the_web_chat_s_socket_io_channel_answers(two_workers):
    servers, _ = two_workers
    client = socketio.Client(reconnection=False)
    confirmed, replied = threading.Event(), threading.Event()
    replies = []
    client.on("session_confirm", lambda *_: confirmed.set())

    @client.on("bot_uttered")
    def on_reply(data):
        replies.append(data)
        replied.set()

    client.connect(servers.settings.rasa_url, transports=["websocket"], wait_timeout=30)  # as web/chat.js
    try:
        session_id = f"workers-{uuid.uuid4().hex[:10]}"
        client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(timeout=30)
        client.emit("user_uttered", {"message": "Where does the conference take place?",
                                     "session_id": session_id})
        assert replied.wait(timeout=60)
    finally:
        client.disconnect()
    assert replies[0].get("text")
