"""The speed-up components of config.yml give what Rasa's own classes give, only faster:
``RulePolicy`` (bot/plugins/components/rule_policy.py) the same rule keys and
predictions as Rasa's on random long conversations, ``SentenceCountVectorsFeaturizer``
(count_vectors.py) the same sentence features as Rasa's featurizer."""

from __future__ import annotations

import copy
import random

import pytest
import yaml
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH
from rasa.core.policies.rule_policy import RulePolicy as RasaRulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.classifiers.keyword_intent_classifier import KeywordIntentClassifier
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.plugins.components import count_vectors, rule_policy as rules
from bot.plugins.components.count_vectors import SentenceCountVectorsFeaturizer
from bot.plugins.components.language_detector import LanguageDetector
from bot.plugins.components.language_tokenizer import LanguageAwareTokenizer
from bot.plugins.components.rule_policy import RulePolicy
from tests.conftest import ROOT


def _new_conversation(sender: str, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], domain.slots)


def _random_user_messages(domain: Domain, seed: int):
    """Messages with intents of the domain drawn at random (reproducibly)."""
    choose = random.Random(seed).choice
    intents = [intent for intent in domain.intents if intent not in {"session_start", "restart", "back"}]
    return lambda: UserUttered("…", intent={"name": choose(intents), "confidence": 1.0})


def _most_likely(domain: Domain, probabilities: list) -> str:
    return domain.action_names_or_texts[probabilities.index(max(probabilities))]


def _schema(*classes: type) -> GraphSchema:
    return GraphSchema({f"node{index}": SchemaNode(needs={}, uses=cls, constructor_name="load", fn="process",
                                                   config={})
                        for index, cls in enumerate(classes)})


PREDICT_GRAPH = _schema(LanguageDetector, LanguageAwareTokenizer, SentenceCountVectorsFeaturizer,
                        LogisticRegressionClassifier, FallbackClassifier, RulePolicy)


def test_the_shipped_config_gets_sentence_only_featurizing():
    """The graphs config.yml builds, for prediction and for training, have only components
    that read sentence features (or none)."""
    graphs = _shipped_graphs()
    assert count_vectors.needs_no_sequence_features(graphs.predict_schema)
    assert count_vectors.needs_no_sequence_features(graphs.train_schema)


def _shipped_graphs():
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.data import TrainingType

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)


def _featurizer_settings() -> list:
    """The two featurizers' settings in config.yml, with Rasa's defaults."""
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    settings = [{**CountVectorsFeaturizer.get_default_config(), **{k: v for k, v in c.items() if k != "name"}}
                for c in pipeline if c["name"].endswith("SentenceCountVectorsFeaturizer")]
    assert len(settings) == 2
    return settings


@pytest.fixture(scope="module")
def tokenised_training_data() -> TrainingData:
    """Part of data/nlu, as the pipeline hands it to the featurizers in training."""
    examples = load_data(str(ROOT / "data" / "nlu")).training_examples[::20]
    training_data = TrainingData([Message(data={"text": e.get("text"), "intent": e.get("intent")})
                                  for e in examples])
    LanguageDetector().process_training_data(training_data)
    LanguageAwareTokenizer(LanguageAwareTokenizer.get_default_config()).process_training_data(training_data)
    return training_data


@pytest.fixture(scope="module")
def trained_featurizers(tmp_path_factory, tokenised_training_data):
    """The two featurizers of config.yml, trained on part of data/nlu and stored."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    stored = []
    for index, config in enumerate(_featurizer_settings()):
        resource = Resource(f"featurizer{index}")
        context = ExecutionContext(GraphSchema({}), node_name=f"featurizer{index}")
        CountVectorsFeaturizer.create(config, storage, resource, context).train(tokenised_training_data)
        stored.append((config, resource))
    return storage, stored


@pytest.fixture(scope="module")
def tokenised_messages() -> list:
    """The benchmark's messages in six languages, as the pipeline hands them to the featurizers."""
    messages = [Message(data={"text": text}) for texts in
                yaml.safe_load((ROOT / "bench" / "messages.yml").read_text(encoding="utf-8")).values()
                for text in texts] + [Message(data={"text": "?!"}), Message(data={"text": ""})]
    LanguageDetector().process(messages)
    LanguageAwareTokenizer(LanguageAwareTokenizer.get_default_config()).process(messages)
    return messages


def _featurised(tokenised: list, storage, stored, schema: GraphSchema, rasa_s_code: bool) -> list:
    messages = copy.deepcopy(tokenised)
    for config, resource in stored:
        context = ExecutionContext(schema, node_name=resource.name)
        featurizer_class = CountVectorsFeaturizer if rasa_s_code else SentenceCountVectorsFeaturizer
        featurizer_class.load(config, storage, resource, context).process(messages)
    return messages


