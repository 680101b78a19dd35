"""bot.conversation.lemmas and the tokenizer's stored lemmas: the compact tables give
exactly spaCy's lookup lemmas, as the tokenizer uses them, on every training example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.conversation.lemmas import LEMMA_LANGUAGES, LemmaTable
from bot.plugins.components.language_detector import LANGUAGE_KEY
from bot.plugins.components.language_tokenizer import LanguageAwareTokenizer
from tests.conftest import ROOT

ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def training_lines(code: str):
    for path in sorted((ROOT / "data" / "nlu" / code).glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                text = ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line.strip().removeprefix("- "))
                if text:
                    yield text


@pytest.mark.parametrize("code", sorted(LEMMA_LANGUAGES))
def test_the_compact_table_gives_spacys_lemma_for_every_training_word(code):
    """spaCy's lookup lemmatizer (its own language subclass: Dutch looks up lower case)
    against the compact table, on each word of the training examples in context."""
    nlp = spacy.blank(code)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = LemmaTable.from_spacy(code)
    assert table is not None
    words = 0
    for doc in nlp.pipe(training_lines(code)):
        for token in doc:
            words += 1
            assert (table.lemma(token.text) or token.text).lower() == (token.lemma_ or token.text).lower(), token.text
    assert words > 10_000


def test_arrays_round_trip_and_unknown_words_are_their_own_lemma():
    table = LemmaTable.from_entries([(spacy.strings.get_string_id("spoke"), "speak"),
                                     (spacy.strings.get_string_id("données"), ["donnée", "donner"])])
    again = LemmaTable.from_arrays(table.arrays("xx"), "xx")
    assert [again.lemma(w) for w in ("spoke", "données", "Mechelen")] == ["speak", "donnée", "Mechelen"]


def test_a_trained_tokenizer_stores_its_lemmas_in_the_model_and_loads_them(tmp_path: Path):
    config = {**LanguageAwareTokenizer.get_default_config(), "languages": ["en", "nl"]}
    storage = LocalModelStorage(tmp_path)
    resource = Resource("tokenizer")
    context = ExecutionContext(GraphSchema({}), "tokenizer")
    trained = LanguageAwareTokenizer.create(config, storage, resource, context)
    trained.train(None)  # type: ignore[arg-type] - it learns nothing from the data
    loaded = LanguageAwareTokenizer.load(config, storage, resource, context)

    from rasa.shared.nlu.training_data.message import Message

    for code, text in (("en", "Who spoke at the opening ceremonies?"), ("nl", "Gingen de Burgemeesters naar huis?")):
        message = Message(data={"text": text, LANGUAGE_KEY: {"code": code}})
        expected = [(t.text, t.lemma) for t in trained.tokenize(message, "text")]
        assert [(t.text, t.lemma) for t in loaded.tokenize(message, "text")] == expected
    english = Message(data={"text": "Who spoke?", LANGUAGE_KEY: {"code": "en"}})
    assert "speak" in [t.lemma for t in loaded.tokenize(english, "text")]
