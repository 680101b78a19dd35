"""Answers knowledge questions (venue, programme, partners …) from the content files.

The conference clock is real time unless the action server is started with ``BOT_CLOCK``
(bot/conversation/clock.py); once the conference is over, answers that have an
``after_event`` text give that one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.clock import Clock
from bot.conversation.content import ContentError, LiveContent
from bot.conversation.content.loader import CONTENT_DIR
from bot.conversation.content.select import chosen_answer, render_answer, unanswered_facet, unknown_topic
from bot.conversation.followup import FollowUp, Remembered, cues, follow_up, message_language, render_follow_up
from bot.conversation.languages import load_catalogue

logger = logging.getLogger(__name__)

# One store per action-server process; it reloads files as organisers edit them.
STORE = LiveContent(Path(os.environ.get("BOT_CONTENT_DIR", CONTENT_DIR)))
STORE.preload()  # before the server answers, not on its first question
CLOCK = Clock.from_environment()
CATALOGUE = load_catalogue()
SUBJECT_SLOT = "subject"  # what the last answer was about (bot/conversation/followup.py)


def utter_knowledge_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Send the knowledge-base answer to the latest message (also used by the agenda); the
    events that remember what it was about."""
    language = tracker.get_slot("language")
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    question = message.get("text") or ""
    try:
        kb = STORE.get()
    except ContentError:
        logger.exception("No valid content to answer %s", intent)
        dispatcher.utter_message(response="utter_request_human")
        return []
    remembered = Remembered.parse(tracker.get_slot(SUBJECT_SLOT))
    words = cues(CATALOGUE, language, message_language(message))
    result = follow_up(kb, intent, question, remembered, words)
    if result is None:
        chosen = chosen_answer(kb, intent, question)
        if chosen is None:
            dispatcher.utter_message(text=unknown_topic(kb, language))
            return []
        topic, answer = chosen
        unknown = unanswered_facet(topic, question)
        if unknown is None:
            dispatcher.utter_message(text=render_answer(kb, answer, language, CLOCK.after_event()))
            return [SlotSet(SUBJECT_SLOT, Remembered.of(topic, answer.subject, answer.facet).key)]
        # a facet no source answers ("is there a live stream?"): not the overview
        result = FollowUp(topic, unknown[0], unknown[1], None)
    dispatcher.utter_message(text=render_follow_up(kb, result, language, CLOCK.after_event()))
    return [SlotSet(SUBJECT_SLOT, Remembered.of(result.topic, result.subject, result.facet).key)]


class ActionAnswer(Action):
    """Renders the answer for the latest intent in the conversation language."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return utter_knowledge_answer(dispatcher, tracker)