def test_the_featurizers_give_rasa_s_sentence_features_and_skip_sequences_nobody_reads(
        trained_featurizers, tokenised_messages):
    storage, stored = trained_featurizers
    rasa_s = _featurised(tokenised_messages, storage, stored, PREDICT_GRAPH, rasa_s_code=True)
    ours = _featurised(tokenised_messages, storage, stored, PREDICT_GRAPH, rasa_s_code=False)
    assert len(ours) == 50
    for expected, got in zip(rasa_s, ours):
        expected_sequence, expected_sentence = expected.get_sparse_features(TEXT)
        sequence, sentence = got.get_sparse_features(TEXT)
        assert sequence is None
        assert expected_sequence is not None  # what Rasa computes and nobody here reads
        # What LogisticRegressionClassifier reads: both featurizers' sentence rows, stacked.
        assert sentence.features.shape == expected_sentence.features.shape
        assert (sentence.features != expected_sentence.features).nnz == 0
        assert sentence.features.nnz > 0 or not expected.get("text")
        assert [(f.type, f.origin) for f in got.features] == [
            (f.type, f.origin) for f in expected.features if f.type == FEATURE_TYPE_SENTENCE]


def test_training_examples_get_rasa_s_vocabulary_and_sentence_features(tmp_path, tokenised_training_data):
    """Trained in the shipped training graph, the featurizers learn Rasa's vocabularies and
    give every training example the sentence features Rasa's give it, and no sequence ones."""
    storage = LocalModelStorage(tmp_path)
    rasa_s, ours = copy.deepcopy(tokenised_training_data), copy.deepcopy(tokenised_training_data)
    train_schema = _shipped_graphs().train_schema
    for index, config in enumerate(_featurizer_settings()):
        context = ExecutionContext(train_schema, node_name=f"featurizer{index}")
        for featurizer_class, data, name in ((CountVectorsFeaturizer, rasa_s, "rasa"),
                                             (SentenceCountVectorsFeaturizer, ours, "ours")):
            featurizer = featurizer_class.create(config, storage, Resource(f"{name}{index}"), context)
            featurizer.train(data)
            featurizer.process_training_data(data)
            vocabulary = featurizer.vectorizers[TEXT].vocabulary_
            if name == "rasa":
                expected_vocabulary = vocabulary
        assert vocabulary == expected_vocabulary
    assert len(ours.training_examples) > 1000
    for expected, got in zip(rasa_s.training_examples, ours.training_examples):
        expected_sequence, expected_sentence = expected.get_sparse_features(TEXT)
        sequence, sentence = got.get_sparse_features(TEXT)
        assert sequence is None and expected_sequence is not None
        assert sentence.features.shape == expected_sentence.features.shape
        assert (sentence.features != expected_sentence.features).nnz == 0


def test_a_component_not_known_to_skip_sequence_features_gets_rasa_s_features(
        trained_featurizers, tokenised_messages):
    assert count_vectors.needs_no_sequence_features(PREDICT_GRAPH)
    with_diet_like = _schema(*(node.uses for node in PREDICT_GRAPH.nodes.values()), KeywordIntentClassifier)
    assert not count_vectors.needs_no_sequence_features(with_diet_like)
    storage, stored = trained_featurizers
    rasa_s = _featurised(tokenised_messages, storage, stored, with_diet_like, rasa_s_code=True)
    ours = _featurised(tokenised_messages, storage, stored, with_diet_like, rasa_s_code=False)
    for expected, got in zip(rasa_s, ours):
        assert len(got.features) == len(expected.features)
        for mine, theirs in zip(got.features, expected.features):
            assert (mine.type, mine.origin) == (theirs.type, theirs.origin)
            assert (mine.features != theirs.features).nnz == 0


@pytest.fixture(scope="module")
def rule_policy(tmp_path_factory):
    """The project's RulePolicy trained on the project's rules, with the project's domain."""
    from rasa.core.training import load_data as load_trackers
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain"), [str(ROOT / "data" / "rules")])
    domain = importer.get_domain()
    trackers = load_trackers(importer, domain, augmentation_factor=0)
    policy = RulePolicy.create(RulePolicy.get_default_config(),
                               LocalModelStorage(tmp_path_factory.mktemp("rules")), Resource("rules"),
                               ExecutionContext(GraphSchema({}), "rules"))
    policy.train(trackers, domain)
    return policy, domain


