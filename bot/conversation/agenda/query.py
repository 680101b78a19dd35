"""What an agenda question asks for: named sessions, a person, a topic, a time.

Time comes from the NLU entities (``bot.conversation.agenda.timeparse`` run by the
AgendaEntityExtractor); sessions, people and topics are found here against the aliases
of the programme currently loaded, so an organiser's new alias works at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.conversation.agenda import timeparse
from bot.conversation.agenda.model import Programme
from bot.conversation.text import arabic_attached, contains_phrase, normalise

SESSION_ENTITY = "agenda_session"  # from buttons: /ask_programme{"agenda_session": "opening"}


@dataclass(frozen=True)
class Query:
    sessions: Tuple[str, ...] = ()
    person: Optional[str] = None
    topic: Optional[str] = None
    days: Tuple[str, ...] = ()
    part: Optional[str] = None
    time: Optional[str] = None
    relative: Optional[str] = None
    schedule_cue: bool = False

    @property
    def has_time(self) -> bool:
        return bool(self.days or self.part or self.time or self.relative)


def named(normalised_text: str, index: Mapping[str, str]) -> List[str]:
    """Ids whose aliases occur in the text, longest alias first; an alias inside a
    longer one found ("human rights" in "human rights session") does not count."""
    found: List[str] = []
    matched: List[str] = []
    for alias in sorted(index, key=len, reverse=True):
        if any(contains_phrase(longer, alias) for longer in matched):
            continue
        if contains_phrase(normalised_text, alias) or arabic_attached(normalised_text, alias):
            matched.append(alias)
            if index[alias] not in found:
                found.append(index[alias])
    return found


TITLE_PHRASE_WORDS = 3  # "why the silence", "por que el silencio"; not "closing session"


def _by_title_first(programme: Programme, normalised_text: str, sessions: List[str]) -> List[str]:
    """The sessions named by one of their titles (or a phrase of three words or more of
    one), when any is: "Youth Migration: Why the Silence panel?" names the youth panel,
    not also the guided discussion ("panel")."""
    if len(sessions) < 2:
        return sessions
    found = [session for session in (programme.session(identifier) for identifier in sessions) if session]
    titled = [s.id for s in found if any(contains_phrase(normalised_text, normalise(t)) for t in s.title.values())]
    # Or by a phrase of its title ("por qué el silencio"), not a common word ("panel").
    phrases = [
        (alias, named) for alias, named in programme.session_aliases.items() if len(alias.split()) >= TITLE_PHRASE_WORDS
    ]
    phrased = [
        identifier
        for identifier in sessions
        if any(named == identifier and contains_phrase(normalised_text, alias) for alias, named in phrases)
    ]
    return titled or phrased or sessions


@cache
def _cues() -> Tuple[str, ...]:
    return tuple(normalise(cue) for cue in timeparse.schedule_cues())


def _entity_values(entities: Iterable[Mapping[str, Any]], name: str) -> List[str]:
    return [str(e.get("value")) for e in entities if e.get("entity") == name and e.get("value") is not None]


def build_query(programme: Programme, text: str, entities: Sequence[Mapping[str, Any]]) -> Query:
    """The query of one message: its NLU entities plus what the programme's aliases name."""
    normalised = normalise(text or "")
    chosen = [s for s in _entity_values(entities, SESSION_ENTITY) if programme.session(s)]
    sessions = chosen or _by_title_first(programme, normalised, named(normalised, programme.session_aliases))
    people = named(normalised, programme.person_aliases)
    topics = named(normalised, programme.topic_aliases)

    def first(entity: str) -> Optional[str]:
        values = _entity_values(entities, entity)
        return values[0] if values else None

    return Query(
        sessions=tuple(sessions),
        person=people[0] if people else None,
        topic=topics[0] if topics else None,
        days=tuple(dict.fromkeys(_entity_values(entities, timeparse.DAY))),
        part=first(timeparse.PART),
        time=first(timeparse.TIME),
        relative=first(timeparse.RELATIVE),
        schedule_cue=any(contains_phrase(normalised, cue) for cue in _cues()),
    )


def resolve_day(value: str, programme: Programme, now: datetime) -> Optional[date]:
    """The calendar date an ``agenda_day`` value stands for (None if it cannot be one)."""
    days = programme.conference.days
    today = now.date()
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if value in relative:
        return today + timedelta(days=relative[value])
    kind, _, number = value.partition(":")
    try:
        if kind == "day":
            return days[-1] if number == "last" else days[int(number) - 1]
        if kind == "weekday":
            return next((d for d in days if d.isoweekday() == int(number)), None)
        if kind == "dom":
            return next((d for d in days if d.day == int(number)), None) or days[0].replace(day=int(number))
        if re.fullmatch(r"\d{2}-\d{2}", value):
            return date.fromisoformat(f"{days[0].year}-{value}")
        return date.fromisoformat(value)
    except (ValueError, IndexError):
        return None


def weekday_outside(value: str, programme: Programme) -> Optional[int]:
    """The ISO weekday asked for when it is not a conference day ("on Monday")."""
    kind, _, number = value.partition(":")
    if kind == "weekday" and not any(d.isoweekday() == int(number) for d in programme.conference.days):
        return int(number)
    return None
