"""NLU component that records each message's language in the parse result."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.languages import LanguageIdentifier, load_catalogue
from bot.plugins.components.base import ConfiguredComponent

# Key of the detection in the parse result (``tracker.latest_message["language"]``).
LANGUAGE_KEY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class LanguageDetector(ConfiguredComponent):
    """Runs first in the pipeline so the tokenizer can use the detected language.

    Registered as a featurizer because Rasa only runs non-trainable components on
    training data when they are tokenizers or featurizers; it adds no features.
    """

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._detector = LanguageIdentifier(load_catalogue())

    def _annotate(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if text is None:
            return
        detection = self._detector.detect(text)
        message.set(LANGUAGE_KEY, detection.as_dict(), add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._annotate(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._annotate(message)
        return messages
