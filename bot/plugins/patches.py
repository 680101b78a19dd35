"""Behaviour-preserving fixes for hot spots the profiler found in Rasa 3.6.21 itself.

Installed by ``bot.plugins.tracker_store.sql`` (every endpoints file of this project names its tracker
store, so every Rasa server process loads it). ``BOT_SPEEDUPS`` selects them: unset or
``on`` = all, ``off`` = Rasa as shipped, or a comma-separated list of the names below
(to measure each one: ``python -m bench.ablation``, docs/performance.md).

* ``validator``: ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``
  on every action-server reply. That function first validates Rasa's (large, constant)
  events schema against the JSON-Schema meta-schema and builds a new validator, which
  took about a quarter of the Rasa server's CPU per message. Here the validator is
  built once; the reply is checked against the same schema, with the same error chosen
  (``best_match``) and the same message.
* ``events``: ``Event.resolve_by_type`` walks every subclass of ``Event`` (and asks
  ``inspect.isabstract`` of each) for every event it deserialises, i.e. for every event
  of the conversation each time a tracker is loaded. Here the class found for a type
  name is remembered; names it does not know still go through Rasa's search.
* ``action_session``: Rasa opens a new aiohttp session, and so a new TCP connection,
  for every call to the action server. Here each endpoint keeps one session per event
  loop, so connections are reused. It drops idle connections after
  ``KEEPALIVE_S`` seconds, before the action server (Sanic: 5 s) closes them, so a
  request never goes out on a connection the server is closing. The request (the
  tracker's session) is encoded with ujson instead of ``json`` (``bot.plugins.fastjson``).
* ``graph_runner``: Rasa runs the NLU and policy graphs through ``dask.get``, whose
  scheduler (ordering, bookkeeping) cost as much CPU as several components. The graphs
  are small and every node runs once in the caller's thread anyway, so here each target
  is computed depth-first with the same node calls, inputs and results.
* ``sentence_features``: ``CountVectorsFeaturizer.process`` builds, for every message,
  a sequence feature matrix (one row per token) besides the sentence features, and
  Rasa then stacks the two featurizers' sequence matrices whenever a component asks a
  message for its features. At inference only components that learn from token
  sequences (DIET, TED, CRF, ...) read them; the logistic regression takes the sentence
  features. So when every component of the loaded graph is one known not to read
  sequence features (``SENTENCE_FEATURE_READERS``; a new component turns this off until
  it is checked and listed), the featurizer adds only the sentence features, computed
  as Rasa computes them (``SentenceCounts``: the same matrix, built directly, with
  each word's character n-gram counts remembered). Training is not changed.
* ``domain_empty``: before handling each message Rasa's processor asks
  ``Domain.is_empty``, which builds a whole new empty ``Domain`` (``from_dict({})``,
  with all default actions, intents and slots) to compare against: 0.036 ms of CPU per
  message measured alone (``python -m bench.micro domain``), 2 % of the server's profile
  samples. Here the empty domain's data is built once (0.001 ms).
* ``rule_keys``: the RulePolicy finds the rules that match the conversation by
  checking every rule against every turn of the whole conversation, going back in
  time, for each of its (three) predictions per message. Here the latest turn is
  checked only against the rules whose latest turn names the same previous action and
  intent, or none (``RuleIndex``; the others cannot match), and the search stops after
  the longest rule's turns (a rule can only fail on the turns it covers, ours two at
  most) — the same keys as Rasa's search (which runs instead when a subclass changes
  ``_is_rule_applicable``).
* ``rule_states``: for the prediction after a user message the RulePolicy computes the
  conversation's states (replaying the whole session) once for the message's text and
  again for its intent; here once, the second request getting a copy.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import os
import weakref
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple, Type

from bot.plugins import fastjson

logger = logging.getLogger(__name__)

DISABLE_ENV = "BOT_SPEEDUPS"
KEEPALIVE_S = 2.0


@functools.lru_cache(maxsize=None)
def _validator(action_class: type) -> Any:
    """One validator per action class (the schema is a constant of the class)."""
    from jsonschema.validators import validator_for

    schema = action_class.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Same contract as Rasa's: True, or raise the best-matching ValidationError."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator(type(self)).iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _original(function: Callable[..., Any]) -> Callable[..., Any]:
    """Rasa's function, also when this module patched it already (so patching twice is safe)."""
    return getattr(function, "__wrapped__", function)


def _install_validator() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


