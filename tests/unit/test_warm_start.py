"""A training that starts from the model it replaces (bot/plugins/components/warm_start.py):
the featurizers keep every known n-gram's column, the classifier starts from the base's
coefficients laid out for the new columns and intents, and anything that does not match
the base trains from zero. On small real components and a real model archive."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphModelConfiguration, GraphSchema, SchemaNode
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.core.domain import Domain
from rasa.shared.data import TrainingType
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from bot.conversation.lemmas import LemmaTable
from bot.plugins.components import warm_start
from bot.plugins.components.count_vectors import SentenceCountVectorsFeaturizer
from bot.plugins.components.intent_classifier import LogCountLogisticRegression
from bot.plugins.components.language_tokenizer import LanguageAwareTokenizer

KNOWN = {
    "greet": ["hello there", "hi", "good morning", "hello hello hello", "hey there"],
    "ask_venue": ["where is the venue", "what is the address of the venue", "where is it held"],
    "thank": ["thanks a lot", "thank you", "many thanks for the help"],
}
NEW = {"ask_cloakroom": ["where can I leave my coat", "is there a cloakroom", "coat check please", "cloakroom hours"]}
NODES = {
    "words": (SentenceCountVectorsFeaturizer, {}),
    "chars": (SentenceCountVectorsFeaturizer, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3}),
    "classifier": (LogCountLogisticRegression, {"max_iter": 200, "C": 10.0}),
}


def _schema(extra: Dict[str, dict]) -> GraphSchema:
    return GraphSchema(
        {
            name: SchemaNode(needs={}, uses=cls, constructor_name="create", fn="train", config={**config, **extra})
            for name, (cls, config) in NODES.items()
        }
    )


def _data(intents: Dict[str, List[str]]) -> TrainingData:
    data = TrainingData([Message(data={"text": t, "intent": i}) for i, texts in intents.items() for t in texts])
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
    return data


def _train(folder: Path, intents: Dict[str, List[str]], schema: GraphSchema) -> Tuple[LocalModelStorage, list]:
    """The three nodes trained as Rasa's graph would: each featurizer, then the classifier."""
    folder.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(folder)
    data = _data(intents)
    components = []
    for name, (cls, _) in NODES.items():
        config = {**cls.get_default_config(), **schema.nodes[name].config}
        component = cls.create(config, storage, Resource(name), ExecutionContext(schema, node_name=name))
        component.train(data)
        if hasattr(component, "process_training_data"):
            component.process_training_data(data)
        components.append(component)
    return storage, components


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Tuple[Path, str, list]:
    """A model archive trained on the known intents, as `rasa train` packages one."""
    folder = tmp_path_factory.mktemp("base")
    schema = _schema({})
    storage, components = _train(folder / "storage", KNOWN, schema)
    archive = folder / "base.tar.gz"
    return archive, _package(storage, schema, archive), components


def _package(storage: LocalModelStorage, schema: GraphSchema, archive: Path) -> str:
    """The trained nodes as a model archive, as `rasa train` packages one; its model id."""
    configuration = GraphModelConfiguration(schema, GraphSchema({}), TrainingType.NLU, "test", "en", None, None)
    return storage.create_model_package(archive, configuration, Domain.empty()).model_id


def _warm(archive: Path, model_id: str, iterations: int) -> Dict[str, object]:
    return {warm_start.WARM_START_KEY: {"model": str(archive), "model_id": model_id}, "warm_max_iter": iterations}


def test_the_featurizers_keep_every_known_n_gram_s_column_and_add_the_new_after(base, tmp_path):
    archive, model_id, (words, chars, _) = base
    _, (new_words, new_chars, _) = _train(tmp_path, {**KNOWN, **NEW}, _schema(_warm(archive, model_id, 0)))
    for old, new in ((words, new_words), (chars, new_chars)):
        before, after = old.vectorizers[TEXT].vocabulary_, new.vectorizers[TEXT].vocabulary_
        assert {token: after[token] for token in before} == before
        assert sorted(index for token, index in after.items() if token not in before) == list(
            range(len(before), len(after))
        )
    assert "cloakroom" in new_words.vectorizers[TEXT].vocabulary_


@pytest.fixture()
def starting_points(monkeypatch) -> list:
    """What each LogisticRegression.fit starts lbfgs from: (coef_, intercept_), or None for zeros."""
    starts = []
    fit = LogisticRegression.fit

    def recording_fit(self, X, y, sample_weight=None):
        warm = self.warm_start and hasattr(self, "coef_")
        starts.append((self.coef_.copy(), self.intercept_.copy()) if warm else None)
        return fit(self, X, y, sample_weight)

    monkeypatch.setattr(LogisticRegression, "fit", recording_fit)
    return starts