def test_the_rule_search_finds_rasa_s_rules_in_long_conversations(rule_policy):
    """Random long conversations: at every prediction the shortened search gives Rasa's keys."""
    policy, domain = rule_policy
    rasa_search = RasaRulePolicy._get_possible_keys
    assert type(policy)._get_possible_keys is not rasa_search
    user_message = _random_user_messages(domain, seed=7)
    compared, narrowed, longest_history = 0, 0, 0
    for conversation in range(6):
        tracker = _new_conversation(f"c{conversation}", domain)
        for _ in range(20):
            tracker.update(user_message())
            for _ in range(3):  # the predictions after a user message, until action_listen
                for use_text in (True, False):
                    states = policy._prediction_states(tracker, domain, use_text,
                                                       rule_only_data=policy._get_rule_only_data())
                    for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
                        keys = policy._get_possible_keys(lookup, states)
                        assert keys == rasa_search(policy, lookup, states)
                        compared += 1
                        narrowed += 0 < len(keys) < len(lookup)
                    longest_history = max(longest_history, len(states))
                action = _most_likely(domain, policy.predict_action_probabilities(tracker, domain).probabilities)
                tracker.update(ActionExecuted(action))
                if action == "action_listen":
                    break
    assert compared > 500 and narrowed > 100, (compared, narrowed)
    assert longest_history > 20  # far beyond the longest rule, where the search stops early


def test_the_rule_search_checks_every_turn_a_rule_covers(rule_policy):
    """A rule three turns long is judged on its oldest turn too (the project's are two long)."""
    import json

    policy, _ = rule_policy
    rasa_search = RasaRulePolicy._get_possible_keys

    def turn(action: str, intent: str) -> dict:
        return {"prev_action": {"action_name": action}, "user": {"intent": intent}}

    three_turns = json.dumps([turn("utter_greet", "greet"), turn("action_listen", "thank"),
                              turn("action_listen", "goodbye")])
    one_turn = json.dumps([turn("action_listen", "goodbye")])
    lookup = {three_turns: "utter_goodbye", one_turn: "utter_goodbye"}
    earlier = [turn("action_listen", "greet")] * 5
    matching = earlier + [turn("utter_greet", "greet"), turn("action_listen", "thank"), turn("action_listen", "goodbye")]
    oldest_differs = earlier + [turn("utter_thank", "greet"), turn("action_listen", "thank"),
                                turn("action_listen", "goodbye")]
    assert policy._get_possible_keys(lookup, matching) == rasa_search(policy, lookup, matching) == set(lookup)
    assert policy._get_possible_keys(lookup, oldest_differs) == rasa_search(policy, lookup, oldest_differs) == {one_turn}


def test_the_rule_index_leaves_every_rule_rasa_s_search_accepts(rule_policy):
    """Rules whose latest turn names no action, no intent, an action text, an entity or
    SHOULD_NOT_BE_SET, against conversation states with and without each."""
    import itertools
    import json

    from rasa.shared.core.constants import SHOULD_NOT_BE_SET

    policy, _ = rule_policy
    rasa_search = RasaRulePolicy._get_possible_keys
    actions = [{}, {"action_name": "action_listen"}, {"action_name": "utter_greet"},
               {"action_text": "hello"}, {"action_name": SHOULD_NOT_BE_SET}]
    users = [{}, {"intent": "greet"}, {"intent": "thank"}, {"text": "hi"}, {"intent": SHOULD_NOT_BE_SET},
             {"intent": "greet", "entities": ["day"]}, {"entities": ["day"]}]
    turns = [{**({"prev_action": a} if a else {}), **({"user": u} if u else {})}
             for a, u in itertools.product(actions, users)]
    lookup = {json.dumps([turn]): "utter_x" for turn in turns}
    lookup.update({json.dumps([{"prev_action": {"action_name": "utter_greet"}}, turn]): "utter_y" for turn in turns})
    conversations = [[earlier, latest] for earlier, latest in itertools.product(turns, turns)]
    accepted = 0
    for states in conversations:
        keys = policy._get_possible_keys(lookup, states)
        assert keys == rasa_search(policy, lookup, states), states
        accepted += len(keys)
    assert accepted > len(conversations)  # most states match several rules


def test_a_policy_that_judges_rules_itself_gets_rasa_s_search(rule_policy):
    policy, domain = rule_policy
    calls = []

    class Judging(RulePolicy):
        def _is_rule_applicable(self, rule_key, turn_index, conversation_state):
            calls.append(turn_index)
            return True

    judging = Judging.__new__(Judging)
    judging.__dict__.update(policy.__dict__)
    states = [{"prev_action": {"action_name": "action_listen"}}] * 10
    assert judging._get_possible_keys(policy.lookup[RULES], states) == set(policy.lookup[RULES])
    assert max(calls) == 9  # every turn asked, as Rasa does