def _install_event_classes() -> None:
    from rasa.shared.core.events import Event

    search = _original(Event.resolve_by_type)
    found: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        """Rasa's lookup, remembering each class it finds (classes do not go away)."""
        if type_name in found:
            return found[type_name]
        cls = search(type_name, default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    resolve_by_type.__wrapped__ = search  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


class _KeptSession:
    """What ``async with endpoint.session()`` yields: a session that stays open after."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _install_action_session() -> None:
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    new_session = _original(EndpointConfig.session)

    def session(self: EndpointConfig) -> _KeptSession:
        """Rasa's session settings (headers, auth, timeout), kept open for reuse."""
        loop = asyncio.get_running_loop()
        kept_loop, kept = getattr(self, "_kept_session", (None, None))
        if kept_loop is not loop or kept.closed:
            template = new_session(self)  # Rasa's settings, moved to a connection-keeping session
            kept = aiohttp.ClientSession(
                headers=template.headers, auth=template.auth, timeout=template.timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S), json_serialize=fastjson.dumps)
            template.detach()  # it owns no connection yet: nothing to close
            self._kept_session = (loop, kept)
        return _KeptSession(kept)

    session.__wrapped__ = new_session  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[assignment]


def _run_depth_first(graph: Dict[Text, Tuple[Any, ...]], targets: List[Text]) -> List[Any]:
    """``dask.get(graph, targets)`` for Rasa's graphs: a task is ``(callable, *keys)``,
    anything else (Rasa's inputs) is a value."""
    results: Dict[Text, Any] = {}

    def compute(key: Text) -> Any:
        if key not in results:
            task = graph[key]
            if isinstance(task, tuple) and task and callable(task[0]):
                results[key] = task[0](*(compute(need) for need in task[1:]))
            else:
                results[key] = task
        return results[key]

    return [compute(target) for target in targets]


def _install_graph_runner() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Rasa's ``DaskGraphRunner.run`` with the graph computed depth-first."""
        run_targets = targets if targets else self._graph_schema.target_names
        run_graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
        self._add_inputs_to_graph(inputs, run_graph)
        try:
            return dict(_run_depth_first(run_graph, run_targets))
        except RuntimeError as error:  # as Rasa wraps what dask.get raises
            raise GraphRunError("Error running runner.") from error

    DaskGraphRunner.run = run  # type: ignore[assignment]


# Every component class of a predict graph for which the featurizer may skip sequence
# features: none of them reads message features, or (the classifier) only sentence ones.
SENTENCE_FEATURE_READERS = frozenset({
    "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
    "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier",
    "bot.plugins.components.intent_classifier.LogCountLogisticRegression",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
    "rasa.graph_components.providers.domain_provider.DomainProvider",
    "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
    "rasa.core.policies.rule_policy.RulePolicy",
    "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
    "bot.plugins.components.language_detector.LanguageDetector",
    "bot.plugins.components.language_tokenizer.LanguageAwareTokenizer",
    "bot.plugins.components.agenda_entities.AgendaEntityExtractor",
    "bot.plugins.components.unsupported_language.UnsupportedLanguageRouter",
    "bot.plugins.components.language_policy.LanguagePolicy",
    "bot.plugins.components.action_failure.ActionFailurePolicy",
})


def needs_no_sequence_features(graph_schema: Any) -> bool:
    """Whether no component of ``graph_schema`` reads sequence features."""
    return all(f"{node.uses.__module__}.{node.uses.__qualname__}" in SENTENCE_FEATURE_READERS
               for node in graph_schema.nodes.values())


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
                    index = vocabulary.get(padded[offset:offset + n])
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
            (np.asarray(values, dtype=self._vectorizer.dtype),
             (np.zeros(len(indices), dtype=np.int32), np.asarray(indices, dtype=np.int32))),
            shape=(1, len(self._vectorizer.vocabulary_)))


