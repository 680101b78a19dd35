"""Answers FAQ intents (``faq_<id>``) from the organisers' answer store, read live.

The answer's source is looked up in the knowledge base's source registry (data/sources.yml);
once the conference is over by the conference clock (``BOT_CLOCK``, as for the agenda and the
knowledge base), entries with after-event answers give those.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import CLOCK
from actions.knowledge import STORE as CONTENT
from bot.conversation.content import ContentError, Source
from bot.conversation.faq.answers import LiveFaqAnswers, render
from bot.conversation.faq.model import FaqEntry
from bot.conversation.languages import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)

# One store per action-server process; it reloads data/faq/answers.json after `faq import`.
ANSWERS = LiveFaqAnswers()


def _source(entry: FaqEntry, language: Optional[str]) -> Tuple[Optional[str], Optional[Source]]:
    """The "Source" label in ``language`` and the entry's source, from the knowledge base."""
    try:
        kb = CONTENT.get()
    except ContentError:
        return None, None
    labels = kb.strings["source_label"]
    return labels.get(language or DEFAULT_LANGUAGE, labels.get(DEFAULT_LANGUAGE)), kb.sources.get(entry.source)


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
        label, source = _source(entry, language)
        dispatcher.utter_message(text=render(entry, language, label, source, CLOCK.after_event()))
        return []
