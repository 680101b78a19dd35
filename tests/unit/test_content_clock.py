"""Date-aware answers: the conference clock picks the text for before/during or after the event,
in every language, for every practical answer of the knowledge base and of the FAQ."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.faq as faq_action
import actions.knowledge as knowledge
from bot.conversation.agenda.loader import PROGRAMME_FILE
from bot.conversation.clock import CONFERENCE_END, CONFERENCE_TIMEZONE, Clock, is_after_event
from bot.conversation.content import LiveContent, load_content
from bot.conversation.faq.answers import LiveFaqAnswers, load_answers
from bot.tools.faq.project import FaqPaths
from tests.conftest import LANGS, ROOT

DURING = "2017-11-16T10:45"
LATER = "2018-01-10T12:00"
KB = load_content()
PRACTICAL = [a for t in KB.topics_by_intent.values() for a in t.distinct_answers() if a.practical]
FAQ_PRACTICAL = ("wifi", "badge_pickup", "lost_and_found", "food", "interpretation", "accessibility")
FAQ = {entry.id: entry for entry in load_answers(FaqPaths(ROOT).answers)}


@pytest.mark.parametrize("moment, after", [
    ("2017-11-15T09:00", False), ("2017-11-16T10:45", False), ("2017-11-17T23:59", False),
    ("2017-11-18T00:00", True), ("2017-11-17T23:30+00:00", True),  # 00:30 in Brussels
    ("2018-01-10T12:00", True),
])
def test_the_event_is_over_from_midnight_after_17_november_2017_in_brussels(moment, after):
    assert Clock(datetime.fromisoformat(moment)).after_event() is after


def test_real_time_is_after_the_event_and_a_bad_clock_is_ignored():
    assert Clock().after_event()
    assert Clock.from_environment({"BOT_CLOCK": "tomorrow"}).fixed is None
    assert is_after_event(datetime.now(timezone.utc))


def test_the_end_of_the_conference_matches_the_programme():
    days = yaml.safe_load(PROGRAMME_FILE.read_text(encoding="utf-8"))["conference"]["days"]
    last = max(days)
    assert CONFERENCE_END.date() == last.replace(day=last.day + 1) and CONFERENCE_END.tzinfo == CONFERENCE_TIMEZONE


def test_the_practical_answers_all_have_after_event_texts():
    ids = {answer.id for answer in PRACTICAL}
    assert {"dates.registration", "dates.hours", "participants.who_can_attend", "venue.rooms", "travel.hotel"} <= ids
    assert all(answer.after_event for answer in PRACTICAL)
    for entry_id in FAQ_PRACTICAL:
        assert set(FAQ[entry_id].after_event) == set(LANGS), entry_id


def tracker(intent, language, text="?"):
    return Tracker(sender_id="t", slots={"language": language}, events=[], paused=False,
                   latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                   followup_action=None, active_loop={}, latest_action_name="action_listen")


def reply(action, intent, language, text="?"):
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(intent, language, text), {}))
    return dispatcher.messages[0]["text"]


def question_for(answer):
    """A question that selects ``answer`` in its topic (its facet's or subject's first word)."""
    topic = next(t for t in KB.topics_by_intent.values() if answer in t.answers.values())
    words = [w for w, f in topic.facet_keywords.items() if f == answer.facet][:1]
    words += [w for w, s in topic.subject_aliases.items() if s == answer.subject][:1]
    return topic.intent, " ".join(words) or "?"


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(knowledge, "STORE", LiveContent())

    def set_clock(moment):
        clock = Clock.from_environment({"BOT_CLOCK": moment} if moment else {})
        monkeypatch.setattr(knowledge, "CLOCK", clock)
        monkeypatch.setattr(faq_action, "CLOCK", clock)
    return set_clock


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("answer", PRACTICAL, ids=[a.id for a in PRACTICAL])
def test_each_practical_answer_during_and_after_the_event(clock, answer, language):
    intent, question = question_for(answer)
    clock(DURING)
    during = reply(knowledge.ActionAnswer(), intent, language, question)
    assert during.startswith(answer.text[language])
    for moment in (LATER, None):  # a date after the event, and today
        clock(moment)
        after = reply(knowledge.ActionAnswer(), intent, language, question)
        assert after.startswith(answer.after_event[language]) and after != during


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("entry_id", FAQ_PRACTICAL)
def test_each_practical_faq_entry_during_and_after_the_event(clock, monkeypatch, entry_id, language):
    monkeypatch.setattr(faq_action, "ANSWERS", LiveFaqAnswers(FaqPaths(ROOT).answers))
    entry = FAQ[entry_id]
    clock(DURING)
    during = reply(faq_action.ActionFaq(), f"faq_{entry_id}", language)
    assert during.startswith(entry.answers[language])
    clock(None)
    after = reply(faq_action.ActionFaq(), f"faq_{entry_id}", language)
    assert after.startswith(entry.after_event[language]) and after != during
    source = KB.sources[entry.source]
    assert after.endswith(source.display(language)) and during.endswith(source.display(language))
