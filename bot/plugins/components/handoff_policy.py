"""Dialogue policies of the hand-off to a person (docs/handoff.md).

Two policies, because they must rank differently against the others:

* ``HandoffOfferPolicy`` offers a hand-off (``utter_handoff_offer``, buttons "yes"/"no")
  when an attendee asks for a person, and after a second misunderstood message in a row
  (``utter_handoff_offer_fallback`` instead of a second "please rephrase"). It has the
  FollowUpPolicy's priority and comes after it in config.yml, so a follow-up the
  classifier read as a request for a person ("wer leitete es?") is still answered
  (equal confidence and priority: Rasa keeps the first), while the rule's "I can't
  connect you" gives way.
* ``HandoffPolicy`` ranks above every other policy: "yes" (the button's payload
  ``/request_human{"handoff_step": "open"}``) opens a hand-off, and while one is open
  the assistant answers nothing itself: every message is only stored (the desk relays it
  to the organisers, bot/plugins/handoff/), except "back to the assistant" (typed in any
  of the six languages, or the button), which closes it, and the intents listed in
  ``pass_through`` ("forget me").

The state is the conversation's ``handoff`` slot (bot/conversation/handoff.py), so any
worker or replica decides the same, and a restart keeps an open hand-off. Both offer
nothing unless the organisers' channel is configured (``HANDOFF_SLACK_CHANNEL``): then
a request for a person keeps its rule's answer.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.handoff import HandoffState, LiveHandoffSettings, handoff_enabled
from bot.plugins.components.base import UntrainedPolicy, latest_action

HANDOFF_SLOT = "handoff"
FROM_SLOT = "handoff_from"
STEP_ENTITY = "handoff_step"
REQUEST_INTENT = "request_human"
FALLBACK_INTENT = "nlu_fallback"
OFFER = "utter_handoff_offer"
OFFER_AFTER_FALLBACK = "utter_handoff_offer_fallback"
NOT_UNDERSTOOD = "utter_default"
OPENED = "utter_handoff_opened"
OPENED_UNSTAFFED = "utter_handoff_opened_unstaffed"
CLOSED_BY_ATTENDEE = "utter_handoff_closed_attendee"
# After these the assistant listens (the rules know none of them).
OWN_RESPONSES = frozenset({OFFER, OFFER_AFTER_FALLBACK, OPENED, OPENED_UNSTAFFED, CLOSED_BY_ATTENDEE})


def handoff_step(tracker: DialogueStateTracker) -> Optional[str]:
    """The button's ``handoff_step`` ("open", "close") in the latest message, if any."""
    message = tracker.latest_message
    for entity in (message.entities if message else None) or []:
        if entity.get("entity") == STEP_ENTITY:
            return str(entity.get("value"))
    return None


def latest_intent(tracker: DialogueStateTracker) -> Optional[str]:
    message = tracker.latest_message
    return (message.intent or {}).get("name") if message else None


def open_handoff(tracker: DialogueStateTracker) -> Optional[HandoffState]:
    return HandoffState.from_slot(tracker.get_slot(HANDOFF_SLOT))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffPolicy(UntrainedPolicy):
    """Opens and closes hand-offs, and keeps the assistant silent while one is open."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._settings = LiveHandoffSettings()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above every other policy (LanguagePolicy is 9): silence must win over answers.
        return {"priority": 10, "pass_through": ["forget_me"]}

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        latest = latest_action(tracker)
        if latest in OWN_RESPONSES:
            return ACTION_LISTEN_NAME, []
        if latest is not None or tracker.latest_message is None:
            return None, []
        step = handoff_step(tracker)
        if open_handoff(tracker):
            # Without the organisers' channel (configuration changed since) nobody would answer.
            if (
                step == "close"
                or not handoff_enabled()
                or self._settings.get().is_back_to_assistant(tracker.latest_message.text or "")
            ):
                return CLOSED_BY_ATTENDEE, [SlotSet(HANDOFF_SLOT, None)]
            if latest_intent(tracker) in self.config["pass_through"]:
                return None, []
            return ACTION_LISTEN_NAME, []  # stored, relayed by the desk; a person answers
        if step == "open" and handoff_enabled():
            return self._open()
        return None, []

    def _open(self) -> Tuple[str, List[Event]]:
        settings = self._settings.get()
        now = time.time()
        moment = datetime.fromtimestamp(now, timezone.utc)
        if settings.staffed_at(moment):
            return OPENED, [SlotSet(HANDOFF_SLOT, HandoffState(uuid.uuid4().hex, now, now).as_slot())]
        starts = settings.next_staffed(moment)
        state = HandoffState(uuid.uuid4().hex, now, starts.timestamp())
        return OPENED_UNSTAFFED, [SlotSet(HANDOFF_SLOT, state.as_slot()), SlotSet(FROM_SLOT, settings.describe(starts))]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffOfferPolicy(UntrainedPolicy):
    """Offers a hand-off for a request for a person, or after two misunderstood messages."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The FollowUpPolicy's priority, listed after it in config.yml (see the module docstring).
        return {"priority": 7}

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        if latest_action(tracker) is not None or open_handoff(tracker) or not handoff_enabled():
            return None, []
        intent = latest_intent(tracker)
        if intent == REQUEST_INTENT and handoff_step(tracker) is None:
            return OFFER, []
        if intent == FALLBACK_INTENT and previous_turn_not_understood(tracker):
            return OFFER_AFTER_FALLBACK, []
        return None, []


def previous_turn_not_understood(tracker: DialogueStateTracker) -> bool:
    """Whether the assistant answered the user's previous message with "please rephrase"."""
    users = 0
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            users += 1
            if users == 2:
                return False
        elif users == 1 and isinstance(event, ActionExecuted) and event.action_name == NOT_UNDERSTOOD:
            return True
    return False
