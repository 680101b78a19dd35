"""Training that starts from the model it replaces, so that publishing a new FAQ entry is quick.

A new entry is a new intent: every trained component's input changes, so Rasa's cache
reuses nothing, and Rasa's own fine-tuning (``rasa train --finetune``) refuses new intents.
Most of a full training is the classifier's 250 lbfgs iterations from zero
(bot/plugins/components/intent_classifier.py). Started from the current model's
coefficients, it needs a fraction of them: every known n-gram and intent keeps its weight
and only the new ones are learnt. The tokenizer takes the base model's lemma tables
instead of reading spaCy's again.

``python -m bot publish`` asks for it by training with a copy of config.yml in which the
featurizers and the classifier carry ``warm_start: {model: <path>, model_id: <id>}``
(``warm_config``). The model id is part of the setting, so Rasa's training cache never
hands a warm-started result to a cold training or to a warm one from another model. A
component warm-starts only from the same node of the base model (same class, same
settings apart from this one); otherwise it trains from zero and says so in the log.
"""

from __future__ import annotations

import atexit
import copy
import functools
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelMetadata

logger = logging.getLogger(__name__)

WARM_START_KEY = "warm_start"
# The components of config.yml that can start from the base model.
WARM_COMPONENTS = (
    "bot.plugins.components.language_tokenizer.LanguageAwareTokenizer",
    "bot.plugins.components.count_vectors.SentenceCountVectorsFeaturizer",
    "bot.plugins.components.intent_classifier.LogCountLogisticRegression",
)


class WarmStartError(RuntimeError):
    """The base model named in the configuration is not the one on disk."""


@dataclass(frozen=True)
class BaseModel:
    storage: LocalModelStorage
    metadata: ModelMetadata


@functools.lru_cache(maxsize=1)
def _unpacked(path: str, model_id: str) -> BaseModel:
    """The base model, unpacked once per training into a folder removed at exit."""
    directory = Path(tempfile.mkdtemp(prefix="warm-start-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    storage, metadata = LocalModelStorage.from_model_archive(directory, path)
    if metadata.model_id != model_id:
        raise WarmStartError(
            f"{path} is model {metadata.model_id}, not {model_id} as the training configuration says: "
            "it was replaced after the publish started. Publish again."
        )
    return BaseModel(storage, metadata)


def _without_warm_start(config: Dict[Text, Any]) -> Dict[Text, Any]:
    """The settings that shape what is learnt: not the warm start's own (``warm_*``)."""
    return {key: value for key, value in config.items() if not key.startswith("warm_")}


def base_resource(
    config: Dict[Text, Any], execution_context: ExecutionContext
) -> Optional[Tuple[LocalModelStorage, Resource]]:
    """Where this node's trained state is in the base model; None: train from zero."""
    setting = config.get(WARM_START_KEY)
    if not setting:
        return None
    name = execution_context.node_name
    base = _unpacked(str(setting["model"]), str(setting["model_id"]))
    mine = execution_context.graph_schema.nodes.get(name) if name else None
    theirs = base.metadata.train_schema.nodes.get(name) if name else None
    if (
        mine is None
        or theirs is None
        or mine.uses is not theirs.uses
        or _without_warm_start(mine.config) != _without_warm_start(theirs.config)
    ):
        logger.warning(f"{name}: the base model has no node like it; training from zero.")
        return None
    return base.storage, Resource(name)


def warm_config(config: Dict[Text, Any], model: Path, model_id: str) -> Dict[Text, Any]:
    """``config`` (config.yml's contents) with the warm start set on every component that has one."""
    warm = copy.deepcopy(config)
    for component in warm.get("pipeline", []):
        if component.get("name") in WARM_COMPONENTS:
            component[WARM_START_KEY] = {"model": str(model), "model_id": model_id}
    return warm
