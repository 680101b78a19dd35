"""`make run` (two workers on two CPUs or more): two Sanic worker processes share one port, the SQLite tracker
store and the SQLite lock store (bot/plugins/lock_store.py). A conversation whose messages reach
both workers must keep one consistent tracker, and the web page's socket.io channel
must work."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio

from bench.targets import _cpu_ticks, _tree
from bot.tools.serve import default_workers
from tests.support.servers import RASA

QUESTIONS = ["Hello", "Where does the conference take place?", "When does it start?",
             "Is there wifi?", "Thanks"]


@pytest.fixture
def two_workers(servers):
    """The shared assistant: `make run` starts two workers on two CPUs or more."""
    if default_workers() < 2:
        pytest.skip("one CPU: make run starts one worker")
    return servers, servers.tracker_db


def workers_cpu(servers) -> dict:
    rasa = servers.pids()[RASA]
    return {pid: _cpu_ticks(pid) for pid in _tree(rasa) if pid != rasa}


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
        list(pool.map(lambda sender: converse(servers.rasa_url, sender), senders))
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

    client.connect(servers.rasa_url, transports=["websocket"], wait_timeout=30)  # as web/chat.js
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


def test_a_sender_s_rate_limit_holds_across_both_workers(two_workers):
    """30 messages from one sender at once, each on a new connection (so both workers take
    some): the burst (10) and what refills meanwhile get through, not 10 per worker."""
    servers, _ = two_workers
    sender = f"workers-flood-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: requests.post(
            f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"},
            headers={"Connection": "close"}, timeout=60).status_code, range(30)))
    refilled = (time.monotonic() - started) * 30 / 60  # BOT_RATE_PER_SENDER_PER_MINUTE = 30
    assert set(statuses) == {200, 429}
    assert 10 <= statuses.count(200) <= 10 + int(refilled) + 1, (statuses.count(200), refilled)


def test_every_worker_runs_the_pinned_rasa_with_every_patch_in_place(servers):
    """What each Sanic worker of `make run` reports about itself (bot/plugins/model_sync.py):
    the patches in place are looked up where they live, in that worker's process."""
    from bot.plugins.patches import RASA_VERSION, SPEEDUPS
    from bot.tools.serve import default_workers

    workers = servers.wait_for_workers()
    assert len(workers) == default_workers()
    for name, info in workers.items():
        assert info["rasa"] == RASA_VERSION, name
        assert sorted(info["patches"]) == sorted(SPEEDUPS), name
        assert info["model_file"] == str(servers.model.resolve()) and info["model_id"], name


def test_every_worker_serves_without_tensorflow_and_with_the_model_loaded_before_the_fork(servers):
    """Memory (docs/performance.md): the model needs no TensorFlow, so no worker loads it
    (bot/plugins/tensorflow_stand_in.py), and each took the model its parent process
    loaded before forking instead of loading its own (bot/plugins/patches.preload_model)."""
    workers = servers.wait_for_workers()
    assert {name: (info["tensorflow"], info["preloaded"]) for name, info in workers.items()} == {
        name: ("stand-in", True) for name in workers}
