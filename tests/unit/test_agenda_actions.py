"""The agenda actions, run as the action server runs them (tracker in, messages and events out)."""

import asyncio
from datetime import datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.agenda as agenda
from bot.conversation.clock import Clock
from bot.conversation.agenda.live import LiveProgramme
from bot.conversation.agenda.timeparse import extract
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "programme_fictional.yml"


def tracker(text, intent, language="en", pending=None, entities=None, subject=None):
    if entities is None:
        entities = [{"entity": m.entity, "value": m.value, "start": m.start, "end": m.end}
                    for m in extract(text, language)]
    return Tracker(
        sender_id="test",
        slots={"language": language, "agenda_pending": pending, "subject": subject},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, *args, **kwargs):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(*args, **kwargs), {}))
    return dispatcher.messages, events


@pytest.fixture
def fictional(monkeypatch):
    monkeypatch.setattr(agenda, "STORE", LiveProgramme(FIXTURE))
    monkeypatch.setattr(agenda, "CLOCK", Clock(datetime(2017, 11, 16, 10, 15)))


def test_a_long_list_is_paged_and_show_more_continues_it(fictional):
    messages, events = run(agenda.ActionAgenda(), "was gibt es am Donnerstag?", "ask_programme", "de")
    (message,) = messages
    assert "Donnerstag, 16. November" in message["text"]
    pending = events[0]["value"]
    assert events[0]["name"] == "agenda_pending" and len(pending) == 6
    assert message["buttons"][-1] == {"title": "Mehr anzeigen", "payload": "/show_more"}

    messages, events = run(agenda.ActionAgendaMore(), "mehr", "show_more", "de", pending=pending)
    assert "Housing workshop [de]" in messages[0]["text"]
    assert len(events[0]["value"]) == 2


def test_now_uses_the_clock_of_the_action_server(fictional):
    messages, _ = run(agenda.ActionAgenda(), "¿qué hay ahora?", "ask_programme", "es")
    assert "Housing plenary [es]" in messages[0]["text"]
    assert "10:15" in messages[0]["text"]


def test_a_session_button_payload_gives_the_session(fictional):
    messages, events = run(agenda.ActionAgenda(), '/ask_programme{"agenda_session": "t_youth_panel"}',
                           "ask_programme", "fr", entities=[{"entity": "agenda_session", "value": "t_youth_panel"}])
    assert "Youth panel [fr]" in messages[0]["text"] and "Room B" in messages[0]["text"]
    assert events == [{"event": "slot", "timestamp": None, "name": "agenda_pending", "value": None},
                      {"event": "slot", "timestamp": None, "name": "subject", "value": "session:t_youth_panel"}]


def test_a_follow_up_about_the_remembered_session_gets_its_card(fictional):
    messages, events = run(agenda.ActionAgenda(), "and what time did it start?", "ask_dates", "en",
                           subject="session:t_youth_panel")
    assert "Youth panel [en]" in messages[0]["text"] and "Room B" in messages[0]["text"]


def test_a_general_programme_question_gets_the_knowledge_base_overview(fictional):
    messages, events = run(agenda.ActionAgenda(), "Quel est le programme ?", "ask_programme", "fr")
    assert "programme publié par CGLU" in messages[0]["text"]  # data/content/programme.yml overview, in French
    pending = [e for e in events if e["name"] == "agenda_pending"]
    assert pending and pending[0]["value"] is None  # an old "show more" list is forgotten


def test_a_speaker_question_without_a_schedule_goes_to_the_knowledge_base(fictional):
    messages, _ = run(agenda.ActionAgenda(), "Who is Joan Clos?", "ask_speakers", "en")
    assert "Joan Clos" in messages[0]["text"] and "Source:" in messages[0]["text"]


def test_without_a_valid_programme_the_knowledge_base_answers(tmp_path, monkeypatch):
    broken = tmp_path / "programme.yml"
    broken.write_text("sessions: [", encoding="utf-8")
    monkeypatch.setattr(agenda, "STORE", LiveProgramme(broken))
    messages, events = run(agenda.ActionAgenda(), "When is the opening ceremony?", "ask_programme", "en")
    assert "opening ceremony" in messages[0]["text"].lower() and events == [SlotSet("subject", "programme:")]
    messages, _ = run(agenda.ActionAgendaMore(), "more", "show_more", "en", pending=["x"])
    assert messages[0]["response"] == "utter_request_human"


def test_clock_from_the_environment():
    tz = LiveProgramme(FIXTURE).get().conference.timezone
    fixed = Clock.from_environment({"BOT_CLOCK": "2017-11-16T10:45"}).now(tz)
    assert (fixed.isoformat()) == "2017-11-16T10:45:00+01:00"
    utc = Clock.from_environment({"BOT_CLOCK": "2017-11-16T09:45+00:00"}).now(tz)
    assert utc.hour == 10 and utc.minute == 45
    assert Clock.from_environment({"BOT_CLOCK": "tomorrow-ish"}).fixed is None  # logged, real time
    assert Clock.from_environment({}).now(tz).year >= 2024
