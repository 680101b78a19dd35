"""Personal data end to end: redaction before storage, "forget me" in six languages."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.reliability.conftest import new_sender, response_text


def stored_events(stack, sender):
    with sqlite3.connect(stack.db) as connection:
        return [json.loads(d) for (d,) in connection.execute("SELECT data FROM events WHERE sender_id = ?",
                                                              (sender,))]


def test_emails_and_phones_are_redacted_before_storage_but_the_turn_is_answered(stack):
    sender = new_sender()
    reply = stack.say("Hello, I'm jan.peeters@example.be, +32 470 12 34 56", sender)
    assert reply  # the turn itself was processed and answered
    stored = json.dumps(stored_events(stack, sender), ensure_ascii=False)
    assert stored  # the conversation is stored …
    assert "jan.peeters@example.be" not in stored and "470 12 34 56" not in stored  # … without them
    assert "[email]" in stored and "[phone]" in stored
    assert "jan.peeters" not in json.dumps(stack.tracker(sender))


FORGET = {
    "en": ("Where does the conference take place?", "Please delete my data"),
    "fr": ("Où se déroule la conférence ?", "Supprimez mes données, s'il vous plaît"),
    "nl": ("Waar vindt de conferentie plaats?", "Verwijder mijn gegevens alstublieft"),
    "es": ("¿Dónde se celebra la conferencia?", "Por favor, borra mis datos"),
    "de": ("Wo findet die Konferenz statt?", "Bitte löschen Sie meine Daten"),
    "ar": ("أين يعقد المؤتمر؟", "من فضلك احذف بياناتي"),
}


@pytest.mark.parametrize("language", FORGET)
def test_forget_me_deletes_the_conversation_and_confirms(stack, language):
    question, forget = FORGET[language]
    sender = new_sender()
    stack.say(question, sender)
    assert stored_events(stack, sender)
    assert stack.say(forget, sender) == response_text("utter_forget_me_done", language)
    assert stored_events(stack, sender) == []
    # Nothing of the old conversation comes back.
    texts = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert question not in texts


def test_forget_me_works_while_the_action_server_is_down(stack):
    sender = new_sender()
    stack.say("Hello!", sender)
    stack.action_proxy.cut()
    try:
        assert stack.say("delete my data", sender) == response_text("utter_forget_me_done", "en")
    finally:
        stack.action_proxy.restore()
    assert stored_events(stack, sender) == []
