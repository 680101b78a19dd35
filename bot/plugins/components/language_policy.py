"""Dialogue policy that keeps the ``language`` slot in step with the conversation.

It returns a ``SlotSet`` event, which Rasa applies before the winning action runs
(``PolicyPrediction.events``). Doing this in the Rasa server rather than in a custom
action means conditional responses ("hello" in the user's language) work without a
round trip to the action server, and still work when the action server is down.

One action it does choose: when a conversation starts with a message that could be in
two languages ("Hallo": Dutch or German) and the channel says nothing, the answer comes
in the more likely one and is followed by ``utter_offer_language``, a one-tap offer of
the other, written in it (slot ``language_offer``), and then by listening.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, SESSION_START_METADATA_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.languages import choose_language, load_catalogue, metadata_language
from bot.plugins.components.action_failure import failed_custom_action
from bot.plugins.components.base import UntrainedPolicy, latest_action
from bot.plugins.components.language_detector import LANGUAGE_KEY

LANGUAGE_SLOT = "language"
OFFER_SLOT = "language_offer"
OFFER_ACTION = "utter_offer_language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class LanguagePolicy(UntrainedPolicy):
    """Sets the conversation language from each user message; offers the other language
    after an answer to an ambiguous first message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._catalogue = load_catalogue()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above RulePolicy (6), FollowUpPolicy (7) and ActionFailurePolicy (8): its one
        # prediction, the offer, must win against the listening after the answer.
        return {"priority": 9}

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        events: List[Event] = []
        wanted = self.language_after_latest_message(tracker)
        if wanted and wanted != tracker.get_slot(LANGUAGE_SLOT):
            events.append(SlotSet(LANGUAGE_SLOT, wanted))
            offer = self.offer_after_latest_message(tracker, wanted)
            if offer != tracker.get_slot(OFFER_SLOT):
                events.append(SlotSet(OFFER_SLOT, offer))
        latest = latest_action(tracker)
        if latest == OFFER_ACTION:
            return ACTION_LISTEN_NAME, [*events, SlotSet(OFFER_SLOT, None)]
        if (
            tracker.get_slot(OFFER_SLOT)
            and latest not in (None, ACTION_LISTEN_NAME)
            and OFFER_ACTION in domain.action_names_or_texts
            and failed_custom_action(tracker, domain) is None
        ):
            return OFFER_ACTION, events  # after the answer, once
        return None, events

    def offer_after_latest_message(self, tracker: DialogueStateTracker, chosen: str) -> Optional[str]:
        """The other language to offer when the first message could be in two."""
        message = tracker.latest_message
        if message is None or tracker.get_slot(LANGUAGE_SLOT):
            return None  # the conversation has its language already
        parse = message.parse_data or {}
        detection = parse.get(LANGUAGE_KEY) or {}
        session_start = tracker.get_slot(SESSION_START_METADATA_SLOT)
        channel = metadata_language(message.metadata) or metadata_language(session_start)
        if detection.get("reliable") or channel:
            return None  # sure, or the channel's language came first
        alternative = self._catalogue.normalise_code(detection.get("alternative"))
        if alternative is None:
            candidate = self._catalogue.normalise_code(detection.get("code"))
            alternative = candidate if candidate != chosen else None
        return alternative if alternative != chosen else None

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
