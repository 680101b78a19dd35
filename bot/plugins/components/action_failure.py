"""Dialogue policy that apologises when a custom action failed (action server down or slow).

When the action server does not answer, or answers after the timeout, Rasa logs
``ActionExecuted(action_answer)`` with no events after it and would otherwise say
nothing at all. Every custom action of ours utters something when it succeeds, so
"a custom action followed by nothing" means it failed; this policy then predicts
``utter_action_unavailable``: a response rendered by the Rasa server in the
conversation language, saying what still works. Nothing is cached, so the next
question goes to the action server again and recovery needs no restart.

Rasa waits up to five minutes for an action by default; ``action_timeout`` (seconds,
config.yml, overridable with the environment variable ``BOT_ACTION_TIMEOUT``) shortens
that. Rasa 3.6 has no setting for it; ``bot.plugins.patches.set_action_timeout`` sets
the module constant its ``RemoteAction`` reads at each call.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins import patches
from bot.plugins.components.base import UntrainedPolicy

logger = logging.getLogger(__name__)

TIMEOUT_ENV = "BOT_ACTION_TIMEOUT"


def failed_custom_action(tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
    """The custom action that just ran and produced no event at all, if any.

    Only turns that came through a channel count: their user message carries a
    message id. Conversation tests (``rasa test core``) replay a story's
    ``action_answer`` without running it and without a message id, and that is not a
    failure.
    """
    if not tracker.events or tracker.latest_message is None or not tracker.latest_message.message_id:
        return None
    latest = tracker.events[-1]
    if not isinstance(latest, ActionExecuted) or latest.action_name is None:
        return None
    name = latest.action_name
    if name == ACTION_LISTEN_NAME or name not in domain.user_actions or name in domain.responses:
        return None
    return name


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class ActionFailurePolicy(UntrainedPolicy):
    """Predicts the apology response right after a custom action that produced nothing."""

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        timeout = float(os.environ.get(TIMEOUT_ENV) or self.config["action_timeout"])
        if patches.set_action_timeout(timeout):
            logger.info("Custom actions time out after %.1f s", timeout)

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above RulePolicy (6) and FollowUpPolicy (7): both say action_listen after
        # action_answer with the same confidence, and silence is the one reply we never want.
        return {"priority": 8, "action_timeout": 4.0, "apology": "utter_action_unavailable"}

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        """The apology right after a failed custom action; nothing to learn: the failure
        signature is the same in every conversation."""
        failed = failed_custom_action(tracker, domain)
        if failed:
            logger.warning("Action %s failed for %s; apologising", failed, tracker.sender_id)
            return self.config["apology"], []
        return None, []
