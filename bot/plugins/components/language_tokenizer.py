"""Tokenizer that splits and lemmatises each message with spaCy's rules for its language.

spaCy's blank pipelines know each language's punctuation and elision rules
("l'adresse", "¿dónde", "z'n"), and ``spacy-lookups-data`` maps inflected forms to
lemmas ("spoke" → "speak", "organisés" → "organisé"), which lets the featurizers
share evidence across word forms. Nothing is downloaded: blank pipelines and lookup
tables ship inside the pip packages.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.languages import load_catalogue
from bot.plugins.components.base import ConfiguredComponent
from bot.plugins.components.language_detector import LANGUAGE_KEY

# Multilingual fallback for text whose language is unknown (bot utterances, "ok").
FALLBACK_PIPELINE = "xx"
# Languages whose lookup lemma tables ship in spacy-lookups-data.
LEMMA_LANGUAGES = {"en", "fr", "nl", "es", "de"}


def _build_pipeline(code: str) -> "spacy.language.Language":
    nlp = spacy.blank(code)
    if code in LEMMA_LANGUAGES:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        spacy_logger = logging.getLogger("spacy")
        level = spacy_logger.level
        spacy_logger.setLevel(logging.WARNING)  # initialize() logs twice per language
        try:
            nlp.initialize()
        finally:
            spacy_logger.setLevel(level)
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LanguageAwareTokenizer(ConfiguredComponent, Tokenizer):
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

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        codes = list(config["languages"] or load_catalogue().codes) + [FALLBACK_PIPELINE]
        self._pipelines = {code: _build_pipeline(code) for code in codes}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        code = FALLBACK_PIPELINE
        if attribute == TEXT:
            detection = message.get(LANGUAGE_KEY) or {}
            code = detection.get("code") or FALLBACK_PIPELINE
        nlp = self._pipelines.get(code, self._pipelines[FALLBACK_PIPELINE])
        doc = nlp(text)
        tokens = [
            Token(t.text, t.idx, lemma=(t.lemma_ or t.text).lower()) for t in doc if not (t.is_punct or t.is_space)
        ]
        if not tokens:
            tokens = [Token(text, 0, lemma=text.lower())]
        return self._apply_token_pattern(tokens)
