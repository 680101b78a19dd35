"""Typed view of the programme file (format: docs/agenda.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

Texts = Mapping[str, str]  # language code → text

SESSION_TYPES = ("ceremony", "plenary", "guided_discussion", "thematic_session", "official_session", "side_event")


@dataclass(frozen=True)
class Person:
    """Someone on the programme, with the job title they held at the time."""

    id: str
    name: Texts  # at least English; other scripts where the name is written differently
    role: Texts
    aliases: Sequence[str]
    sources: Sequence[str]

    def name_in(self, language: str) -> str:
        return self.name.get(language) or self.name["en"]


@dataclass(frozen=True)
class Participation:
    """A person's part in one session ("opened the conference")."""

    person: str
    note: Optional[Texts] = None


@dataclass(frozen=True)
class Topic:
    id: str
    label: Texts
    aliases: Sequence[str]


@dataclass(frozen=True)
class Session:
    """One programme entry. ``unconfirmed`` slots have a time but no known content."""

    id: str
    day: Optional[date]
    start: Optional[time]
    end: Optional[time]
    type: Optional[str]
    title: Texts
    description: Texts
    room: Optional[str]
    speakers: Tuple[Participation, ...] = ()
    moderators: Tuple[Participation, ...] = ()
    topics: Tuple[str, ...] = ()
    aliases: Tuple[str, ...] = ()
    sources: Tuple[str, ...] = ()
    unconfirmed: bool = False

    @property
    def timed(self) -> bool:
        return self.day is not None and self.start is not None and self.end is not None

    def starts(self, tz: ZoneInfo) -> datetime:
        """Only for ``timed`` sessions: callers pick those first, so another one is a bug, not a None to compare."""
        if self.day is None or self.start is None:
            raise ValueError(f"session '{self.id}' has no day or start time")
        return datetime.combine(self.day, self.start, tz)

    def ends(self, tz: ZoneInfo) -> datetime:
        """Only for ``timed`` sessions, as ``starts``."""
        if self.day is None or self.end is None:
            raise ValueError(f"session '{self.id}' has no day or end time")
        return datetime.combine(self.day, self.end, tz)

    def people(self) -> Tuple[Tuple[str, Participation], ...]:
        """(``moderator``|``speaker``, participation), moderators first."""
        return tuple(("moderator", p) for p in self.moderators) + tuple(("speaker", p) for p in self.speakers)


@dataclass(frozen=True)
class Conference:
    timezone: ZoneInfo
    days: Tuple[date, ...]
    complete: bool
    contact: str
    venue: Texts
    sources: Tuple[str, ...] = ()

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]


@dataclass(frozen=True)
class Programme:
    """Everything the agenda answers from, as loaded at one moment.

    ``sessions`` are in time order (sessions without a day or time last); the alias
    maps are normalised phrase → id, for finding what a question names.
    """

    conference: Conference
    sessions: Tuple[Session, ...]
    people: Mapping[str, Person]
    topics: Mapping[str, Topic]
    session_aliases: Mapping[str, str] = field(default_factory=dict)
    person_aliases: Mapping[str, str] = field(default_factory=dict)
    topic_aliases: Mapping[str, str] = field(default_factory=dict)

    def session(self, session_id: str) -> Optional[Session]:
        return next((s for s in self.sessions if s.id == session_id), None)

    def sessions_of(self, person_id: str) -> Tuple[Tuple[Session, str, Participation], ...]:
        """Sessions in which a person takes part, with their part."""
        return tuple(
            (session, part, participation)
            for session in self.sessions
            for part, participation in session.people()
            if participation.person == person_id
        )
