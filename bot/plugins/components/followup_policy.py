"""Dialogue policy that sends follow-up questions to the knowledge action.

"Who was in charge of it back then?" after an answer about UN-Habitat is a follow-up
(bot/conversation/followup.py), but the classifier, seeing no subject, often falls back
or picks another intent; the rules would then say "sorry, I didn't understand" or answer
another topic's question. This policy reads the conversation's remembered subject (the
``subject`` slot) and the live content, and when the latest message is a follow-up it
predicts ``action_answer``, which answers it about that subject, and then listening
(the rules have no step after an answer to a fallback).

Which messages are considered (``config.yml``): any intent except the conversation's own
moves (``never``: greetings, thanks, language choice …); for ``facet_only`` intents
("ok, and its headquarters?" classified as an acknowledgement) only when the message
names a facet of the remembered topic, so "ok, that's it" stays an acknowledgement.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.agenda.live import LiveProgramme
from bot.conversation.agenda.loader import PROGRAMME_FILE, ProgrammeError
from bot.conversation.content import ContentError, LiveContent
from bot.conversation.content.loader import CONTENT_DIR
from bot.conversation.content.model import KnowledgeBase
from bot.conversation.followup import FollowUp, Remembered, follow_up, session_follow_up
from bot.conversation.languages import DEFAULT_LANGUAGE, load_catalogue
from bot.plugins.components.base import UntrainedPolicy, latest_action

SUBJECT_SLOT = "subject"
ANSWER_ACTION = "action_answer"
AGENDA_ACTION = "action_agenda"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FollowUpPolicy(UntrainedPolicy):
    """Predicts ``action_answer`` for a follow-up about the remembered subject."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._catalogue = load_catalogue()
        # The Rasa server reads the same content files as the action server, and reloads them alike.
        self._content = LiveContent(Path(os.environ.get("BOT_CONTENT_DIR", CONTENT_DIR)))
        self._programme = LiveProgramme(Path(os.environ.get("BOT_PROGRAMME_FILE", PROGRAMME_FILE)))
        self._never = frozenset(self.config["never"])
        self._facet_only = frozenset(self.config["facet_only"])

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above the rules (6), which would send a fallback to "sorry, I didn't understand"
        # and, after an answer to an intent with no rule of its own, would not listen.
        # Below ActionFailurePolicy (8) and LanguagePolicy (9), whose apology and language
        # offer come after an answer instead of listening.
        return {"priority": 7, "never": [], "facet_only": []}

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        latest = latest_action(tracker)
        if latest is None:  # right after a message
            if self.follow_up(tracker) is not None:
                return ANSWER_ACTION, []
            if self.session_follow_up(tracker) is not None:
                return AGENDA_ACTION, []
        if latest in (ANSWER_ACTION, AGENDA_ACTION):
            return ACTION_LISTEN_NAME, []  # the answer is the whole turn
        return None, []

    def follow_up(self, tracker: DialogueStateTracker) -> Optional[FollowUp]:
        """The follow-up the latest message is, if it is one this policy routes."""
        considered = self._considered(tracker)
        if considered is None:
            return None
        kb, remembered, intent, text, anaphora = considered
        result = follow_up(kb, intent, text, remembered, anaphora)
        if result is None or (intent in self._facet_only and result.facet is None):
            return None
        return result

    def session_follow_up(self, tracker: DialogueStateTracker) -> Optional[str]:
        """The remembered session the latest message asks more about, if any."""
        considered = self._considered(tracker)
        if considered is None or considered[2] in self._facet_only:
            return None
        kb, remembered, intent, text, anaphora = considered
        try:
            programme = self._programme.get()
        except ProgrammeError:
            return None
        entities = (tracker.latest_message.parse_data or {}).get("entities") or [] if tracker.latest_message else []
        return session_follow_up(kb, programme, intent, text, remembered, anaphora, entities)

    def _considered(
        self, tracker: DialogueStateTracker
    ) -> Optional[Tuple[KnowledgeBase, Remembered, Optional[str], str, Tuple[str, ...]]]:
        """What a follow-up is decided on, or None for a message that cannot be one."""
        remembered = Remembered.parse(tracker.get_slot(SUBJECT_SLOT))
        message = tracker.latest_message
        if remembered is None or message is None:
            return None
        text = message.text or ""
        intent = ((message.parse_data or {}).get("intent") or {}).get("name")
        if not text or text.startswith("/") or intent in self._never:
            return None  # a button payload, or a move of the conversation itself
        try:
            kb = self._content.get()
        except ContentError:
            return None  # the action server reports missing content; the rules decide
        language = tracker.get_slot("language") or DEFAULT_LANGUAGE
        return kb, remembered, intent, text, tuple(self._catalogue.languages[language].anaphora)
