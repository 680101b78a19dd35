"""Dialogue policy that sends follow-up questions to the knowledge action.

"Who was in charge of it back then?" after an answer about UN-Habitat is a follow-up
(bot/conversation/followup.py), but the classifier, seeing no subject, often falls back
or picks another intent; the rules would then say "sorry, I didn't understand" or answer
another topic's question. This policy reads the conversation's remembered subject (the
``subject`` slot) and the live content, and when the latest message is a follow-up it
predicts ``action_answer``, which answers it about that subject, and then listening
(the rules have no step after an answer to a fallback).

Which messages are considered (``config.yml``): any intent except the conversation's own
moves (``never``: greetings, thanks, goodbyes …); for ``pointing_question`` intents, a
question that points back is considered whatever else is needed below ("Ist sie rechtlich
bindend?" read as "are you a bot?", "Worauf baut sie auf?" as a goodbye); for ``facet_only`` intents
("ok, and its headquarters?" classified as an acknowledgement, "was war seine Funktion?"
as a request for help) only when the message names a facet of the remembered topic, so
"ok, that's it" stays an acknowledgement; for ``facet_pointing`` ones also with a pointing
word ("wer leitete es?" read as a request for a person, but "can I talk to someone in
charge?" stays one); for ``facet_question`` ones also as a question ("gibt's die auf
Deutsch?" after the Declaration, but "auf Deutsch bitte" still switches the language).
A ``greeting_naming`` intent (a greeting) that names a subject with at most a few words
besides ("Servus, kurze Frage zu Mecheln") is answered on what it names, which is then
remembered for the question that follows. So is an ``unsure_naming`` intent (a goodbye,
an acknowledgement) the classifier gave less than ``unsure_below`` that names a subject:
"Ich war noch nie in Mechelen." read as a goodbye, "Ik ken Mechelen nie goed eigenlijk"
as an acknowledgement are about the city, and what follows ("waarom daar?") too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.agenda.live import LiveProgramme
from bot.conversation.agenda.loader import PROGRAMME_FILE, ProgrammeError
from bot.conversation.agenda.model import Programme
from bot.conversation.agenda.query import build_query
from bot.conversation.content import ContentError, LiveContent
from bot.conversation.content.loader import CONTENT_DIR
from bot.conversation.content.model import KnowledgeBase
from bot.conversation.content.select import topic_for
from bot.conversation.followup import (
    SESSION_TOPIC,
    SHOW_MORE,
    Cues,
    Remembered,
    cues,
    follow_up,
    message_language,
    refers_back,
    session_follow_up,
    session_named_first,
)
from bot.conversation.languages import load_catalogue
from bot.conversation.text import longest_match, normalise, without_phrases
from bot.plugins.components.base import UntrainedPolicy, latest_action

SUBJECT_SLOT = "subject"
ANSWER_ACTION = "action_answer"
AGENDA_ACTION = "action_agenda"
RECHECK_S = 1.0
GREETING_OTHER_WORDS = 3  # "ne frage zur", "a question about", "une question sur"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FollowUpPolicy(UntrainedPolicy):
    """Predicts ``action_answer`` for a follow-up about the remembered subject."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._catalogue = load_catalogue()
        # The Rasa server reads the same content files as the action server and reloads them
        # alike, comparing them at most once a second (the answers themselves come from the
        # action server, which compares on every question): the stat calls were ~3 % of a message.
        self._content = LiveContent(Path(os.environ.get("BOT_CONTENT_DIR", CONTENT_DIR)), RECHECK_S)
        self._programme = LiveProgramme(Path(os.environ.get("BOT_PROGRAMME_FILE", PROGRAMME_FILE)), RECHECK_S)
        # Read while the model loads, before the Sanic workers fork: they share them.
        self._content.preload()
        self._programme.preload()
        self._never = frozenset(self.config["never"])
        self._facet_only = frozenset(self.config["facet_only"])
        self._facet_pointing = frozenset(self.config["facet_pointing"])
        self._facet_question = frozenset(self.config["facet_question"])
        self._named_subject = frozenset(self.config["named_subject"])
        self._pointing_question = frozenset(self.config["pointing_question"])
        self._greeting_naming = frozenset(self.config["greeting_naming"])
        self._unsure_naming = frozenset(self.config["unsure_naming"])
        self._unsure_below = float(self.config["unsure_below"])
        languages = self._catalogue.languages.values()
        self._courtesies = tuple(word for language in languages for word in language.lexicon)
        self._asking = tuple(phrase for language in languages for phrase in language.asking)
        self._need_facet = self._facet_only | self._facet_pointing | self._facet_question

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above the rules (6), which would send a fallback to "sorry, I didn't understand"
        # and, after an answer to an intent with no rule of its own, would not listen.
        # Below ActionFailurePolicy (8) and LanguagePolicy (9), whose apology and language
        # offer come after an answer instead of listening.
        return {
            "priority": 7,
            "never": [],
            "facet_only": [],
            "facet_pointing": [],
            "facet_question": [],
            "named_subject": [],
            "pointing_question": [],
            "greeting_naming": [],
            "unsure_naming": [],
            "unsure_below": 0.0,
        }

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[Optional[str], List[Event]]:
        latest = latest_action(tracker)
        if latest is None:  # right after a message
            return self.routed_action(tracker), []
        if latest in (ANSWER_ACTION, AGENDA_ACTION):
            return ACTION_LISTEN_NAME, []  # the answer is the whole turn
        return None, []

    def routed_action(self, tracker: DialogueStateTracker) -> Optional[str]:
        """The action that answers the latest message, if this policy routes it: the
        knowledge action for a message the classifier could not place that names a subject
        ("info sobre CGLU porfa" read as a request for help) or for a follow-up about the
        remembered subject, the agenda for a follow-up about a remembered session."""
        remembered = Remembered.parse(tracker.get_slot(SUBJECT_SLOT))
        message = tracker.latest_message
        if message is None:
            return None
        text = message.text or ""
        classified = (message.parse_data or {}).get("intent") or {}
        intent = classified.get("name")
        if not text or text.startswith("/"):
            return None  # a button payload
        # Without a remembered subject nothing points back: no follow-up cues to gather.
        language = tracker.get_slot("language")
        words = (
            cues(self._catalogue, language, message_language(message.parse_data))
            if remembered is not None
            else Cues(())
        )
        pointing = intent in self._pointing_question and refers_back(text, words.pointing)
        pointing_question = pointing and _is_question(text, words)
        greeting = intent in self._greeting_naming
        unsure = intent in self._unsure_naming and float(classified.get("confidence") or 0.0) < self._unsure_below
        if intent in self._never and not pointing and not greeting and not unsure:
            return None  # a move of the conversation itself
        try:
            kb = self._content.get()
        except ContentError:
            return None  # the action server reports missing content; the rules decide
        if greeting and not pointing:
            # "hallo, ne frage zur Deklaration von Mechelen": what is named is the question
            return ANSWER_ACTION if self._greets_naming(kb, text) else None
        if unsure and not pointing and topic_for(kb, None, text) is not None:
            return ANSWER_ACTION  # "Ich war noch nie in Mechelen." read as a goodbye
        if not _is_question(text, words) and self._session_named_first(kb, intent, text):
            return AGENDA_ACTION  # "closing session + adoption of the declaration"
        if intent in self._named_subject and topic_for(kb, None, text) is not None:
            return ANSWER_ACTION  # "info sobre CGLU porfa" read as a request for help
        if intent in self._named_subject and len(self._named_sessions(text, message)) == 1:
            return AGENDA_ACTION  # "Eröffnungsfeier" alone, not understood: the session's card
        if remembered is None:
            return None
        if remembered.topic == SESSION_TOPIC:
            if (intent in self._need_facet or intent in self._never) and not pointing_question:
                return None
            return AGENDA_ACTION if self._session(kb, intent, text, remembered, words, message) else None
        result = follow_up(kb, intent, text, remembered, words)
        if result is None:
            return None
        # Without a question mark ("wer hat sie verabschiedet" read as a goodbye), pointing
        # back is a follow-up when it asks for a facet the subject has an answer for.
        # "cuéntame más de él" read as "show more": the subject's own answer.
        more = intent == SHOW_MORE and result.answer is not None
        if pointing_question or (pointing and result.answer is not None and (result.facet is not None or more)):
            return ANSWER_ACTION
        if intent in self._never or not self._allowed(intent, result.facet, text, words):
            return None
        return ANSWER_ACTION

    def _greets_naming(self, kb: KnowledgeBase, text: str) -> bool:
        """Whether a greeting names a subject or a topic that is one thing with at most a
        few words besides ("Servus, kurze Frage zu Mecheln", "hello UCLG"; an asking phrase
        is not counted: "goeiemorgen, ik zoek info over Mohamed Boussraoui"), not a greeting
        that introduces the writer ("Hi, I'm with the city council of Ghent")."""
        if topic_for(kb, None, text) is None:
            return False
        normalised = normalise(text)
        things = [anchor for topic in kb.topics_by_intent.values() if topic.thing_name for anchor in topic.anchors]
        named = longest_match(normalised, kb.all_subject_aliases) or longest_match(normalised, things) or ""
        rest = without_phrases(normalised, (named, *self._courtesies, *self._asking))
        return len(rest.split()) <= GREETING_OTHER_WORDS

    def _allowed(self, intent: Optional[str], facet: Optional[str], text: str, words: Cues) -> bool:
        """Whether a follow-up classified as ``intent`` is routed (config.yml says which
        intents need a facet, a facet and a pointing word, or a facet and a question)."""
        if intent in self._need_facet and facet is None:
            return False
        if intent in self._facet_pointing and not refers_back(text, words.pointing):
            return False  # "can I talk to someone in charge?" stays a request for a person
        return intent not in self._facet_question or _is_question(text, words)

    def _session_named_first(self, kb: KnowledgeBase, intent: Optional[str], text: str) -> bool:
        programme = self._programme_or_none()
        return programme is not None and session_named_first(kb, programme, intent, text) is not None

    def _named_sessions(self, text: str, message: UserUttered) -> Tuple[str, ...]:
        programme = self._programme_or_none()
        return build_query(programme, text, _entities(message)).sessions if programme is not None else ()

    def _programme_or_none(self) -> Optional[Programme]:
        """The live programme; None while its file is invalid (the agenda action reports it)."""
        try:
            return self._programme.get()
        except ProgrammeError:
            return None

    def _session(
        self,
        kb: KnowledgeBase,
        intent: Optional[str],
        text: str,
        remembered: Remembered,
        words: Cues,
        message: UserUttered,
    ) -> Optional[str]:
        programme = self._programme_or_none()
        if programme is None:
            return None
        return session_follow_up(kb, programme, intent, text, remembered, words, _entities(message))


def _entities(message: UserUttered) -> List[Dict[str, Any]]:
    return (message.parse_data or {}).get("entities") or []


def _is_question(text: str, words: Cues) -> bool:
    """A question mark, an opening "¿", or a question word among the first three words
    ("in welchen Sprachen gibt's die", "dispo en quelles langues" without a question mark)."""
    stripped = text.strip()
    if stripped.endswith(("?", "؟")) or stripped.startswith("¿"):
        return True
    opening = " ".join(normalise(stripped).split()[:3])
    return longest_match(opening, words.details) is not None