def _install_sentence_features() -> None:
    from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer

    load = _original(CountVectorsFeaturizer.load.__func__)  # type: ignore[attr-defined]
    process = _original(CountVectorsFeaturizer.process)

    def load_for_graph(cls: Type[CountVectorsFeaturizer], config: Dict[Text, Any], model_storage: Any,
                       resource: Any, execution_context: Any, **kwargs: Any) -> CountVectorsFeaturizer:
        """Rasa's loading (inference only: training creates, it does not load), noting
        whether the graph the featurizer is loaded into needs sequence features."""
        featurizer = load(cls, config, model_storage, resource, execution_context, **kwargs)
        featurizer.sentence_features_only = needs_no_sequence_features(execution_context.graph_schema)
        return featurizer

    def sentence_features(self: CountVectorsFeaturizer, attribute: Text, tokens: List[Text]) -> Any:
        """The sentence half of Rasa's ``_create_features`` for one message."""
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer or not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
            return None
        if SentenceCounts.applies_to(vectorizer):
            return SentenceCounts.of(vectorizer).transform(" ".join(tokens))
        features = vectorizer.transform([" ".join(tokens)])
        features.sort_indices()
        return features.tocoo()

    def process_for_graph(self: CountVectorsFeaturizer, messages: List[Any]) -> List[Any]:
        """Rasa's ``process``, without the sequence features when the graph reads none."""
        if not getattr(self, "sentence_features_only", False):
            return process(self, messages)
        for message in messages:
            for attribute in self._attributes:
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                self.add_features_to_message(None, sentence_features(self, attribute, tokens),
                                             attribute, message)
        return messages

    load_for_graph.__wrapped__ = load  # type: ignore[attr-defined]
    process_for_graph.__wrapped__ = process  # type: ignore[attr-defined]
    CountVectorsFeaturizer.load = classmethod(load_for_graph)  # type: ignore[assignment]
    CountVectorsFeaturizer.process = process_for_graph  # type: ignore[assignment]


def _install_domain_empty() -> None:
    from rasa.shared.core.domain import Domain

    rasa_is_empty = _original(Domain.is_empty)
    empty_data = Domain.empty().as_dict()  # what Rasa rebuilds per call; nothing in it varies

    def is_empty(self: Domain) -> bool:
        """Rasa's comparison, against the empty domain's data built once."""
        return self.as_dict() == empty_data

    is_empty.__wrapped__ = rasa_is_empty  # type: ignore[attr-defined]
    Domain.is_empty = is_empty  # type: ignore[assignment]


ANY = object()  # a rule's latest turn that does not name one action (or one intent)


def _plain(value: Any) -> Any:
    """A value the rule demands as it is, or ``ANY`` (absent, empty, SHOULD_NOT_BE_SET, a list)."""
    from rasa.shared.core.constants import SHOULD_NOT_BE_SET

    return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else ANY


class RuleIndex:
    """The keys of one rule lookup by the previous action and intent of their latest turn.

    For the latest turn of the conversation, ``_is_rule_applicable`` can only accept a
    rule whose latest turn names the conversation's previous action and intent, or
    names none: a named value that differs makes ``_does_rule_match_state`` refuse. So
    only the keys of the four matching buckets need Rasa's check (all of them when the
    conversation's latest state has no previous action: Rasa then decides differently).
    """

    def __init__(self, policy: Any, lookup: Dict[Text, Text]) -> None:
        self.keys = frozenset(lookup)
        self.longest = 0
        self._buckets: Dict[Tuple[Any, Any], List[Text]] = {}
        for key in lookup:
            rule_states = policy._rule_key_to_state(key)
            self.longest = max(self.longest, len(rule_states))
            latest = rule_states[-1] if rule_states else {}
            bucket = (_plain(latest.get("prev_action", {}).get("action_name")),
                      _plain(latest.get("user", {}).get("intent")))
            self._buckets.setdefault(bucket, []).append(key)

    def candidates(self, state: Dict[Text, Any]) -> Iterable[Text]:
        if not state.get("prev_action"):
            return self.keys  # Rasa accepts a start-of-conversation rule without looking further
        action = state.get("prev_action", {}).get("action_name")
        intent = state.get("user", {}).get("intent")
        return [key for bucket in {(action, intent), (action, ANY), (ANY, intent), (ANY, ANY)}
                for key in self._buckets.get(bucket, ())]


