"""Answers FAQ intents (``faq_<id>``) from the organisers' answer store, read live."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import STORE as CONTENT
from bot.conversation.content import ContentError
from bot.conversation.faq.answers import LiveFaqAnswers, render
from bot.conversation.languages import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)

# One store per action-server process; it reloads data/faq/answers.json after `faq import`.
ANSWERS = LiveFaqAnswers()


def _source_label(language: Optional[str]) -> Optional[str]:
    try:
        labels = CONTENT.get().strings["source_label"]
    except ContentError:
        return None
    return labels.get(language or DEFAULT_LANGUAGE, labels.get(DEFAULT_LANGUAGE))


class ActionFaq(Action):
    """Renders the current answer of the recognised FAQ entry in the conversation language."""

    def name(self) -> Text:
        return "action_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = tracker.get_slot("language")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        entry = ANSWERS.entry(intent)
        if entry is None:  # removed from the FAQ since the model was trained
            logger.warning("No FAQ entry for intent %s", intent)
            dispatcher.utter_message(response="utter_request_human")
            return []
        dispatcher.utter_message(text=render(entry, language, _source_label(language)))
        return []
