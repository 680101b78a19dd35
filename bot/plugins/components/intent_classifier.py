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

import logging
import warnings
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix, csr_matrix, spmatrix
from sklearn.exceptions import ConvergenceWarning

from bot.plugins.components import warm_start

logger = logging.getLogger(__name__)

COEFFICIENTS_FILE = "coefficients.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LogCountLogisticRegression(LogisticRegressionClassifier):
    """Rasa's classifier, with log-scaled features and a configurable ``C``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # warm_max_iter: lbfgs iterations when starting from the base model's coefficients
        # (bot/plugins/components/warm_start.py; measured in docs/organisers.md).
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "warm_max_iter": 20}

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
        base: Optional[Tuple[ModelStorage, Resource]] = None,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])
        self._base = base  # where the base model keeps this classifier, for a warm start
        self._widths: List[int] = []  # each featurizer's number of columns, in order

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LogCountLogisticRegression":
        return cls(
            config,
            execution_context.node_name,
            model_storage,
            resource,
            warm_start.base_resource(config, execution_context),
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Rasa's training, from the base model's coefficients when there is a base.
        ``max_iter`` (config.yml) stops lbfgs before its own criterion on purpose (same
        held-out accuracy in half the time), so its warning is noise."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        matrices = _sentence_matrices(examples[0]) if examples else None
        self._widths = [matrix.shape[1] for matrix in matrices or []]
        if self._base is not None:
            self._start_from_base(sorted({e.get(INTENT) for e in examples}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return super().train(training_data)

    def _start_from_base(self, labels: List[str]) -> None:
        """Set the base model's coefficients as lbfgs's starting point, laid out for this
        training: its intents by name (a new one starts at zero), each featurizer's known
        columns where they were (the featurizers append new n-grams after them)."""
        assert self._base is not None
        storage, resource = self._base
        try:
            with storage.read_from(resource) as directory, np.load(directory / COEFFICIENTS_FILE) as stored:
                base = {name: stored[name] for name in stored.files}
        except (ValueError, FileNotFoundError):
            base = {}
        old_widths = [int(width) for width in base.get("widths_", [])]
        if (
            len(labels) < 3  # a binary classifier has one row of coefficients, not one per class
            or len(old_widths) != len(self._widths)
            or any(old > new for old, new in zip(old_widths, self._widths, strict=True))
        ):
            logger.warning(f"{self.name}: the base model's classifier does not fit this training; training from zero.")
            return
        row_of = {str(label): row for row, label in enumerate(base["classes_"])}
        old_starts = np.cumsum([0, *old_widths[:-1]])
        new_starts = np.cumsum([0, *self._widths[:-1]])
        coefficients = np.zeros((len(labels), sum(self._widths)))
        intercepts = np.full(len(labels), float(np.mean(base["intercept_"])))
        for row, label in enumerate(labels):
            old_row = row_of.get(label)
            if old_row is None:
                continue
            intercepts[row] = base["intercept_"][old_row]
            for old_start, new_start, width in zip(old_starts, new_starts, old_widths, strict=True):
                coefficients[row, new_start : new_start + width] = base["coef_"][old_row, old_start : old_start + width]
        self.clf.set_params(warm_start=True, max_iter=self.config["warm_max_iter"])
        self.clf.coef_, self.clf.intercept_ = coefficients, intercepts

    def persist(self) -> None:
        """The fitted arrays as one ``.npz``. Rasa stores the scikit-learn object with skops,
        whose import alone took about 3 s of CPU at every start of every server; arrays
        load in milliseconds and, read without pickle, run no code from the file."""
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / COEFFICIENTS_FILE,
                coef_=self.clf.coef_,
                intercept_=self.clf.intercept_,
                classes_=np.asarray(self.clf.classes_, dtype=str),
                widths_=np.asarray(self._widths, dtype=np.int64),
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LogCountLogisticRegression":
        """The fitted classifier, its coefficients laid out for prediction (``column_major``);
        untrained (as Rasa's) when the model has none."""
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with (
                model_storage.read_from(resource) as directory,
                np.load(directory / COEFFICIENTS_FILE, allow_pickle=False) as stored,
            ):
                component.clf.coef_ = stored["coef_"]
                component.clf.intercept_ = stored["intercept_"]
                component.clf.classes_ = stored["classes_"]
        except ValueError:  # no trained classifier in the model
            return component
        except FileNotFoundError:  # a model stored before the arrays were: Rasa's skops file
            component = super().load(config, model_storage, resource, execution_context, **kwargs)
        component.clf.n_features_in_ = component.clf.coef_.shape[1]
        column_major(component.clf)
        return component

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """The sentence-level sparse features of each message, as ``log(1 + count)``.

        The same matrix as Rasa's (each message's featuriser matrices side by side, one
        row per message), built in one step from their non-zero entries: Rasa's way —
        a deep copy and an ``hstack`` per message through ``get_sparse_features``, then a
        ``vstack`` — was about a twentieth of the server's CPU per message. Messages with
        dense sentence features (or none at all) still go through Rasa's code.
        """
        rows = [_sentence_matrices(message) for message in messages]
        sparse_rows = [row for row in rows if row is not None]
        widths = {sum(matrix.shape[1] for matrix in row) for row in sparse_rows}
        if not rows or len(sparse_rows) != len(rows) or len(widths) != 1:
            return super()._create_X(messages).tocsr().log1p()
        return _side_by_side(sparse_rows, widths.pop()).log1p()


def column_major(classifier: Any) -> None:
    """Store a fitted linear model's ``coef_`` column by column (same values).

    scikit-learn predicts with ``X @ coef_.T``; scipy multiplies a sparse matrix by a
    dense one only when the dense one is laid out row by row, so with ``coef_`` stored
    row by row (as fitted and as loaded) every prediction first copied all of it
    (32 classes × 112,112 n-grams here, 28 MB): ~7 ms of CPU per message, more than
    the rest of the NLU pipeline together (``python -m bench.micro classifier``).
    Stored column by column, ``coef_.T`` is already laid out row by row and nothing is
    copied; the products are summed in the same order, so the probabilities are the
    same to the last bit.
    """
    coefficients = getattr(classifier, "coef_", None)
    if isinstance(coefficients, np.ndarray):
        classifier.coef_ = np.asfortranarray(coefficients)


def _sentence_matrices(message: Message) -> Optional[List[spmatrix]]:
    """The sparse sentence features of the text, in the order Rasa combines them; None
    when there is a dense one or no sparse one (then Rasa's code decides)."""
    matrices = []
    for features in message.features:
        if features.attribute == TEXT and features.type == FEATURE_TYPE_SENTENCE:
            if not features.is_sparse():
                return None
            matrices.append(features.features)
    return matrices or None


def _side_by_side(rows: List[List[spmatrix]], width: int) -> csr_matrix:
    """Row ``i``: the matrices of ``rows[i]`` (one row each) next to each other."""
    data, row_numbers, columns = [], [], []
    for number, matrices in enumerate(rows):
        offset = 0
        for matrix in matrices:
            entries = matrix.tocoo(copy=False)
            data.append(entries.data)
            columns.append(entries.col + offset)
            row_numbers.append(np.full(entries.nnz, number, dtype=entries.col.dtype))
            offset += matrix.shape[1]
    return coo_matrix(
        (np.concatenate(data), (np.concatenate(row_numbers), np.concatenate(columns))),
        shape=(len(rows), width),
    ).tocsr()  # sums duplicate entries, as Rasa's stacking does
