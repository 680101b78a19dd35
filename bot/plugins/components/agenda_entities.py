"""NLU component that finds days, parts of the day, clock times and "now/next/later".

Wraps ``bot.conversation.agenda.timeparse`` so the same, unit-tested normaliser serves the NLU
(entities in the parse result, visible in ``rasa shell nlu`` and the tracker) and the
tests. Values are already language-neutral (``weekday:4``, ``15:00``); the action
resolves them against the conference clock, which only the action server knows.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TEXT,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.agenda.timeparse import extract
from bot.plugins.components.base import ConfiguredComponent
from bot.plugins.components.language_detector import LANGUAGE_KEY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AgendaEntityExtractor(ConfiguredComponent, EntityExtractorMixin):
    """Adds ``agenda_day``/``agenda_part``/``agenda_time``/``agenda_relative`` entities.

    Uses the word lists of the detected language when the detection is reliable (so
    French "mon" is not English "Mon(day)"), else those of all six ("à 15h ?").
    """

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            detection = message.get(LANGUAGE_KEY) or {}
            language = detection.get("code") if detection.get("reliable") else None
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: mention.entity,
                    ENTITY_ATTRIBUTE_VALUE: mention.value,
                    ENTITY_ATTRIBUTE_START: mention.start,
                    ENTITY_ATTRIBUTE_END: mention.end,
                    ENTITY_ATTRIBUTE_TEXT: mention.text,
                }
                for mention in extract(text, language)
            ]
            if found:
                entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
