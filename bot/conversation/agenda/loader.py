"""Reads and validates the programme file; every fault names the entry at fault.

Organisers edit ``data/programme/programme.yml`` by hand, so the loader reports all
problems at once ("sessions[2] (id opening): end 09:00 is not after start 10:15"),
and refuses a file with any problem: half a programme would give wrong answers.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.agenda.model import (
    SESSION_TYPES,
    Conference,
    Participation,
    Person,
    Programme,
    Session,
    Texts,
    Topic,
)
from bot.conversation.languages import load_catalogue
from bot.conversation.text import normalise

PROGRAMME_FILE = PROJECT_ROOT / "data" / "programme" / "programme.yml"
LANGUAGE_CODES = tuple(load_catalogue().codes)
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ProgrammeError(ValueError):
    """The programme file is invalid. ``problems`` lists every fault found, each located."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Checker:
    """Collects problems while reading one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: List[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}")

    def texts(self, where: str, value: Any, required: Sequence[str] = LANGUAGE_CODES) -> Texts:
        """A text per language; ``required`` languages must be present and non-empty."""
        if isinstance(value, str) and required == ("en",):
            return {"en": value.strip()}
        if not isinstance(value, dict):
            self.fail(where, f"must map each language ({', '.join(required)}) to a text")
            return {}
        texts = {str(k): str(v).strip() for k, v in value.items() if isinstance(v, (str, int)) and str(v).strip()}
        for code in required:
            if code not in texts:
                self.fail(where, f"the '{code}' translation is missing or empty")
        for code in value:
            if code not in LANGUAGE_CODES:
                self.fail(where, f"unknown language '{code}'")
        return texts

    def sources(self, where: str, value: Any) -> Tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.fail(where, "needs 'sources': a list of http(s) URLs that confirm it")
            return ()
        bad = [s for s in value if not isinstance(s, str) or not s.startswith(("http://", "https://"))]
        if bad:
            self.fail(where, f"sources must be http(s) URLs, not {bad}")
        return tuple(str(s) for s in value)

    def aliases(self, where: str, value: Any) -> Tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(a, (str, int)) for a in value):
            self.fail(where, "'aliases' must be a list of words")
            return ()
        return tuple(str(a) for a in value)

    def day(self, where: str, value: Any) -> Optional[date]:
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(where, f"day '{value}' is not a date like 2017-11-16")
            return None

    def clock(self, where: str, key: str, value: Any) -> Optional[time]:
        if value is None:
            return None
        if isinstance(value, int):  # YAML 1.1 reads an unquoted 09:00 as 540 (minutes)
            value = f"{value // 60:02d}:{value % 60:02d}"
        match = _CLOCK.match(str(value))
        if not match:
            self.fail(where, f"{key} '{value}' is not a time like 09:30")
            return None
        return time(int(match[1]), int(match[2]))


def _conference(check: _Checker, raw: Any) -> Optional[Conference]:
    if not isinstance(raw, dict):
        check.fail("conference", "is missing (timezone, days, contact, venue)")
        return None
    try:
        tz = ZoneInfo(str(raw.get("timezone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        check.fail("conference", f"unknown timezone '{raw.get('timezone')}'")
        return None
    days = tuple(d for d in (check.day("conference.days", d) for d in raw.get("days") or []) if d)
    if not days:
        check.fail("conference", "needs 'days': the conference dates")
        return None
    if not raw.get("contact"):
        check.fail("conference", "needs 'contact': where attendees can ask the organisers")
    return Conference(
        timezone=tz,
        days=tuple(sorted(days)),
        complete=bool(raw.get("complete", False)),
        contact=str(raw.get("contact", "")),
        venue=check.texts("conference.venue", raw.get("venue")),
        sources=check.sources("conference", raw.get("sources")),
    )


def _people(check: _Checker, raw: Any) -> Dict[str, Person]:
    people: Dict[str, Person] = {}
    if not isinstance(raw, dict):
        check.fail("people", "must map person ids to entries")
        return people
    for person_id, entry in raw.items():
        where = f"people.{person_id}"
        if not isinstance(entry, dict):
            check.fail(where, "must be a mapping with name, role, aliases, sources")
            continue
        people[str(person_id)] = Person(
            id=str(person_id),
            name=check.texts(f"{where}.name", entry.get("name"), required=("en",)),
            role=check.texts(f"{where}.role", entry.get("role")),
            aliases=check.aliases(where, entry.get("aliases")),
            sources=check.sources(where, entry.get("sources")),
        )
    return people


def _topics(check: _Checker, raw: Any) -> Dict[str, Topic]:
    topics: Dict[str, Topic] = {}
    for topic_id, entry in (raw or {}).items() if isinstance(raw, dict) else ():
        where = f"topics.{topic_id}"
        if not isinstance(entry, dict):
            check.fail(where, "must be a mapping with label and aliases")
            continue
        topics[str(topic_id)] = Topic(
            str(topic_id), check.texts(f"{where}.label", entry.get("label")), check.aliases(where, entry.get("aliases"))
        )
    if raw is not None and not isinstance(raw, dict):
        check.fail("topics", "must map topic ids to entries")
    return topics


def _participations(check: _Checker, where: str, raw: Any, people: Mapping[str, Person]) -> Tuple[Participation, ...]:
    result = []
    for index, entry in enumerate(raw or []):
        person = entry.get("person") if isinstance(entry, dict) else None
        if person not in people:
            check.fail(f"{where}[{index}]", f"unknown person '{person}' (not under 'people')")
            continue
        note = check.texts(f"{where}[{index}].note", entry["note"]) if entry.get("note") else None
        result.append(Participation(str(person), note))
    return tuple(result)


def _session(
    check: _Checker,
    index: int,
    raw: Any,
    programme_days: Sequence[date],
    people: Mapping[str, Person],
    topics: Mapping[str, Topic],
) -> Optional[Session]:
    if not isinstance(raw, dict) or not raw.get("id"):
        check.fail(f"sessions[{index}]", "needs an 'id'")
        return None
    where = f"sessions[{index}] (id {raw['id']})"
    day = check.day(where, raw.get("day"))
    start = check.clock(where, "start", raw.get("start"))
    end = check.clock(where, "end", raw.get("end"))
    if day is not None and day not in programme_days:
        check.fail(where, f"day {day} is not one of the conference days")
    if (start is None) != (end is None):
        check.fail(where, "give both 'start' and 'end', or neither")
    if start and end and end <= start:
        check.fail(where, f"end {end:%H:%M} is not after start {start:%H:%M}")
    if start and day is None:
        check.fail(where, "has a time but no 'day'")
    unconfirmed = bool(raw.get("unconfirmed", False))
    if unconfirmed and not (day and start):
        check.fail(where, "an unconfirmed slot needs a day, a start and an end")
    session_type = raw.get("type")
    if not unconfirmed and session_type not in SESSION_TYPES:
        check.fail(where, f"type '{session_type}' is not one of {', '.join(SESSION_TYPES)}")
    room = raw.get("room")
    if room is not None and not isinstance(room, str):
        check.fail(where, "'room' must be a text (or empty when not confirmed)")
    session_topics = tuple(str(t) for t in raw.get("topics") or [])
    for topic in session_topics:
        if topic not in topics:
            check.fail(where, f"unknown topic '{topic}' (not under 'topics')")
    return Session(
        id=str(raw["id"]),
        day=day,
        start=start,
        end=end,
        type=None if unconfirmed else session_type,
        title={} if unconfirmed else check.texts(f"{where}.title", raw.get("title")),
        description={} if unconfirmed else check.texts(f"{where}.description", raw.get("description")),
        room=room.strip() if isinstance(room, str) and room.strip() else None,
        speakers=_participations(check, f"{where}.speakers", raw.get("speakers"), people),
        moderators=_participations(check, f"{where}.moderators", raw.get("moderators"), people),
        topics=session_topics,
        aliases=check.aliases(where, raw.get("aliases")),
        sources=check.sources(where, raw.get("sources")),
        unconfirmed=unconfirmed,
    )


def _check_overlaps(check: _Checker, sessions: Sequence[Session]) -> None:
    """Two sessions cannot use one room at the same time."""
    # (session, start, end) of the timed sessions with a room.
    timed = [
        (s, s.start, s.end)
        for s in sessions
        if s.room and s.day is not None and s.start is not None and s.end is not None
    ]
    for i, (first, first_start, first_end) in enumerate(timed):
        for second, second_start, second_end in timed[i + 1 :]:
            if (first.day, normalise(first.room or "")) != (second.day, normalise(second.room or "")):
                continue
            if first_start < second_end and second_start < first_end:
                check.fail(f"sessions '{first.id}' and '{second.id}'", f"overlap in room '{first.room}' on {first.day}")


def _alias_index(check: _Checker, kind: str, owners: Mapping[str, Sequence[str]]) -> Dict[str, str]:
    """normalised alias → owner id; an alias may not name two entries of one kind."""
    index: Dict[str, str] = {}
    for owner, aliases in owners.items():
        for alias in aliases:
            key = normalise(alias)
            if key and index.setdefault(key, owner) != owner:
                check.fail(f"{kind} '{owner}'", f"alias '{alias}' is also an alias of '{index[key]}'")
    return index


# Articles a title may start with and an attendee may leave out ("la session « Droits humains
# des migrants »" for « Les droits humains des migrants »), normalised.
_LEADING_ARTICLES = frozenset({"the", "le", "la", "les", "l", "het", "de", "el", "los", "las", "der", "die", "das"})


def _titles(titles: Iterable[str]) -> Iterator[str]:
    """Each title, and each title of three words or more without its leading article."""
    for title in titles:
        yield title
        words = normalise(title).split()
        if len(words) >= 3 and words[0] in _LEADING_ARTICLES:
            yield " ".join(words[1:])


def _sort_key(session: Session) -> Tuple[date, time, str]:
    return (session.day or date.max, session.start or time.max, session.id)


def load_programme(path: Path = PROGRAMME_FILE) -> Programme:
    """Load and validate the programme; raise ``ProgrammeError`` listing every fault."""
    check = _Checker(path.name)
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProgrammeError([f"{path}: cannot be read: {error}"]) from error
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ProgrammeError([f"{path.name}: not valid UTF-8 YAML: {error}"]) from error
    if not isinstance(raw, dict):
        raise ProgrammeError([f"{path.name}: must be a mapping with conference, people, topics, sessions"])
    conference = _conference(check, raw.get("conference"))
    people = _people(check, raw.get("people") or {})
    topics = _topics(check, raw.get("topics"))
    sessions: List[Session] = []
    seen: Dict[str, int] = {}
    if not isinstance(raw.get("sessions"), list) or not raw["sessions"]:
        check.fail("sessions", "must be a non-empty list")
    for index, entry in enumerate(raw.get("sessions") or []):
        session = _session(check, index, entry, conference.days if conference else (), people, topics)
        if session is None:
            continue
        if session.id in seen:
            check.fail(f"sessions[{index}]", f"id '{session.id}' is also used by sessions[{seen[session.id]}]")
        seen[session.id] = index
        sessions.append(session)
    _check_overlaps(check, sessions)
    session_aliases = _alias_index(check, "session", {s.id: (*s.aliases, *_titles(s.title.values())) for s in sessions})
    person_aliases = _alias_index(check, "person", {p.id: (*p.aliases, *p.name.values()) for p in people.values()})
    topic_aliases = _alias_index(check, "topic", {t.id: t.aliases for t in topics.values()})
    if check.problems or conference is None:
        raise ProgrammeError(check.problems or [f"{path.name}: conference: invalid"])
    return Programme(
        conference,
        tuple(sorted(sessions, key=_sort_key)),
        people,
        topics,
        session_aliases,
        person_aliases,
        topic_aliases,
    )
