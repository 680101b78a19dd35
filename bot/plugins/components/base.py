"""Shared construction for our graph components and policies."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


class ConfiguredComponent(GraphComponent):
    """A component built from its configuration alone: nothing trained, nothing persisted."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


def latest_turn_has(tracker: DialogueStateTracker, match: Callable[[Event], bool]) -> bool:
    """Whether an event since the latest user message ``match``es."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if match(event):
            return True
    return False


def latest_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The action run since the latest user message, if any (None right after it)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return None
        if isinstance(event, ActionExecuted):
            return event.action_name
    return None


class UntrainedPolicy(Policy):
    """A dialogue policy that learns nothing from stories: it reads the conversation and
    either names one action (confidence 1.0, so its priority decides against the rules) or
    abstains; either way it may return events Rasa applies before the chosen action."""

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        """The action to run now (None: abstain) and the events to apply."""
        raise NotImplementedError

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action, events = self.decide(tracker, domain)
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, events=events)
