"""Answers programme questions by day, time, session, person and topic (bot.conversation.agenda).

The programme file is re-read when it changes; the conference clock is real time
unless the action server is started with ``BOT_CLOCK`` (see bot/conversation/clock.py).
Questions that name no day, time, session, person or topic get the knowledge-base
answer (the programme overview in data/content/programme.yml).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import utter_knowledge_answer
from bot.conversation.agenda.answer import Reply, answer, more
from bot.conversation.agenda.live import LiveProgramme
from bot.conversation.agenda.loader import PROGRAMME_FILE, ProgrammeError
from bot.conversation.agenda.query import build_query
from bot.conversation.clock import Clock

logger = logging.getLogger(__name__)

PENDING_SLOT = "agenda_pending"
# One store per action-server process; it reloads the file as organisers edit it.
STORE = LiveProgramme(Path(os.environ.get("BOT_PROGRAMME_FILE", PROGRAMME_FILE)))
CLOCK = Clock.from_environment()


def _send(dispatcher: CollectingDispatcher, reply: Reply) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
    return [SlotSet(PENDING_SLOT, reply.pending or None)]


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
        query = build_query(programme, message.get("text") or "", message.get("entities") or [])
        intent = (message.get("intent") or {}).get("name")
        reply = answer(programme, query, CLOCK.now(programme.conference.timezone), tracker.get_slot("language"), intent)
        if reply is None:
            return [*utter_knowledge_answer(dispatcher, tracker), SlotSet(PENDING_SLOT, None)]
        return _send(dispatcher, reply)


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
        return _send(dispatcher, more(programme, pending, tracker.get_slot("language")))
