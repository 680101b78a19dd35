"""NLU component that gives the rest of the pipeline the question of a message with
several parts (bot/conversation/focus.py): first in config.yml, so language detection,
features and intent all see "where is the venue?" rather than the greeting or the
contact details around it. What the user wrote is kept as written in the conversation
(Rasa stores the message's own text); the parse result's ``text`` is the question.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.focus import question_of
from bot.plugins.components.base import ConfiguredComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class QuestionFocus(ConfiguredComponent):
    """Replaces a message's text by its question; training examples are left as written.

    Registered as a featurizer because Rasa only runs non-trainable components on
    training data when they are tokenizers or featurizers; it adds no features.
    """

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # one question each, written to be learnt as they are

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                focused = question_of(text)
                if focused != text:
                    message.set(TEXT, focused)
        return messages
