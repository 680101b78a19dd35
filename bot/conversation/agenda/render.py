"""Writes programme entries as chat text in the conversation language.

The sentences live in ``strings.yml``; this module only fills them in, so every language
says the same thing and a new language is a data change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

from bot.conversation import yaml_files
from bot.conversation.agenda.model import Person, Programme, Session, Texts
from bot.conversation.languages import DEFAULT_LANGUAGE

STRINGS_FILE = Path(__file__).with_name("strings.yml")
# Session types whose name says more than the title alone ("Guided discussion: …").
LABELLED_TYPES = ("plenary", "guided_discussion", "thematic_session", "official_session", "side_event")


@cache
def strings() -> Mapping[str, Mapping]:
    return yaml_files.safe_load(STRINGS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Renderer:
    """Formats for one language and one programme."""

    programme: Programme
    language: str

    @classmethod
    def of(cls, programme: Programme, language: Optional[str]) -> "Renderer":
        code = language if language is not None and language in strings()["text"]["date"] else DEFAULT_LANGUAGE
        return cls(programme, code)

    def say(self, key: str, **values: str) -> str:
        return strings()["text"][key][self.language].format(contact=self.programme.conference.contact, **values)

    def pick(self, texts: Texts) -> str:
        return texts.get(self.language) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")

    def date(self, day: date, year: bool = False) -> str:
        table = strings()
        text = self.say(
            "date",
            weekday=table["weekdays"][self.language][day.weekday()],
            day=str(day.day),
            month=table["months"][self.language][day.month - 1],
        )
        return self.say("date_year", date=text, year=str(day.year)) if year else text

    def moment(self, now: datetime) -> str:
        return self.say("moment", date=self.date(now.date()), time=f"{now:%H:%M}")

    def part(self, name: str) -> str:
        return strings()["parts"][self.language][name]

    @staticmethod
    def clock(value: time) -> str:
        return f"{value:%H:%M}"

    def title(self, session: Session) -> str:
        title = self.pick(session.title)
        if session.type in LABELLED_TYPES:
            return f"{strings()['types'][self.language][session.type]}: {self.say('quoted', title=title)}"
        return title

    def when(self, session: Session, with_date: bool = True) -> str:
        if session.day is None:
            return self.say("day_unknown")
        day = self.date(session.day) if with_date else ""
        if session.start and session.end:
            hours = f"{self.clock(session.start)}–{self.clock(session.end)}"
        else:
            hours = self.say("time_unknown")
        return self.say("moment", date=day, time=hours) if day else hours

    def person(self, person: Person) -> str:
        return f"{person.name_in(self.language)} ({self.pick(person.role)})"

    def people_short(self, session: Session) -> str:
        parts = []
        for label, group in (("moderator", session.moderators), ("speakers", session.speakers)):
            if group:
                names = ", ".join(self.programme.people[p.person].name_in(self.language) for p in group)
                parts.append(f"{self.say(label)}: {names}")
        return " — " + "; ".join(parts) if parts else ""

    def line(self, session: Session, with_date: bool = True) -> str:
        """One list item: when, what, who."""
        if session.unconfirmed:
            return f"• {self.when(session, with_date)}: {self.say('slot_unknown')}"
        return f"• {self.when(session, with_date)} · {self.title(session)}{self.people_short(session)}"

    def card(self, session: Session) -> str:
        """Everything known about one session, with its source."""
        if session.unconfirmed:
            return self.line(session) + self.source(session.sources)
        venue = self.pick(self.programme.conference.venue)
        room = self.say("room", room=session.room) if session.room else self.say("room_unknown")
        lines = [
            self.title(session),
            f"{self.say('when')}: {self.when(session)}",
            f"{self.say('where')}: {venue}, {room}",
        ]
        for label, group in (("moderator", session.moderators), ("speakers", session.speakers)):
            if group:
                lines.append(f"{self.say(label).capitalize()}: " + "; ".join(self.participant(p) for p in group))
        lines.append(self.pick(session.description))
        return "\n".join(lines) + self.source(session.sources)

    def participant(self, participation) -> str:
        text = self.person(self.programme.people[participation.person])
        return f"{text} – {self.pick(participation.note)}" if participation.note else text

    def source(self, sources: Sequence[str]) -> str:
        return f"\n{self.say('source')}: {sources[0]}" if sources else ""

    def person_card(self, person: Person) -> str:
        appearances = self.programme.sessions_of(person.id)
        if not appearances:
            return self.say(
                "person_no_session", name=person.name_in(self.language), role=self.pick(person.role)
            ) + self.source(person.sources)
        lines: List[str] = [self.say("person", name=person.name_in(self.language), role=self.pick(person.role))]
        for session, part, participation in appearances:
            what = self.pick(participation.note) if participation.note else self.say(part)
            lines.append(f"• {self.when(session)} · {self.title(session)} – {what}")
        sources = list(dict.fromkeys([*person.sources, *(s for a in appearances for s in a[0].sources)]))
        return "\n".join(lines) + self.source(sources)