def test_the_rule_policy_predicts_as_rasa_does_with_states_computed_once(rule_policy, monkeypatch):
    """Random long conversations: same probabilities at every step, fewer state computations."""
    policy, domain = rule_policy
    rasa_predict = RasaRulePolicy._predict
    assert rasa_predict.__module__ == "rasa.core.policies.rule_policy"
    computations = []
    create_states = policy.featurizer._create_states
    monkeypatch.setattr(type(policy.featurizer), "_create_states",
                        staticmethod(lambda *args, **kwargs: computations.append(1) or create_states(*args, **kwargs)))
    user_message = _random_user_messages(domain, seed=11)
    ours, rasas, predictions = 0, 0, 0
    tracker = _new_conversation("c", domain)
    for _ in range(40):
        tracker.update(user_message())
        for _ in range(3):
            before = len(computations)
            expected = rasa_predict(policy, tracker, domain)
            rasas += len(computations) - before
            before = len(computations)
            got = policy._predict(tracker, domain)
            ours += len(computations) - before
            (prediction, source), (expected_prediction, expected_source) = got, expected
            assert (prediction.probabilities, prediction.events, source) == (
                expected_prediction.probabilities, expected_prediction.events, expected_source)
            assert "_create_states" not in vars(policy.featurizer)  # the featurizer as it was
            predictions += 1
            action = _most_likely(domain, prediction.probabilities)
            tracker.update(ActionExecuted(action))
            if action == "action_listen":
                break
    assert predictions > 60
    assert ours < rasas


def test_a_copied_state_equals_rasa_s_and_changes_to_either_stay_apart(rule_policy):
    """The states of random conversations in the project's domain (intents, entities,
    previous actions): equal to a deep copy, and no change reaches through to the original."""
    _, domain = rule_policy
    choose = random.Random(5).choice
    tracker = _new_conversation("s", domain)
    states = []
    for _ in range(15):
        entity = choose(domain.entities)
        tracker.update(UserUttered("…", intent={"name": choose(domain.intents), "confidence": 1.0},
                                   entities=[{"entity": entity, "value": "x", "start": 0, "end": 1}]))
        states += tracker.past_states(domain)
        tracker.update(ActionExecuted(choose(domain.action_names_or_texts)))
        tracker.update(ActionExecuted("action_listen"))
    assert any(state.get("user", {}).get("entities") for state in states)
    assert any("prev_action" in state for state in states)
    for state in states:
        original = copy.deepcopy(state)
        copied = rules.copied_state(state)
        assert copied == state
        for sub_state in copied.values():
            sub_state["changed"] = "yes"
        copied["added"] = {}
        assert state == original
    nested = {"user": {"intent": "greet", "entities": ["a", {"b": 1}]}}  # not a Rasa state
    copied = rules.copied_state(nested)
    copied["user"]["entities"][1]["b"] = 2
    assert nested["user"]["entities"][1]["b"] == 1


@pytest.mark.parametrize("analyzer", ["char_wb", "word"])
@pytest.mark.parametrize("binary", [False, True])
def test_sentence_counts_are_scikit_learn_s_counts(trained_featurizers, analyzer, binary):
    """Every 15th training text and awkward ones, twice (the second time from remembered words)."""
    import numpy as np

    storage, stored = trained_featurizers
    config, resource = next((config, resource) for config, resource in stored if config["analyzer"] == analyzer)
    featurizer = SentenceCountVectorsFeaturizer.load(config, storage, resource,
                                             ExecutionContext(GraphSchema({}), resource.name))
    vectorizer = copy.deepcopy(featurizer.vectorizers[TEXT])
    vectorizer.binary = binary
    assert count_vectors.SentenceCounts.applies_to(vectorizer)
    counts = count_vectors.SentenceCounts(vectorizer)
    texts = [e.get("text") for e in load_data(str(ROOT / "data" / "nlu")).training_examples[::15]]
    texts += ["  several   spaces\tand\nnew lines ", "ΟΔΟΣ ΣΑΣ", "I", "", "a b", "ÉCOLE d'été", "Straße",
              "أين يقع المؤتمر؟", "ok ok ok ok", "x" * 40, "١٦ نوفمبر"]
    assert len(texts) > 1000
    for _ in range(2):
        for text in texts:
            expected = vectorizer.transform([text])
            expected.sort_indices()
            expected = expected.tocoo()  # what Rasa stores
            got = counts.transform(text)
            assert got.format == "coo" and got.shape == expected.shape and got.dtype == expected.dtype
            for mine, scikit_learn_s in ((got.row, expected.row), (got.col, expected.col), (got.data, expected.data)):
                assert mine.dtype == scikit_learn_s.dtype and np.array_equal(mine, scikit_learn_s), text