def _install_rule_keys() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    rasa_get_possible_keys = _original(RulePolicy._get_possible_keys)
    rasa_is_rule_applicable = RulePolicy._is_rule_applicable

    def rule_index(policy: RulePolicy, lookup: Dict[Text, Text]) -> RuleIndex:
        """The index of ``lookup``, rebuilt when its keys change (as during training)."""
        indexes = policy.__dict__.setdefault("_rule_indexes", {})
        index = indexes.get(id(lookup))
        if index is None or index.keys != lookup.keys():
            index = indexes[id(lookup)] = RuleIndex(policy, lookup)
        return index

    def get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        """Rasa's filter, with the latest turn checked only against the rules the index
        leaves, and stopped at the first turn further back than the longest rule.

        ``_is_rule_applicable`` answers True for every turn beyond a rule's length, so
        those turns cannot remove a key; Rasa still asks, for every rule and every turn
        of the whole conversation.
        """
        if type(self)._is_rule_applicable is not rasa_is_rule_applicable or not states:
            return rasa_get_possible_keys(self, lookup, states)  # a subclass decides otherwise
        index = rule_index(self, lookup)
        latest = states[-1]
        possible_keys = {key for key in index.candidates(latest) if self._is_rule_applicable(key, 0, latest)}
        for turn_index in range(1, min(index.longest, len(states))):
            if not possible_keys:
                break
            state = states[-1 - turn_index]
            possible_keys = {key for key in possible_keys
                             if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys

    get_possible_keys.__wrapped__ = rasa_get_possible_keys  # type: ignore[attr-defined]
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[assignment]


_LEAF_TYPES = (str, int, float, bool, type(None))


def _is_leaf(value: Any) -> bool:
    """Immutable: a string, number, None, or a tuple of them (what Rasa's states hold)."""
    return type(value) in _LEAF_TYPES or (type(value) is tuple and all(type(v) in _LEAF_TYPES for v in value))


def copied_state(state: Dict[Text, Any]) -> Dict[Text, Any]:
    """A copy of a dialogue state that no change to the original reaches.

    Rasa's states are dicts of dicts of strings, numbers and tuples of them, so copying
    the two levels of dicts is a deep copy (``copy.deepcopy``, used for anything else,
    took 1.2 % of the server's CPU here).
    """
    copied = {}
    for key, sub_state in state.items():
        if type(sub_state) is not dict or not all(_is_leaf(value) for value in sub_state.values()):
            return copy.deepcopy(state)
        copied[key] = dict(sub_state)
    return copied


def _install_rule_states() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    rasa_predict = _original(RulePolicy._predict)

    def predict(self: RulePolicy, tracker: Any, domain: Any) -> Any:
        """Rasa's prediction, with the conversation's states computed once instead of
        for the text and again for the intent of the latest message.

        The two differ only in what ``_choose_last_user_input`` removes from the latest
        state, in place: a repeated request gets the earlier states (which nothing
        changes) and a copy of the latest one as first computed.
        """
        featurizer = self.featurizer
        if featurizer is None or "_create_states" in vars(featurizer):
            return rasa_predict(self, tracker, domain)
        create_states = featurizer._create_states
        computed: List[Tuple[Tuple[Any, ...], List[Any]]] = []

        def with_latest_copied(states: List[Any]) -> List[Any]:
            return states[:-1] + [copied_state(state) for state in states[-1:]]

        def create_states_once(tracker_: Any, domain_: Any, omit_unset_slots: bool = False,
                               ignore_rule_only_turns: bool = False, rule_only_data: Any = None) -> List[Any]:
            request = (len(tracker_.events), omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            for (tracker_seen, domain_seen, *earlier), states in computed:
                if tracker_seen is tracker_ and domain_seen is domain_ and tuple(earlier) == request:
                    return with_latest_copied(states)
            states = create_states(tracker_, domain_, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            computed.append(((tracker_, domain_, *request), with_latest_copied(states)))
            return states

        featurizer._create_states = create_states_once
        try:
            return rasa_predict(self, tracker, domain)
        finally:
            del featurizer._create_states

    predict.__wrapped__ = rasa_predict  # type: ignore[attr-defined]
    RulePolicy._predict = predict  # type: ignore[assignment]


PATCHES: Dict[str, Callable[[], None]] = {
    "validator": _install_validator,
    "events": _install_event_classes,
    "action_session": _install_action_session,
    "graph_runner": _install_graph_runner,
    "sentence_features": _install_sentence_features,
    "domain_empty": _install_domain_empty,
    "rule_keys": _install_rule_keys,
    "rule_states": _install_rule_states,
}


def selected(setting: Optional[str]) -> List[str]:
    """The patch names ``BOT_SPEEDUPS`` selects (see the module docstring)."""
    value = (setting or "on").strip().lower()
    if value in {"on", "1", "true", "yes"}:
        return list(PATCHES)
    if value in {"off", "0", "false", "no", "none"}:
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(PATCHES))
    if unknown:
        raise ValueError(f"{DISABLE_ENV}: unknown speed-up(s) {unknown}; known: {sorted(PATCHES)}")
    return names


@functools.lru_cache(maxsize=None)  # once per process, however often it is called
def install() -> Tuple[str, ...]:
    """Apply the selected patches; returns their names."""
    names = selected(os.environ.get(DISABLE_ENV))
    for name in names:
        PATCHES[name]()
    logger.info("Rasa speed-ups: %s", ", ".join(names) or f"none ({DISABLE_ENV}=off)")
    return tuple(names)