def test_the_classifier_starts_from_the_base_s_coefficients(base, tmp_path, starting_points):
    """lbfgs starts from the base's coefficients laid out anew: known intents and n-grams
    keep their weights, the new ones start at zero."""
    archive, model_id, (words, chars, classifier) = base
    _, (new_words, _, started) = _train(tmp_path, {**KNOWN, **NEW}, _schema(_warm(archive, model_id, 5)))
    [(coefficients, intercepts)] = starting_points
    old_classes = list(classifier.clf.classes_)
    assert list(started.clf.classes_) == sorted([*old_classes, "ask_cloakroom"])
    old_words = len(words.vectorizers[TEXT].vocabulary_)
    new_words_count = len(new_words.vectorizers[TEXT].vocabulary_)
    assert new_words_count > old_words
    for row, label in enumerate(started.clf.classes_):
        if label == "ask_cloakroom":
            assert not coefficients[row].any()
            continue
        old_row = classifier.clf.coef_[old_classes.index(label)]
        assert old_row.any()
        assert np.array_equal(coefficients[row, :old_words], old_row[:old_words])
        assert not coefficients[row, old_words:new_words_count].any()  # the new words
        assert np.array_equal(coefficients[row, new_words_count:][: len(old_row) - old_words], old_row[old_words:])
        assert intercepts[row] == classifier.clf.intercept_[old_classes.index(label)]


def test_a_few_iterations_from_the_base_learn_the_new_intent(base, tmp_path):
    archive, model_id, _ = base
    _, (words, chars, warm) = _train(tmp_path, {**KNOWN, **NEW}, _schema(_warm(archive, model_id, 20)))
    queries = [Message(data={"text": t}) for t in ("can I leave my coat here", "hello hello", "where is the venue")]
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(queries)
    for featurizer in (words, chars):
        featurizer.process(queries)
    warm.process(queries)
    assert [q.get("intent")["name"] for q in queries] == ["ask_cloakroom", "greet", "ask_venue"]


def test_a_node_set_up_differently_from_the_base_s_trains_from_zero(base, tmp_path, caplog, starting_points):
    archive, model_id, _ = base
    schema = _schema(_warm(archive, model_id, 5))
    schema.nodes["classifier"].config["C"] = 1.0
    _, (_, _, started) = _train(tmp_path, {**KNOWN, **NEW}, schema)
    assert starting_points == [None]
    assert started.clf.max_iter == 200  # a full training
    assert "classifier: the base model has no node like it; training from zero" in caplog.text


def test_a_base_replaced_since_the_configuration_was_written_stops_the_training(base, tmp_path):
    archive, _, _ = base
    warm_start._unpacked.cache_clear()
    with pytest.raises(warm_start.WarmStartError, match="replaced after the publish started"):
        _train(tmp_path, {**KNOWN, **NEW}, _schema(_warm(archive, "another-model", 0)))


def test_the_tokenizer_takes_the_base_s_lemma_tables_instead_of_reading_spacy_s(tmp_path, monkeypatch):
    config = {**LanguageAwareTokenizer.get_default_config(), "languages": ["nl"]}
    schema = GraphSchema({"tokenizer": SchemaNode({}, LanguageAwareTokenizer, "create", "train", config)})
    (tmp_path / "base").mkdir()
    storage = LocalModelStorage(tmp_path / "base")
    context = ExecutionContext(schema, node_name="tokenizer")
    base = LanguageAwareTokenizer.create(config, storage, Resource("tokenizer"), context)
    base.train(_data(KNOWN))
    archive = tmp_path / "base.tar.gz"
    model_id = _package(storage, schema, archive)

    def no_spacy_tables(code):
        raise AssertionError(f"spaCy's {code} lemma table read again")

    monkeypatch.setattr(LemmaTable, "from_spacy", no_spacy_tables)
    warm_config = {**config, **_warm(archive, model_id, 0)}
    warm_schema = GraphSchema({"tokenizer": SchemaNode({}, LanguageAwareTokenizer, "create", "train", warm_config)})
    (tmp_path / "new").mkdir()
    warm = LanguageAwareTokenizer.create(
        warm_config, LocalModelStorage(tmp_path / "new"), Resource("tokenizer"),
        ExecutionContext(warm_schema, node_name="tokenizer"),
    )
    message = Message(data={"text": "waar zijn de vergaderingen", "language": {"code": "nl"}})
    for tokenizer in (base, warm):
        tokenizer.process([message])
        lemmas = [token.lemma for token in message.get("text_tokens")]
        assert lemmas == [base._lemmas["nl"].lemma(word) or word for word in message.get("text").split()]
    assert lemmas[-1] == "vergadering"  # a plural, lemmatised
    assert set(warm._lemmas) == set(base._lemmas)
