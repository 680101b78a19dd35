"""Rasa's RulePolicy, with its rule search narrowed and the conversation's states computed once.

Same rules, same predictions (unit-tested against Rasa's own code on random long
conversations of the project's domain); named ``RulePolicy`` like Rasa's, because Rasa
tells a rule policy's predictions from others by the name's ending (``_RulePolicy``).

* **Rule search** (``_get_possible_keys``): Rasa checks every rule against every turn of
  the whole conversation, going back in time, for each of its (three) predictions per
  message. Here the latest turn is checked only against the rules whose latest turn
  names the same previous action and intent, or none (``RuleIndex``; the others cannot
  match), and the search stops after the longest rule's turns (a rule can only fail on
  the turns it covers, ours two at most). A subclass that judges rules itself
  (``_is_rule_applicable``) gets Rasa's search.
* **States** (``_predict``): for the prediction after a user message Rasa computes the
  conversation's states (replaying the whole session) once for the message's text and
  again for its intent; here once, the second request getting a copy.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any, Dict, Iterable, List, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy as RasaRulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

# Rasa's recipe validator looks for its own class by identity and warns that default
# intents (restart, back) will not work; this subclass handles them as Rasa's does.
warnings.filterwarnings("ignore", message="'RulePolicy' is not included in the model's policy configuration")

ANY = object()  # a rule's latest turn that does not name one action (or one intent)


def _plain(value: Any) -> Any:
    """A value the rule demands as it is, or ``ANY`` (absent, empty, SHOULD_NOT_BE_SET, a list)."""
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
            bucket = (
                _plain(latest.get("prev_action", {}).get("action_name")),
                _plain(latest.get("user", {}).get("intent")),
            )
            self._buckets.setdefault(bucket, []).append(key)

    def candidates(self, state: Dict[Text, Any]) -> Iterable[Text]:
        if not state.get("prev_action"):
            return self.keys  # Rasa accepts a start-of-conversation rule without looking further
        action = state.get("prev_action", {}).get("action_name")
        intent = state.get("user", {}).get("intent")
        return [
            key
            for bucket in {(action, intent), (action, ANY), (ANY, intent), (ANY, ANY)}
            for key in self._buckets.get(bucket, ())
        ]


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


def _with_latest_copied(states: List[Any]) -> List[Any]:
    return states[:-1] + [copied_state(state) for state in states[-1:]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RulePolicy(RasaRulePolicy):
    """Rasa's RulePolicy; the same keys and predictions with less work (module docstring)."""

    def _rule_index(self, lookup: Dict[Text, Text]) -> RuleIndex:
        """The index of ``lookup``, rebuilt when its keys change (as during training)."""
        indexes = self.__dict__.setdefault("_rule_indexes", {})
        index = indexes.get(id(lookup))
        if index is None or index.keys != lookup.keys():
            index = indexes[id(lookup)] = RuleIndex(self, lookup)
        return index

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        """Rasa's filter, with the latest turn checked only against the rules the index
        leaves, and stopped at the first turn further back than the longest rule.

        ``_is_rule_applicable`` answers True for every turn beyond a rule's length, so
        those turns cannot remove a key; Rasa still asks, for every rule and every turn
        of the whole conversation.
        """
        if type(self)._is_rule_applicable is not RasaRulePolicy._is_rule_applicable or not states:
            return super()._get_possible_keys(lookup, states)  # a subclass decides otherwise
        index = self._rule_index(lookup)
        latest = states[-1]
        possible_keys = {key for key in index.candidates(latest) if self._is_rule_applicable(key, 0, latest)}
        for turn_index in range(1, min(index.longest, len(states))):
            if not possible_keys:
                break
            state = states[-1 - turn_index]
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys

    def _predict(self, tracker: Any, domain: Any) -> Any:
        """Rasa's prediction, with the conversation's states computed once instead of
        for the text and again for the intent of the latest message.

        The two differ only in what ``_choose_last_user_input`` removes from the latest
        state, in place: a repeated request gets the earlier states (which nothing
        changes) and a copy of the latest one as first computed.
        """
        featurizer = self.featurizer
        if featurizer is None or "_create_states" in vars(featurizer):
            return super()._predict(tracker, domain)
        create_states = featurizer._create_states
        computed: List[Tuple[Tuple[Any, ...], List[Any]]] = []

        def create_states_once(
            tracker_: Any,
            domain_: Any,
            omit_unset_slots: bool = False,
            ignore_rule_only_turns: bool = False,
            rule_only_data: Any = None,
        ) -> List[Any]:
            request = (len(tracker_.events), omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            for (tracker_seen, domain_seen, *earlier), states in computed:
                if tracker_seen is tracker_ and domain_seen is domain_ and tuple(earlier) == request:
                    return _with_latest_copied(states)
            states = create_states(tracker_, domain_, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            computed.append(((tracker_, domain_, *request), _with_latest_copied(states)))
            return states

        featurizer._create_states = create_states_once
        try:
            return super()._predict(tracker, domain)
        finally:
            del featurizer._create_states
