"""Rasa's CountVectorsFeaturizer, without the features nobody reads at inference.

For every message Rasa's featurizer builds a sequence feature matrix (one row per
token) besides the sentence features, and Rasa then stacks the two featurizers'
sequence matrices whenever a component asks a message for its features. At inference
only components that learn from token sequences (DIET, TED, CRF, ...) read them; the
logistic regression takes the sentence features. So when every component of the
loaded graph is one known not to read sequence features (``SENTENCE_FEATURE_READERS``;
a new component turns this off until it is checked and listed), this featurizer adds
only the sentence features, computed as Rasa computes them (``SentenceCounts``: the
same matrix, built directly, with each word's character n-gram counts remembered).
Measured: 0.235 -> 0.112 ms per message (docs/performance.md).

The same holds for the training graph: its only reader of the featurized examples is the
classifier's training, so the examples get sentence features only too. Rasa's sequence
features of ~26,000 examples took 88 of the training's ~330 s and were never read.
Fitting the vocabularies is Rasa's.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message

from bot.plugins.components import warm_start

# Every component class of a predict graph for which the featurizer may skip sequence
# features: none of them reads message features, or (the classifier) only sentence ones.
SENTENCE_FEATURE_READERS = frozenset(
    {
        "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
        "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer",
        "bot.plugins.components.count_vectors.SentenceCountVectorsFeaturizer",
        "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier",
        "bot.plugins.components.intent_classifier.LogCountLogisticRegression",
        "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
        "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
        "rasa.graph_components.providers.domain_provider.DomainProvider",
        "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
        "rasa.core.policies.rule_policy.RulePolicy",
        "bot.plugins.components.rule_policy.RulePolicy",
        "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
        "bot.plugins.components.question_focus.QuestionFocus",
        "bot.plugins.components.language_detector.LanguageDetector",
        "bot.plugins.components.language_tokenizer.LanguageAwareTokenizer",
        "bot.plugins.components.agenda_entities.AgendaEntityExtractor",
        "bot.plugins.components.unsupported_language.UnsupportedLanguageRouter",
        "bot.plugins.components.language_policy.LanguagePolicy",
        "bot.plugins.components.action_failure.ActionFailurePolicy",
        "bot.plugins.components.followup_policy.FollowUpPolicy",
        "bot.plugins.components.handoff_policy.HandoffOfferPolicy",
        "bot.plugins.components.handoff_policy.HandoffPolicy",
        # The training graph's own nodes: they read files, the domain and stories, not features.
        "rasa.graph_components.validators.default_recipe_validator.DefaultV1RecipeValidator",
        "rasa.graph_components.validators.finetuning_validator.FinetuningValidator",
        "rasa.graph_components.providers.nlu_training_data_provider.NLUTrainingDataProvider",
        "rasa.graph_components.providers.domain_for_core_training_provider.DomainForCoreTrainingProvider",
        "rasa.graph_components.providers.forms_provider.FormsProvider",
        "rasa.graph_components.providers.responses_provider.ResponsesProvider",
        "rasa.graph_components.providers.story_graph_provider.StoryGraphProvider",
        "rasa.graph_components.providers.training_tracker_provider.TrainingTrackerProvider",
    }
)


def needs_no_sequence_features(graph_schema: Any) -> bool:
    """Whether no component of ``graph_schema`` reads sequence features."""
    return all(
        f"{node.uses.__module__}.{node.uses.__qualname__}" in SENTENCE_FEATURE_READERS
        for node in graph_schema.nodes.values()
    )


class SentenceCounts:
    """scikit-learn's ``CountVectorizer.transform`` of one document, as Rasa stores it
    (COO, columns in order, the vectorizer's dtype, ``binary`` honoured), built directly.

    scikit-learn builds a CSR matrix through several checks and Rasa converts it; for a
    single short message that took as long as counting. For the ``char_wb`` analyser,
    which takes n-grams only inside words (each padded with a space), a document's
    counts are the sum of its words' counts: each word's are remembered (words repeat
    across messages; the memory is bounded). Other analysers count what scikit-learn's
    own analyser yields.
    """

    MAX_WORDS = 100_000
    _counters: "weakref.WeakKeyDictionary[Any, SentenceCounts]" = weakref.WeakKeyDictionary()

    def __init__(self, vectorizer: Any) -> None:
        self._vectorizer = vectorizer
        self._by_word = vectorizer.analyzer == "char_wb"
        self._prepare = vectorizer.build_preprocessor() if self._by_word else vectorizer.build_analyzer()
        self._words: Dict[str, Tuple[Tuple[int, int], ...]] = {}

    @staticmethod
    def applies_to(vectorizer: Any) -> bool:
        """Fitted, with one of scikit-learn's own analysers (not a callable)."""
        return vectorizer.analyzer in {"char_wb", "char", "word"} and hasattr(vectorizer, "vocabulary_")

    @classmethod
    def of(cls, vectorizer: Any) -> "SentenceCounts":
        counter = cls._counters.get(vectorizer)
        if counter is None:
            counter = cls._counters[vectorizer] = cls(vectorizer)
        return counter

    def _word(self, word: str) -> Tuple[Tuple[int, int], ...]:
        known = self._words.get(word)
        if known is None:
            vocabulary = self._vectorizer.vocabulary_
            padded = f" {word} "
            counts: Dict[int, int] = {}
            min_n, max_n = self._vectorizer.ngram_range
            for n in range(min_n, max_n + 1):  # scikit-learn's _char_wb_ngrams, for one word
                for offset in range(max(len(padded) - n + 1, 1)):
                    index = vocabulary.get(padded[offset : offset + n])
                    if index is not None:
                        counts[index] = counts.get(index, 0) + 1
                if len(padded) <= n:  # a short word counts once
                    break
            if len(self._words) >= self.MAX_WORDS:
                self._words.clear()
            known = self._words[word] = tuple(counts.items())
        return known

    def _counts(self, document: str) -> Dict[int, int]:
        counts: Dict[int, int] = {}
        if self._by_word:
            for word in self._prepare(self._vectorizer.decode(document)).split():
                for index, count in self._word(word):
                    counts[index] = counts.get(index, 0) + count
        else:
            vocabulary = self._vectorizer.vocabulary_
            for feature in self._prepare(document):
                index = vocabulary.get(feature)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
        return counts

    def transform(self, document: str) -> Any:
        """The 1×vocabulary count matrix of ``document``."""
        import numpy as np
        import scipy.sparse

        counts = self._counts(document)
        indices = sorted(counts)
        values = [1] * len(indices) if self._vectorizer.binary else [counts[index] for index in indices]
        return scipy.sparse.coo_matrix(
            (
                np.asarray(values, dtype=self._vectorizer.dtype),
                (np.zeros(len(indices), dtype=np.int32), np.asarray(indices, dtype=np.int32)),
            ),
            shape=(1, len(self._vectorizer.vocabulary_)),
        )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's featurizer; at inference, sentence features only when nothing reads sequences."""

    sentence_features_only = False

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceCountVectorsFeaturizer":
        """Rasa's, for training: sentence features only when the training graph reads none.

        With a warm start (bot/plugins/components/warm_start.py) it starts from the base
        model's vocabularies and appends the new n-grams after them, as Rasa's fine-tuning
        does, so each known n-gram keeps its column and the classifier its weight."""
        base = warm_start.base_resource(config, execution_context)
        if base is None:
            featurizer = super().create(config, model_storage, resource, execution_context)
        else:
            loaded = super().load(config, base[0], base[1], execution_context)
            featurizer = cls(
                config,
                model_storage,
                resource,
                execution_context,
                vectorizers=loaded.vectorizers,
                oov_token=loaded.OOV_token,
                oov_words=loaded.OOV_words,
            )
            featurizer.finetune_mode = True
        featurizer.sentence_features_only = needs_no_sequence_features(execution_context.graph_schema)
        return featurizer

    def _fit_loaded_vectorizer(self, attribute: Text, attribute_texts: List[Text]) -> None:
        """Rasa's, except for an attribute the base model had no vocabulary for: fitted anew."""
        if self.vectorizers[attribute].vocabulary is None:
            self._fit_vectorizer_from_scratch(attribute, attribute_texts)
        else:
            super()._fit_loaded_vectorizer(attribute, attribute_texts)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SentenceCountVectorsFeaturizer":
        """Rasa's loading (inference; training creates, it does not load), noting
        whether the graph the featurizer is loaded into needs sequence features."""
        featurizer = super().load(config, model_storage, resource, execution_context, **kwargs)
        featurizer.sentence_features_only = needs_no_sequence_features(execution_context.graph_schema)
        return featurizer

    def _sentence_features(self, attribute: Text, tokens: List[Text]) -> Any:
        """The sentence half of Rasa's ``_create_features`` for one message."""
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer or not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
            return None
        if SentenceCounts.applies_to(vectorizer):
            return SentenceCounts.of(vectorizer).transform(" ".join(tokens))
        features = vectorizer.transform([" ".join(tokens)])
        features.sort_indices()
        return features.tocoo()

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's ``process`` (also of the training examples, through Rasa's
        ``process_training_data``), without the sequence features when the graph reads none."""
        if not self.sentence_features_only:
            return super().process(messages)
        for message in messages:
            for attribute in self._attributes:
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                self.add_features_to_message(None, self._sentence_features(attribute, tokens), attribute, message)
        return messages
