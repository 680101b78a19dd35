"""A follow-up about one session that asks for its day, hour or room when the programme
does not have it, or for a recording or live stream, which it never has.

"What time did it start?" after a session no source gives a time for: the card would
answer with everything else and "day and time not confirmed" among it; the question
gets the honest "about «session», I don't have that information" instead, as a missing
facet of any other subject does (bot/conversation/followup.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional

from bot.conversation.agenda.model import Programme, Session
from bot.conversation.agenda.render import Renderer
from bot.conversation.content.model import KnowledgeBase
from bot.conversation.content.select import unknown_about
from bot.conversation.languages import DEFAULT_LANGUAGE
from bot.conversation.text import longest_match, normalise
from bot.conversation.yaml_files import safe_load

DETAILS_FILE = Path(__file__).with_name("session_details.yml")
SESSION_FIELDS = ("day", "hour", "room")  # the details a session of the programme may have


@lru_cache(maxsize=1)
def detail_words() -> Dict[str, FrozenSet[str]]:
    """Per detail ("day", "hour", "room"), its words in every language, normalised."""
    raw = safe_load(DETAILS_FILE.read_text(encoding="utf-8"))
    return {
        detail: frozenset(normalise(str(word)) for words in by_language.values() for word in words)
        for detail, by_language in raw.items()
    }


def missing_detail(session: Session, question: str) -> Optional[str]:
    """What the question asks about the session ("day", "hour", "room", "recording"), when the session
    has none of it; None when it asks for none of these or the card can answer a part
    ("when did it start?" of a session with a day but no hour)."""
    lacking = {"day": session.day is None, "hour": session.start is None, "room": not session.room}
    asked = asked_details(question)
    # A detail the programme has no field for (a recording) is lacking for every session.
    return asked[0] if asked and all(lacking.get(detail, True) for detail in asked) else None


def asks_what_no_session_has(question: str) -> bool:
    """Whether the question asks for a detail the programme has no field for ("will it be
    streamed?"): about the remembered session whatever the classifier made of it (the
    Wi-Fi's FAQ), and never in its card."""
    return any(detail not in SESSION_FIELDS for detail in asked_details(question))


def asked_details(question: str) -> List[str]:
    """The session details the question asks for ("day", "hour", "room", "recording")."""
    text = normalise(question)
    return [detail for detail, words in detail_words().items() if longest_match(text, words)]


def unknown_detail(
    kb: KnowledgeBase, programme: Programme, session_id: str, question: str, language: Optional[str]
) -> Optional[str]:
    """ "About «session», I don't have that information" when the question asks only for
    what the session lacks."""
    session = programme.session(session_id)
    if session is None or missing_detail(session, question) is None:
        return None
    renderer = Renderer.of(programme, language or DEFAULT_LANGUAGE)
    return unknown_about(kb, renderer.say("quoted", title=renderer.pick(session.title)), language)
