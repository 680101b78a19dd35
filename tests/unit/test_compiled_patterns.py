"""bot.plugins.compiled_patterns and the tokenizer's stored patterns: a pattern made from
stored code is the pattern Python compiles (same flags, code and text), and the tokenizer
loaded with them gives the tokens of regular expressions compiled by Python, on every
training example of every language."""

from __future__ import annotations

import re
import sre_compile
import uuid
from pathlib import Path

import pytest
import spacy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.languages import load_catalogue
from bot.plugins import compiled_patterns
from bot.plugins.compiled_patterns import PatternStore
from bot.plugins.components.language_detector import LANGUAGE_KEY
from bot.plugins.components.language_tokenizer import (
    PATTERNS_FILE,
    TOKENIZER_PATTERNS,
    LanguageAwareTokenizer,
)
from tests.unit.test_lemmas import training_lines

PYTHON_COMPILE = sre_compile.compile


def unique(pattern: str) -> str:
    """A pattern re.compile has never seen (its own cache would answer otherwise)."""
    return f"(?:{pattern})|{uuid.uuid4().hex}"


def test_a_stored_pattern_is_the_one_python_compiles_after_a_round_trip(tmp_path: Path):
    store = PatternStore()
    texts = [(unique(r"(?P<word>[a-zé]+)-(?P=word)"), 0), (unique(r"^l['’]\w+$"), re.IGNORECASE), (unique("x"), 0)]
    made = [store.compile(text, flags) for text, flags in texts]
    store.save(tmp_path / "patterns.npz")
    loaded = PatternStore.load(tmp_path / "patterns.npz")
    for (text, flags), first in zip(texts, made, strict=True):
        again = loaded.compile(text, flags)
        assert again == first == PYTHON_COMPILE(text, flags)
        assert (again.groupindex, again.groups, again.flags) == (first.groupindex, first.groups, first.flags)
    assert loaded.compile(*texts[0]).match("été-été").group("word") == "été"
    assert not loaded.compile(*texts[1]).match("L'adresse!")


def test_serving_answers_re_compile_from_the_store_and_keeps_what_it_compiles():
    text = unique("ab+c")
    store = PatternStore()
    with store.serving():
        assert sre_compile.compile == store.compile
        compiled = re.compile(text)
    assert sre_compile.compile is PYTHON_COMPILE
    assert (text, 0) in store.entries and compiled == PYTHON_COMPILE(text, 0)
    assert store.compile(b"bytes", 0) == PYTHON_COMPILE(b"bytes", 0)  # passed through, not kept
    assert len(store.entries) == 1


def test_cover_keeps_patterns_compiled_before_the_store_served():
    earlier = re.compile(unique(r"\d+"))
    store = PatternStore()
    store.cover([earlier])
    assert store.compile(earlier.pattern) == earlier


def test_code_stored_for_another_engine_is_compiled_again(tmp_path: Path, monkeypatch):
    store = PatternStore()
    store.compile(unique("q"))
    store.save(tmp_path / "patterns.npz")
    monkeypatch.setattr(compiled_patterns, "ENGINE", [3, 99, 0, 4])
    assert PatternStore.load(tmp_path / "patterns.npz").entries == {}


@pytest.fixture(scope="module")
def loaded_tokenizer(tmp_path_factory) -> LanguageAwareTokenizer:
    """The tokenizer as the model stores it, loaded with its compiled patterns."""
    config = LanguageAwareTokenizer.get_default_config()
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("tokenizer")
    context = ExecutionContext(GraphSchema({}), "tokenizer")
    LanguageAwareTokenizer.create(config, storage, resource, context).train(None)  # type: ignore[arg-type]
    with storage.read_from(resource) as directory:
        stored = PatternStore.load(directory / PATTERNS_FILE)
    assert any(len(text) > 1_000_000 for text, _ in stored.entries)  # French words with hyphens
    return LanguageAwareTokenizer.load(config, storage, resource, context)


def test_the_loaded_tokenizers_match_with_the_patterns_python_compiles(loaded_tokenizer):
    patterns = list(loaded_tokenizer._tokenizer_patterns())
    # prefixes, suffixes, infixes and URLs in the six and the fallback; French words too
    assert len(patterns) == 4 * (len(load_catalogue().codes) + 1) + 1
    for pattern in patterns:
        assert pattern == PYTHON_COMPILE(pattern.pattern, 0)


@pytest.mark.parametrize("code", load_catalogue().codes)
def test_every_training_example_gets_the_tokens_of_python_compiled_patterns(loaded_tokenizer, code):
    """A spaCy tokenizer whose regular expressions Python compiles again, against the
    loaded component, token by token (texts, offsets, lemmas) over the training data."""
    reference = spacy.blank(code).tokenizer
    for name in TOKENIZER_PATTERNS:
        served = getattr(reference, name)
        if served is not None:
                setattr(reference, name, getattr(PYTHON_COMPILE(served.__self__.pattern, 0), served.__name__))
    table = loaded_tokenizer._lemmas.get(code)
    lines = 0
    for text in training_lines(code):
        lines += 1
        expected = [
            (t.text, t.idx, ((table.lemma(t.text) if table else "") or t.text).lower())
            for t in reference(text)
            if not (t.is_punct or t.is_space)
        ] or [(text, 0, text.lower())]
        message = Message(data={"text": text, LANGUAGE_KEY: {"code": code}})
        assert [(t.text, t.start, t.lemma) for t in loaded_tokenizer.tokenize(message, "text")] == expected, text
    assert lines > 1_000

