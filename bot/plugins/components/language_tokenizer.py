"""Tokenizer that splits and lemmatises each message with spaCy's rules for its language.

spaCy's blank pipelines know each language's punctuation and elision rules
("l'adresse", "¿dónde", "z'n"), and ``spacy-lookups-data`` maps inflected forms to
lemmas ("spoke" → "speak", "organisés" → "organisé"), which lets the featurizers
share evidence across word forms. Nothing is downloaded: blank pipelines and lookup
tables ship inside the pip packages. The lemma tables are stored in the model when it
is trained, as compact arrays (bot/conversation/lemmas.py): spaCy's own tables cost
about 330 MB in every serving process and seconds to read at start-up. So is what
Python compiles of spaCy's regular expressions (bot/plugins/compiled_patterns.py): the
French tokenizer's alone took 7 s of every start-up.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.languages import load_catalogue
from bot.conversation.lemmas import LemmaTable, load_tables, save_tables
from bot.plugins.compiled_patterns import PatternStore
from bot.plugins.components import warm_start
from bot.plugins.components.language_detector import LANGUAGE_KEY

# Multilingual fallback for text whose language is unknown (bot utterances, "ok").
FALLBACK_PIPELINE = "xx"
LEMMAS_FILE = "lemmas.npz"
PATTERNS_FILE = "patterns.npz"
# The tokenizer's regular expressions (spacy.tokenizer.Tokenizer's settings).
TOKENIZER_PATTERNS = ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class LanguageAwareTokenizer(Tokenizer, GraphComponent):
    """Tokenizes with the blank spaCy pipeline of the language set by LanguageDetector."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "languages": None,  # default: every language of data/languages.yml
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        lemmas: Optional[Dict[str, LemmaTable]] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        patterns: Optional[PatternStore] = None,
    ) -> None:
        """``lemmas`` and ``patterns`` (compiled regular expressions) as stored in the
        model; without lemmas (training, tools, tests) they are read from
        spacy-lookups-data, without patterns compiled."""
        super().__init__(config)
        codes = list(config["languages"] or load_catalogue().codes) + [FALLBACK_PIPELINE]
        self._patterns = patterns or PatternStore()
        with self._patterns.serving():
            self._pipelines = {code: spacy.blank(code) for code in codes}
        if lemmas is None:
            lemmas = {code: table for code in codes if (table := LemmaTable.from_spacy(code)) is not None}
        self._lemmas = lemmas
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageAwareTokenizer":
        """For training. With a warm start (bot/plugins/components/warm_start.py), the lemma
        tables are the base model's: they are spaCy's whole tables, whatever the training
        data, and reading them from the model takes a second instead of ten (so do its
        compiled patterns)."""
        base = warm_start.base_resource(config, execution_context)
        if base is None:
            return cls(config, None, model_storage, resource)
        with base[0].read_from(base[1]) as directory:
            lemmas, patterns = _stored(directory)
        return cls(config, lemmas, model_storage, resource, patterns)

    def train(self, training_data: TrainingData) -> Resource:
        """Nothing is learnt: the lemma tables and the compiled patterns of the spaCy
        tokenizers are stored for ``load``."""
        assert self._model_storage is not None and self._resource is not None
        self._patterns.cover(self._tokenizer_patterns())
        with self._model_storage.write_to(self._resource) as directory:
            save_tables(directory / LEMMAS_FILE, self._lemmas)
            self._patterns.save(directory / PATTERNS_FILE)
        return self._resource

    def _tokenizer_patterns(self) -> Iterator[re.Pattern]:
        """The compiled regular expressions the spaCy tokenizers match with."""
        for nlp in self._pipelines.values():
            for name in TOKENIZER_PATTERNS:
                pattern = getattr(getattr(nlp.tokenizer, name, None), "__self__", None)
                if isinstance(pattern, re.Pattern):
                    yield pattern

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageAwareTokenizer":
        """The stored lemma tables and patterns; for a model trained before they were
        stored, the lemmas are read from spacy-lookups-data and the patterns compiled."""
        try:
            with model_storage.read_from(resource) as directory:
                lemmas, patterns = _stored(directory)
        except (ValueError, FileNotFoundError):
            return cls(config, None, model_storage, resource)
        return cls(config, lemmas, model_storage, resource, patterns)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        code = FALLBACK_PIPELINE
        if attribute == TEXT:
            detection = message.get(LANGUAGE_KEY) or {}
            code = detection.get("code") or FALLBACK_PIPELINE
        if code not in self._pipelines:
            code = FALLBACK_PIPELINE
        doc = self._pipelines[code].make_doc(text)
        table = self._lemmas.get(code)
        tokens = [
            Token(t.text, t.idx, lemma=((table.lemma(t.text) if table else "") or t.text).lower())
            for t in doc
            if not (t.is_punct or t.is_space)
        ]
        if not tokens:
            tokens = [Token(text, 0, lemma=text.lower())]
        return self._apply_token_pattern(tokens)


def _stored(directory: Path) -> Tuple[Dict[str, LemmaTable], Optional[PatternStore]]:
    """The lemma tables and compiled patterns a trained tokenizer stored (no patterns in
    a model trained before they were stored)."""
    patterns = directory / PATTERNS_FILE
    return load_tables(directory / LEMMAS_FILE), PatternStore.load(patterns) if patterns.is_file() else None
