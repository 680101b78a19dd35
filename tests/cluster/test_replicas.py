"""Replicas share one tracker in PostgreSQL; nginx routes around a replica that dies."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import requests

from tests.cluster.conftest import Conversation, assert_each_turn_stored_once, stored_events
from tests.e2e.replies import language_of

# A French conversation whose later messages only make sense with its history:
# "ok" and "merci" are answered in French only if the language slot came back.
FRENCH_TURNS = ["Bonjour", "Où se déroule la conférence ?", "ok", "Qui organise la conférence ?",
                "merci", "Quand a lieu la conférence ?"]

LOAD_MESSAGES = ["Where does the conference take place?", "Wo findet die Konferenz statt?",
                 "¿Cuándo es la conferencia?", "Qui organise la conférence ?",
                 "Waar vindt de conferentie plaats?", "أين يعقد المؤتمر؟", "ok", "thanks"]


def test_alternating_replicas_keep_one_consistent_tracker(cluster, database):
    conversation = Conversation()
    replies = [conversation.say(cluster.replica_url(turn % 2), message)
               for turn, message in enumerate(FRENCH_TURNS)]
    assert "Lamot" in replies[1]
    # "Bonjour" alone may be answered before the language is sure; the rest must be French,
    # which for "ok" and "merci" needs the language slot the other replica stored.
    for message, reply in list(zip(FRENCH_TURNS, replies))[1:]:
        assert reply and language_of(reply) == "fr", (message, reply)
    assert_each_turn_stored_once(stored_events(database, conversation.sender), conversation.sent)


def _send_with_safe_retry(cluster, database, conversation: Conversation, message: str) -> None:
    """What a careful client does on 502: resend only if the message was not stored."""
    for _attempt in range(20):
        try:
            response = requests.post(f"{cluster.url}/webhooks/rest/webhook",
                                     json={"sender": conversation.sender, "message": message},
                                     timeout=90)
            if response.status_code == 200:
                conversation.sent.append(message)
                return
        except requests.RequestException:
            pass
        events = stored_events(database, conversation.sender)
        if len([e for e in events if e["event"] == "user"]) > len(conversation.sent):
            conversation.sent.append(message)  # processed; only the reply was lost
            return
        time.sleep(0.5)
    raise AssertionError(f"{message!r} was never answered")


def _load(cluster, database, conversations: List[Conversation], rounds: int) -> None:
    def one(conversation: Conversation) -> None:
        for turn in range(rounds):
            _send_with_safe_retry(cluster, database, conversation,
                                  LOAD_MESSAGES[(turn + len(conversation.sender)) % len(LOAD_MESSAGES)])

    with ThreadPoolExecutor(max_workers=len(conversations)) as pool:
        list(pool.map(one, conversations))


def test_killing_a_replica_mid_load_loses_nothing_and_it_comes_back(cluster, database):
    """Through `make run-cluster` itself: nginx routes around the dead replica, a client
    that retries what failed loses nothing, and the supervisor has the replica back
    (a new process, answering) within a minute."""
    conversations = [Conversation("kill") for _ in range(8)]
    victim = cluster.replica_pid(1)
    started = threading.Event()
    killed_at: List[float] = []

    def kill_when_busy() -> None:
        started.wait()
        while sum(len(c.sent) for c in conversations) < 12:  # mid-run, not before or after
            time.sleep(0.05)
        os.killpg(victim, signal.SIGKILL)
        killed_at.append(time.monotonic())

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    started.set()
    try:
        _load(cluster, database, conversations, rounds=8)
    finally:
        killer.join()
    print(f"\nload done {time.monotonic() - killed_at[0]:.0f} s after the kill")
    for conversation in conversations:
        assert len(conversation.sent) == 8
        assert_each_turn_stored_once(stored_events(database, conversation.sender), conversation.sent)

    deadline = killed_at[0] + 60
    while time.monotonic() < deadline:
        if cluster.replica_pid(1) != victim:
            try:
                if requests.get(f"{cluster.replica_url(1)}/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
        time.sleep(0.5)
    else:
        raise AssertionError("the killed replica was not back within a minute")
    print(f"\nreplica back {time.monotonic() - killed_at[0]:.0f} s after the kill")
    assert cluster.process.poll() is None  # the cluster as a whole never stopped
    assert "restarting in 1 s" in (cluster.settings.run_dir / "make-run-cluster.log").read_text(
        encoding="utf-8", errors="replace")
