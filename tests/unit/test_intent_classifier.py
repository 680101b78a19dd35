"""The log-count logistic regression: same features as Rasa's, log-scaled; trains, persists, loads."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.plugins.components.intent_classifier import LogCountLogisticRegression

EXAMPLES = {
    "greet": ["hello there", "hi", "good morning", "hello hello hello", "hey there"],
    "ask_venue": ["where is the venue", "what is the address of the venue", "where is it held"],
    "thank": ["thanks a lot", "thank you", "many thanks for the help"],
}


def _featurise(storage: LocalModelStorage, data: TrainingData, messages: List[Message]) -> None:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurisers = [
        CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), **config},
            storage,
            Resource(name),
            ExecutionContext(GraphSchema({}), name),
        )
        for name, config in (("words", {}), ("chars", {"analyzer": "char_wb", "max_ngram": 3}))
    ]
    tokenizer.process_training_data(data)
    tokenizer.process(messages)
    for featuriser in featurisers:
        featuriser.train(data)
        featuriser.process_training_data(data)
        featuriser.process(messages)


@pytest.fixture()
def setting(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    data = TrainingData(
        [Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts]
    )
    queries = [Message(data={"text": t}) for t in ("hello hello", "where is the venue held", "thanks")]
    _featurise(storage, data, queries)
    return storage, data, queries


def _classifier(storage: LocalModelStorage, cls=LogCountLogisticRegression):
    return cls.create(
        {**cls.get_default_config()}, storage, Resource("clf"), ExecutionContext(GraphSchema({}), "clf")
    )


def test_features_are_rasas_features_log_scaled(setting):
    storage, data, queries = setting
    ours = _classifier(storage)._create_X(queries).toarray()
    rasas = _classifier(storage, LogisticRegressionClassifier)._create_X(queries).toarray()
    assert rasas.max() > 1  # repeated words and n-grams: the scaling changes something
    np.testing.assert_array_equal(ours, np.log1p(rasas))
    training = _classifier(storage)._create_X(data.training_examples)
    assert training.dtype == np.float64 and training.shape[0] == len(data.training_examples)
    np.testing.assert_array_equal(
        training.toarray(),
        np.log1p(_classifier(storage, LogisticRegressionClassifier)._create_X(data.training_examples).toarray()))


def test_messages_with_dense_features_get_rasa_s_stacking(setting):
    from rasa.shared.nlu.training_data.features import Features

    storage, _, queries = setting
    for query in queries:
        query.add_features(Features(np.ones((1, 2)), "sentence", "text", "dense"))
    rasas = _classifier(storage, LogisticRegressionClassifier)._create_X(queries).toarray()
    assert rasas.shape[1] == queries[0].get_sparse_features("text")[1].features.shape[1] + 2
    np.testing.assert_array_equal(_classifier(storage)._create_X(queries).toarray(), np.log1p(rasas))


def test_regularisation_is_configurable(setting):
    storage, _, _ = setting
    classifier = LogCountLogisticRegression.create(
        {**LogCountLogisticRegression.get_default_config(), "C": 3.0},
        storage,
        Resource("clf"),
        ExecutionContext(GraphSchema({}), "clf"),
    )
    assert classifier.clf.C == 3.0


def test_trains_predicts_and_survives_persistence(setting):
    storage, data, queries = setting
    _classifier(storage).train(data)
    loaded = LogCountLogisticRegression.load(
        LogCountLogisticRegression.get_default_config(),
        storage,
        Resource("clf"),
        ExecutionContext(GraphSchema({}), "clf"),
    )
    loaded.process(queries)
    assert [q.get("intent")["name"] for q in queries] == ["greet", "ask_venue", "thank"]
    ranking = queries[0].get("intent_ranking")
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)


def test_loaded_coefficients_are_laid_out_for_prediction_and_predict_the_same(setting):
    """scipy copies a row-by-row ``coef_`` for every ``X @ coef_.T``; column by column
    it does not, and the probabilities are bit for bit those of the fitted model."""
    storage, data, queries = setting
    trained = _classifier(storage)
    trained.train(data)
    assert not trained.clf.coef_.flags["F_CONTIGUOUS"]  # scikit-learn's layout
    loaded = LogCountLogisticRegression.load(
        LogCountLogisticRegression.get_default_config(), storage, Resource("clf"),
        ExecutionContext(GraphSchema({}), "clf"))
    assert loaded.clf.coef_.flags["F_CONTIGUOUS"] and loaded.clf.coef_.T.flags["C_CONTIGUOUS"]
    X = trained._create_X(queries + data.training_examples)
    np.testing.assert_array_equal(loaded.clf.coef_, trained.clf.coef_)
    assert np.array_equal(loaded.clf.predict_proba(X), trained.clf.predict_proba(X))


def test_column_major_changes_the_layout_not_the_predictions():
    from scipy.sparse import random as sparse_random
    from sklearn.linear_model import LogisticRegression

    from bot.plugins.components.intent_classifier import column_major

    generator = np.random.default_rng(7)
    X = sparse_random(300, 5000, density=0.01, format="csr", random_state=7)
    y = generator.integers(0, 12, 300)
    model = LogisticRegression(max_iter=50).fit(X, y)
    before = model.predict_proba(X)
    column_major(model)
    assert model.coef_.T.flags["C_CONTIGUOUS"]
    assert np.array_equal(model.predict_proba(X), before)
    column_major(object())  # not fitted / not linear: left alone


def test_the_stored_classifier_predicts_exactly_as_the_fitted_one(tmp_path):
    """Stored as arrays (no skops, no pickle): the same probabilities to the last bit."""
    from scipy.sparse import random as sparse_random

    storage, resource = LocalModelStorage(tmp_path), Resource("classifier")
    context = ExecutionContext(GraphSchema({}), "classifier")
    config = LogCountLogisticRegression.get_default_config()
    fitted = LogCountLogisticRegression.create(config, storage, resource, context)
    X = sparse_random(60, 40, density=0.2, format="csr", random_state=1)
    y = [["greet", "goodbye", "ask_venue"][i % 3] for i in range(60)]
    fitted.clf.fit(X, y)
    fitted.persist()
    loaded = LogCountLogisticRegression.load(config, storage, resource, context)
    assert list(loaded.clf.classes_) == list(fitted.clf.classes_)
    assert (loaded.clf.predict_proba(X) == fitted.clf.predict_proba(X)).all()


def test_a_model_without_a_stored_classifier_loads_untrained(tmp_path):

    loaded = LogCountLogisticRegression.load(
        LogCountLogisticRegression.get_default_config(), LocalModelStorage(tmp_path), Resource("none"),
        ExecutionContext(GraphSchema({}), "none"))
    assert not hasattr(loaded.clf, "coef_")
