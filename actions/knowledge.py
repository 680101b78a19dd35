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
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.clock import Clock
from bot.conversation.content import ContentError, LiveContent
from bot.conversation.content.loader import CONTENT_DIR
from bot.conversation.content.select import answer_question

logger = logging.getLogger(__name__)

# One store per action-server process; it reloads files as organisers edit them.
STORE = LiveContent(Path(os.environ.get("BOT_CONTENT_DIR", CONTENT_DIR)))
CLOCK = Clock.from_environment()


def utter_knowledge_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Send the knowledge-base answer to the latest message (also used by the agenda)."""
    language = tracker.get_slot("language")
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    try:
        kb = STORE.get()
    except ContentError:
        logger.exception("No valid content to answer %s", intent)
        dispatcher.utter_message(response="utter_request_human")
        return
    reply = answer_question(kb, intent, message.get("text") or "", language, CLOCK.after_event())
    dispatcher.utter_message(text=reply)


class ActionAnswer(Action):
    """Renders the answer for the latest intent in the conversation language."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        utter_knowledge_answer(dispatcher, tracker)
        return []
