"""The knowledge action, run as the action server runs it (tracker in, messages out)."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.knowledge as knowledge
from bot.conversation.content import LiveContent


def tracker(text, intent, language=None):
    return Tracker(
        sender_id="test",
        slots={"language": language},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(text, intent, language=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(knowledge.ActionAnswer().run(dispatcher, tracker(text, intent, language), {}))
    return dispatcher.messages, events


@pytest.fixture
def fixture_store(content_dir, monkeypatch):
    monkeypatch.setattr(knowledge, "STORE", LiveContent(content_dir))


def test_answers_in_the_conversation_language(fixture_store):
    messages, events = run("Quelle est l'adresse ?", "ask_venue", "fr")
    assert events == [SlotSet("subject", "venue::address")]  # remembered for a follow-up (the fixture's venue is no one thing)
    assert [m["text"] for m in messages] == ["[fr] address\n[fr] source_label: https://example.org/b"]


def test_unknown_topic_says_it_does_not_know(fixture_store):
    messages, _ = run("wifi?", "ask_wifi", "es")
    assert messages[0]["text"] == "[es] unknown_topic"


def test_without_valid_content_it_apologises_instead_of_crashing(tmp_path, monkeypatch):
    (tmp_path / "venue.yml").write_text("broken: [", encoding="utf-8")
    monkeypatch.setattr(knowledge, "STORE", LiveContent(tmp_path))
    messages, _ = run("where?", "ask_venue", "en")
    assert messages[0]["response"] == "utter_request_human"


@pytest.mark.parametrize("language", ["en", "fr", "nl", "es", "de", "ar"])
def test_shipped_content_answers_every_knowledge_intent(language):
    for intent in knowledge.STORE.get().topics_by_intent:
        messages, _ = run("?", intent, language)
        assert len(messages) == 1 and messages[0]["text"]


@pytest.mark.parametrize("moment, after", [("2017-11-16T10:45", False), ("2018-01-10T12:00", True), (None, True)])
def test_the_knowledge_action_answers_by_the_conference_clock(content_dir, monkeypatch, moment, after):
    from bot.conversation.clock import Clock
    from tests.conftest import six, venue_topic, write_yaml

    topic = venue_topic()
    topic["answers"][1].update(practical=True, after_event=six("over"))
    write_yaml(content_dir / "venue.yml", topic)
    monkeypatch.setattr(knowledge, "STORE", LiveContent(content_dir))
    monkeypatch.setattr(knowledge, "CLOCK", Clock.from_environment({"BOT_CLOCK": moment} if moment else {}))
    messages, _ = run("Quelle est l'adresse ?", "ask_venue", "fr")
    assert messages[0]["text"].startswith("[fr] over\n" if after else "[fr] address\n")


def test_a_question_for_what_no_source_answers_gets_the_honest_reply_not_the_overview():
    messages, events = run("will the conference be live streamed?", "ask_dates", "en")
    kb = knowledge.STORE.get()
    assert messages[0]["text"] == kb.strings["unknown_topic"]["en"]
    assert events == [SlotSet("subject", "dates::livestream")]
    messages, _ = run("which party is Bart Somers in?", "ask_speakers", "fr")
    assert messages[0]["text"] == kb.strings["unknown_facet"]["fr"].format(subject="Bart Somers")
