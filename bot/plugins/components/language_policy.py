"""Dialogue policy that keeps the ``language`` slot in step with the conversation.

It predicts no action; it only returns a ``SlotSet`` event, which Rasa applies
before the winning action runs (``PolicyPrediction.events``). Doing this in the Rasa
server rather than in a custom action means conditional responses ("hello" in the
user's language) work without a round trip to the action server, and still work
when the action server is down.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.languages import choose_language, load_catalogue, metadata_language
from bot.plugins.components.language_detector import LANGUAGE_KEY

LANGUAGE_SLOT = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class LanguagePolicy(Policy):
    """Sets the conversation language from each user message; never picks an action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._catalogue = load_catalogue()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 0}

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        events = []
        wanted = self.language_after_latest_message(tracker)
        if wanted and wanted != tracker.get_slot(LANGUAGE_SLOT):
            events.append(SlotSet(LANGUAGE_SLOT, wanted))
        return self._prediction(self._default_predictions(domain), events=events)

    def language_after_latest_message(self, tracker: DialogueStateTracker) -> Optional[str]:
        """Idempotent: applying the result and asking again gives the same answer."""
        message = tracker.latest_message
        if message is None:
            return tracker.get_slot(LANGUAGE_SLOT)
        parse = message.parse_data or {}
        requested = next(
            (entity.get("value") for entity in parse.get("entities") or [] if entity.get("entity") == LANGUAGE_SLOT),
            None,
        )
        prior = metadata_language(message.metadata) or metadata_language(tracker.get_slot(SESSION_START_METADATA_SLOT))
        return choose_language(
            self._catalogue,
            current=tracker.get_slot(LANGUAGE_SLOT),
            detection=parse.get(LANGUAGE_KEY) or {},
            intent=(parse.get("intent") or {}).get("name"),
            requested=requested,
            prior=prior,
        )
