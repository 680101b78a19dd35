"""NLU component that routes messages in unsupported languages to their own intent."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from bot.plugins.components.base import ConfiguredComponent
from bot.plugins.components.language_detector import LANGUAGE_KEY

UNSUPPORTED_LANGUAGE_INTENT = "unsupported_language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UnsupportedLanguageRouter(ConfiguredComponent):
    """Overrides the intent when the detector is sure the message is in none of the six.

    The intent classifier, trained on six languages, would otherwise guess an intent
    for an Italian or Portuguese sentence and answer in the wrong language. Placed
    after the classifiers (and the FallbackClassifier) in ``config.yml``.
    """

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            detection = message.get(LANGUAGE_KEY) or {}
            if not detection.get("unsupported"):
                continue
            intent = {INTENT_NAME_KEY: UNSUPPORTED_LANGUAGE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [intent] + [
                entry
                for entry in (message.get(INTENT_RANKING_KEY) or [])
                if entry.get(INTENT_NAME_KEY) != UNSUPPORTED_LANGUAGE_INTENT
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
