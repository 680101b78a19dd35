"""Conversations are stored in SQLite: a crash of the Rasa server loses nothing (an open
hand-off to a person included), and `make run` starts it again by itself."""

import requests

from tests.channels.handoff import organiser_says, relayed, wait_until_stored
from tests.e2e.replies import language_of
from tests.reliability.conftest import response_text
from tests.support.servers import Chat


def user_texts(servers, sender: str) -> list:
    tracker = requests.get(f"{servers.rasa_url}/conversations/{sender}/tracker",
                           params={"token": servers.token}, timeout=60).json()
    return [event.get("text") for event in tracker["events"] if event["event"] == "user"]


def test_conversations_survive_a_rasa_crash(servers, chat):
    french = chat()
    assert "Lamot" in french.say("Où se déroule la conférence ?")
    dutch = Chat(servers.public_url)  # through the public gateway
    dutch.say("Hallo, waar vindt de conferentie plaats?")
    before = user_texts(servers, dutch.sender)
    waiting = chat()  # waits for an organiser (docs/handoff.md)
    waiting.say("Can I talk to a person?")
    waiting.say('/request_human{"handoff_step": "open"}')
    assert waiting.send("Which room is the press conference in? (before the crash)") == []
    thread = relayed(servers.platforms["slack"], "(before the crash)").json()["thread_ts"]

    servers.restart_rasa()  # a crash: the supervisor of `make run` starts it again

    # The conversation language (French) was restored from the tracker store.
    reply = french.say("ok")
    assert reply
    assert language_of(reply) == "fr"
    assert dutch.say("ok") == response_text("utter_acknowledge", "nl")
    after = user_texts(servers, dutch.sender)
    assert after[: len(before)] == before and after[-1] == "ok"
    # The hand-off is still open: the organiser's reply reaches the attendee, the assistant stays silent.
    organiser_says(lambda channel: f"{servers.rasa_url}/webhooks/{channel}/webhook", thread, "Room B, after the crash.")
    wait_until_stored(servers.tracker_db, waiting.sender, "Room B, after the crash.")
    assert [m["text"] for m in waiting.send("Thanks! (after the crash)")] == ["Room B, after the crash."]
    relayed(servers.platforms["slack"], "Thanks! (after the crash)")
