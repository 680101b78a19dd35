"""What the hand-off tests share: the organisers' side of Slack (their channel on the fake
Slack API, their signed thread replies), the stored conversation, and changing the
shared assistant's hand-off settings for one test (docs/handoff.md)."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import requests
import yaml

from tests.channels.payloads import new_id
from tests.channels.signing import slack_headers
from tests.support.fakes import ORGANISERS_CHANNEL, SLACK_SECRET, Call, FakePlatform

OPENING = "An attendee asks for a person."


def organisers_post(slack: FakePlatform, match: Callable[[Dict[str, Any]], bool]) -> Call:
    """The first post to the organisers' channel whose body ``match``es, once there is one."""
    def posted(call: Call) -> bool:
        body = call.json()
        return call.path.endswith("/chat.postMessage") and body["channel"] == ORGANISERS_CHANNEL and match(body)

    return slack.wait_for(posted)[0]


def relayed(slack: FakePlatform, words: str) -> Call:
    """The thread post that relays an attendee's message containing ``words``."""
    return organisers_post(slack, lambda body: body["text"].startswith("attendee:") and words in body["text"])


def thread_root(slack: FakePlatform, thread: str) -> Dict[str, Any]:
    """The hand-off's first post (the one Slack answered with ``thread`` as its ts)."""
    return organisers_post(slack, lambda body: "thread_ts" not in body and OPENING in body["text"]
                           and any(c.answer and c.answer.get("ts") == thread and c.json() == body
                                   for c in slack.calls)).json()


def note(slack: FakePlatform, thread: str, words: str) -> Call:
    return organisers_post(slack, lambda body: body.get("thread_ts") == thread and words in body["text"])


def organiser_says(webhook: Callable[[str], str], thread: str, text: str) -> None:
    """An organiser's reply in the thread, as Slack's Events API signs and sends it."""
    sent = f"{time.time():.6f}"
    body = json.dumps({
        "token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456", "type": "event_callback",
        "event": {"type": "message", "channel": ORGANISERS_CHANNEL, "channel_type": "channel",
                  "user": "U0ORGANISER", "text": text, "ts": sent, "thread_ts": thread, "event_ts": sent},
        "event_id": f"Ev{new_id()}", "event_time": int(time.time()),
    }).encode()
    headers = {"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)}
    assert requests.post(webhook("slack"), data=body, headers=headers, timeout=60).status_code == 200


def wait_until_stored(tracker_db: Path, sender: str, text: str, timeout: float = 60.0) -> None:
    """Until a bot message with ``text`` is in the conversation's stored events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(tracker_db) as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'bot'", (sender,))
            if any(json.loads(data).get("text") == text for (data,) in rows):
                return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} was not stored for {sender} within {timeout:.0f} s")


@contextmanager
def handoff_settings(path: Path, **changes: Any) -> Iterator[None]:
    """The shared assistant's data/handoff.yml with ``changes`` for the duration of a test
    (read live; at most a second old)."""
    original = path.read_text(encoding="utf-8")
    path.write_text(yaml.safe_dump({**yaml.safe_load(original), **changes}, allow_unicode=True), encoding="utf-8")
    time.sleep(1.1)
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")
        time.sleep(1.1)
