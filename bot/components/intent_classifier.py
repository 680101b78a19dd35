"""Logistic-regression intent classifier on log-scaled n-gram counts.

Rasa's ``LogisticRegressionClassifier`` feeds the raw counts of the count vectorisers
to scikit-learn with the default regularisation (``C=1``). On our data (31 intents,
six languages, ~26,000 examples, ~100,000 word and character n-grams) that lets long
messages and frequent character n-grams dominate: the held-out sets lost 82 of 1,548
messages. ``log(1 + count)`` keeps "this n-gram occurs" as the main signal, and the
weaker regularisation suits the many sparse features: 70 errors, a third less of the
fallback rate, and training takes half the time (docs/evaluation.md has the sweep).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from scipy.sparse import csr_matrix, vstack
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LogCountLogisticRegression(LogisticRegressionClassifier):
    """Rasa's classifier, with log-scaled features and a configurable ``C``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0}

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """The sentence-level sparse features of each message, as ``log(1 + count)``.

        One ``vstack`` of the featurisers' own sentence matrices: Rasa's version builds
        a two-part ``hstack`` per message (with an empty dense part), which was about a
        tenth of the server's CPU per message. Dense features, should a featuriser add
        them (or a message lacks sparse ones), still go through Rasa's code.
        """
        rows = [m.get_sparse_features(attribute=TEXT)[1] for m in messages]
        if any(row is None for row in rows) or any(
            m.get_dense_features(attribute=TEXT)[1] for m in messages
        ):
            return super()._create_X(messages).tocsr().log1p()
        return vstack([row.features for row in rows], format="csr").log1p()
