"""Answers programme questions by day, time, session, person and topic (bot.conversation.agenda).

The programme file is re-read when it changes; the conference clock is real time
unless the action server is started with ``BOT_CLOCK`` (see bot/conversation/clock.py).
Questions that name no day, time, session, person or topic get the knowledge-base
answer (the programme overview in data/content/programme.yml).
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import CATALOGUE, SUBJECT_SLOT, utter_knowledge_answer
from actions.knowledge import STORE as KNOWLEDGE
from bot.conversation.agenda.answer import Reply, answer, more, remembering_named
from bot.conversation.agenda.details import detail_words, unknown_detail
from bot.conversation.agenda.live import LiveProgramme
from bot.conversation.agenda.loader import PROGRAMME_FILE, ProgrammeError
from bot.conversation.agenda.model import Programme
from bot.conversation.agenda.query import build_query
from bot.conversation.clock import Clock
from bot.conversation.content import ContentError
from bot.conversation.followup import (
    SESSION_TOPIC,
    Remembered,
    cues,
    message_language,
    remembered_person,
    session_follow_up,
)
from bot.conversation.languages import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)

PENDING_SLOT = "agenda_pending"
# One store per action-server process; it reloads the file as organisers edit it.
STORE = LiveProgramme(Path(os.environ.get("BOT_PROGRAMME_FILE", PROGRAMME_FILE)))
STORE.preload()  # before the server answers, not on its first question
detail_words()  # (the session details' words too)
CLOCK = Clock.from_environment()


def _send(dispatcher: CollectingDispatcher, reply: Reply, programme: Programme) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
    events = [SlotSet(PENDING_SLOT, reply.pending or None)]
    if reply.session is not None:  # remembered, so that "and who spoke there?" is about it
        events.append(SlotSet(SUBJECT_SLOT, Remembered(SESSION_TOPIC, reply.session).key))
    person = _person_remembered(programme, reply.person) if reply.person is not None else None
    if person is not None:  # "when was he elected?" after the person's card
        events.append(SlotSet(SUBJECT_SLOT, person.key))
    return events


def _person_remembered(programme: Programme, person_id: str) -> Optional[Remembered]:
    try:
        kb = KNOWLEDGE.get()
    except ContentError:
        return None
    person = programme.people.get(person_id)
    return remembered_person(kb, person.aliases) if person is not None else None


class ActionAgenda(Action):
    """The agenda answer to the latest message, or the knowledge-base answer."""

    def name(self) -> Text:
        return "action_agenda"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        try:
            programme = STORE.get()
        except ProgrammeError:
            logger.exception("No valid programme; answering from the knowledge base")
            return utter_knowledge_answer(dispatcher, tracker)
        text, entities = message.get("text") or "", message.get("entities") or []
        query = build_query(programme, text, entities)
        intent = (message.get("intent") or {}).get("name")
        session = _followed_up_session(programme, tracker, intent, text, entities)
        if session is not None:
            unknown = _missing_detail(programme, session, text, tracker.get_slot("language"))
            if unknown is not None:
                dispatcher.utter_message(text=unknown)
                return [SlotSet(PENDING_SLOT, None)]
            query = replace(query, sessions=(session,))
        reply = answer(programme, query, CLOCK.now(programme.conference.timezone), tracker.get_slot("language"), intent)
        if reply is None:
            return [*utter_knowledge_answer(dispatcher, tracker), SlotSet(PENDING_SLOT, None)]
        written = _written_text(tracker)
        if written and written != text:  # the question was one part of the message
            reply = remembering_named(reply, build_query(programme, written, []).sessions)
        return _send(dispatcher, reply, programme)


def _written_text(tracker: Tracker) -> str:
    """The latest message as written: the parse result's text is only its question
    (bot/conversation/focus.py), the user event keeps the whole."""
    user = next((e for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return str((user or {}).get("text") or "")


def _followed_up_session(
    programme: Programme, tracker: Tracker, intent: Optional[str], text: str, entities: List[Dict[Text, Any]]
) -> Optional[str]:
    """The remembered session when the message is a follow-up about it (as FollowUpPolicy decides)."""
    try:
        kb = KNOWLEDGE.get()
    except ContentError:
        return None
    language = tracker.get_slot("language") or DEFAULT_LANGUAGE
    remembered = Remembered.parse(tracker.get_slot(SUBJECT_SLOT))
    words = cues(CATALOGUE, language, message_language(tracker.latest_message))
    return session_follow_up(kb, programme, intent, text, remembered, words, entities)


def _missing_detail(programme: Programme, session_id: str, text: str, language: Optional[str]) -> Optional[str]:
    try:
        kb = KNOWLEDGE.get()
    except ContentError:
        return None
    return unknown_detail(kb, programme, session_id, text, language)


class ActionAgendaMore(Action):
    """The next page of the last long agenda answer ("show more")."""

    def name(self) -> Text:
        return "action_agenda_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            programme = STORE.get()
        except ProgrammeError:
            logger.exception("No valid programme for 'show more'")
            dispatcher.utter_message(response="utter_request_human")
            return []
        pending = tracker.get_slot(PENDING_SLOT) or []
        return _send(dispatcher, more(programme, pending, tracker.get_slot("language")), programme)
