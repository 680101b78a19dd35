"""NLU component that records each message's language in the parse result.

It learns, at training time, how the six languages spell this domain's words: a
character n-gram model (bot/conversation/language_model.py) from the training examples.
An example's language is the folder it is written in (``data/nlu/<lang>/``, the
``examples`` setting): Rasa hands the component the examples without their files, so
the texts are looked up in those folders. Examples found in none of them (the
unsupported-language ones in ``data/nlu/unsupported.yml``) are left out. The model is
stored with the trained Rasa model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.language_model import LanguageModel
from bot.conversation.languages import LanguageIdentifier, load_catalogue

# Key of the detection in the parse result (``tracker.latest_message["language"]``).
LANGUAGE_KEY = "language"
MODEL_FILE = "language_model.json"


def languages_of_examples(folder: Path, codes: List[str]) -> Dict[str, str]:
    """Example text → language, from the training files of ``folder/<code>/``."""
    from rasa.shared.nlu.training_data.loading import load_data

    found: Dict[str, str] = {}
    for code in codes:
        if (folder / code).is_dir():
            for example in load_data(str(folder / code)).training_examples:
                found.setdefault(example.get(TEXT), code)
    return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageDetector(GraphComponent):
    """Runs first in the pipeline so the tokenizer can use the detected language.

    Registered as a featurizer because Rasa only hands training data to featurizers and
    tokenizers before the classifier; it adds no features.
    """

    def __init__(
        self,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        model: Optional[LanguageModel] = None,
        config: Optional[Dict[Text, Any]] = None,
    ) -> None:
        """Without storage: a detector that cannot learn (lingua alone), for tools and tests."""
        self._config = {**self.get_default_config(), **(config or {})}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._detector = LanguageIdentifier(load_catalogue(), model)

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"examples": "data/nlu"}  # one folder per language code, relative to the project

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(model_storage, resource, config=config)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetector":
        try:
            with model_storage.read_from(resource) as directory:
                model = LanguageModel.from_dict(json.loads((directory / MODEL_FILE).read_text(encoding="utf-8")))
        except (ValueError, OSError):  # a model trained before this component learnt
            model = None
        return cls(model_storage, resource, model, config)

    def train(self, training_data: TrainingData) -> Resource:
        catalogue = load_catalogue()
        language_of = languages_of_examples(Path(self._config["examples"]), catalogue.codes)
        texts = [example.get(TEXT) for example in training_data.training_examples]
        labelled = [(text, language_of[text]) for text in texts if text in language_of]
        if labelled and self._model_storage is not None and self._resource is not None:
            self._model = LanguageModel.train(labelled)
            self._detector = LanguageIdentifier(load_catalogue(), self._model)
            with self._model_storage.write_to(self._resource) as directory:
                (directory / MODEL_FILE).write_text(json.dumps(self._model.as_dict()), encoding="utf-8")
        assert self._resource is not None, "trained without a resource"
        return self._resource

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
