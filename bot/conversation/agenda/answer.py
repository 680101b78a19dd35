"""Chooses the agenda answer to a question and splits long answers into pages.

Order of precedence: a named session (its card, or what follows it for "what's after
the opening?"); a named person (their sessions and role); a topic and/or a time (a
list). Questions that name none of these are not agenda questions: ``answer`` returns
None and the caller gives the knowledge-base answer (the programme overview).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from bot.conversation.agenda.model import Programme, Session
from bot.conversation.agenda.query import Query, resolve_day, weekday_outside
from bot.conversation.agenda.render import Renderer, strings

PAGE_SIZE = 4
SESSION_BUTTON_CHARS = 60
# Parts of the day as [start, end) hours; a session belongs to the part it starts in.
PART_HOURS = {"morning": (0, 12), "midday": (12, 14), "afternoon": (12, 18), "evening": (18, 24)}
# Intents whose questions may be agenda questions, and what makes them one.
PROGRAMME_INTENT, SPEAKERS_INTENT = "ask_programme", "ask_speakers"


@dataclass
class Reply:
    """One bot message: text, buttons (title/payload) and sessions left for "show more"."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    pending: List[str] = field(default_factory=list)
    session: Optional[str] = None  # the one session the reply is about: a follow-up may ask more
    person: Optional[str] = None  # the one person the reply is about (their card): likewise


@dataclass
class _Listing:
    header: str
    sessions: List[Session]
    with_date: bool = True
    note: bool = True  # add "I only have part of the programme" when it is incomplete
    empty: str = ""


def session_payload(session_id: str) -> str:
    return "/ask_programme" + json.dumps({"agenda_session": session_id})


def answer(
    programme: Programme, query: Query, now: datetime, language: Optional[str], intent: Optional[str]
) -> Optional[Reply]:
    """The agenda reply, or None when the question is not about the agenda."""
    r = Renderer.of(programme, language)
    sessions = [s for s in (programme.session(i) for i in query.sessions) if s]
    if sessions:
        if query.relative == "next" and len(sessions) == 1:
            return _page(r, _after(r, programme, sessions[0]))
        return Reply("\n\n".join(r.card(s) for s in sessions), session=sessions[0].id if len(sessions) == 1 else None)
    if (
        query.person
        and intent in (PROGRAMME_INTENT, SPEAKERS_INTENT)
        and (intent == PROGRAMME_INTENT or query.schedule_cue or query.has_time)
    ):
        return Reply(r.person_card(programme.people[query.person]), person=query.person)
    if intent != PROGRAMME_INTENT or not (query.topic or query.has_time):
        return None
    outside = _outside_event(r, programme, query, now)
    if outside:
        return outside
    return _page(r, _listing(r, programme, query, now))


def remembering_named(reply: Reply, named: Sequence[str]) -> Reply:
    """A listing that shows the one session the whole message names by title ("anything
    for young people? A colleague mentioned «Youth Migration: Why the Silence»": the
    question is the listing, the title is in the context around it) remembers that
    session, so "which day was that on?" is about it."""
    shown = [s for s in named if any(b.get("payload") == session_payload(s) for b in reply.buttons)]
    return replace(reply, session=shown[0]) if reply.session is None and len(shown) == 1 else reply


def more(programme: Programme, pending: Sequence[str], language: Optional[str]) -> Reply:
    """The next page of a long answer."""
    r = Renderer.of(programme, language)
    sessions = [s for s in (programme.session(i) for i in pending) if s]
    if not sessions:
        return Reply(r.say("nothing_more"))
    return _page(r, _Listing("", sessions, note=False))


def _page(r: Renderer, listing: _Listing) -> Reply:
    shown, rest = listing.sessions[:PAGE_SIZE], listing.sessions[PAGE_SIZE:]
    lines = [listing.header] if listing.header else []
    lines += [r.line(s, listing.with_date) for s in shown]
    if not shown and listing.empty:
        lines.append(listing.empty)
    if rest:
        lines.append(r.say("more", count=str(len(rest))))
    if listing.note and not r.programme.conference.complete:
        lines.append(r.say("incomplete"))
    buttons = [{"title": _short(r.pick(s.title)), "payload": session_payload(s.id)} for s in shown if not s.unconfirmed]
    if rest:
        buttons.append({"title": r.say("more_button"), "payload": "/show_more"})
    only = listing.sessions[0].id if len(listing.sessions) == 1 else None
    return Reply(_capitalised("\n".join(lines)), buttons, [s.id for s in rest], session=only)


def _short(title: str) -> str:
    return title if len(title) <= SESSION_BUTTON_CHARS else title[: SESSION_BUTTON_CHARS - 1].rstrip() + "…"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _timed(programme: Programme) -> List[Session]:
    return [s for s in programme.sessions if s.timed]


def _after(r: Renderer, programme: Programme, session: Session) -> _Listing:
    """What follows a named session: the sessions with the next start time."""
    header = r.say("after_session", title=r.say("quoted", title=r.pick(session.title) or session.id))
    if not session.timed:
        return _Listing(header, [], empty=r.say("time_unknown"))
    tz = programme.conference.timezone
    return _Listing(
        header,
        _first_group([s for s in _timed(programme) if s.starts(tz) >= session.ends(tz)], tz),
        empty=r.say("nothing_next"),
    )


def _first_group(sessions: Sequence[Session], tz) -> List[Session]:
    """The sessions that start first (several when they run in parallel)."""
    if not sessions:
        return []
    first = min(s.starts(tz) for s in sessions)
    return [s for s in sessions if s.starts(tz) == first]


def _outside_event(r: Renderer, programme: Programme, query: Query, now: datetime) -> Optional[Reply]:
    """Before or after the event, "now", "next" and "later" say when it takes place."""
    if not query.relative or query.days:
        return None
    conference = programme.conference
    first, last = r.date(conference.first_day), r.date(conference.last_day, year=True)
    if now.date() > conference.last_day:
        return Reply(r.say("after_event", first=first, last=last))
    if now.date() < conference.first_day:
        opening = _timed(programme)[:1]
        return _page(r, _Listing(r.say("before_event", first=first, last=last), opening, note=False))
    return None


def _with_topic(programme: Programme, query: Query) -> List[Session]:
    if not query.topic:
        return list(programme.sessions)
    return [s for s in programme.sessions if query.topic in s.topics]


def _listing(r: Renderer, programme: Programme, query: Query, now: datetime) -> _Listing:
    candidates = _with_topic(programme, query)
    topic_header = r.say("topic", topic=r.pick(programme.topics[query.topic].label)) if query.topic else ""
    if query.relative in ("now", "next", "later") and not query.days and not query.time:
        return _relative(r, programme, query.relative, candidates, now)
    if not query.has_time:
        return _Listing(topic_header, candidates, empty=r.say("no_sessions", what=topic_header.rstrip(" :")))
    days, problem = _days(r, programme, query, now)
    if problem:
        return _Listing(problem, [], note=False)
    chosen: List[Session] = []
    headers: List[str] = []
    for day in days:
        found, header = _on_day(r, programme, query, candidates, day)
        chosen += found
        headers.append(header)
    header = " / ".join(headers)
    if topic_header:
        header = f"{topic_header} {header}"
    return _Listing(header, chosen, with_date=len(days) > 1, empty=r.say("no_sessions", what=header.rstrip(" :")))


def _relative(r: Renderer, programme: Programme, relative: str, candidates: List[Session], now: datetime) -> _Listing:
    tz = programme.conference.timezone
    timed = [s for s in candidates if s.timed]
    upcoming = [s for s in timed if s.starts(tz) > now]
    if relative == "now":
        running = [s for s in timed if s.starts(tz) <= now < s.ends(tz)]
        if running:
            return _Listing(r.say("now", moment=r.moment(now)), running, with_date=False, note=False)
        header = r.say("nothing_now", moment=r.moment(now))
        nxt = _first_group(upcoming, tz)
        if nxt:
            header += "\n" + r.say("next")
        return _Listing(header, nxt, empty=r.say("nothing_next"))
    if relative == "next":
        return _Listing(r.say("next"), _first_group(upcoming, tz), note=False, empty=r.say("nothing_next"))
    today = [s for s in upcoming if s.day == now.date()]
    untimed = [s for s in candidates if s.day == now.date() and not s.timed]
    return _Listing(
        r.say("later", date=r.date(now.date())), today + untimed, with_date=False, empty=r.say("nothing_next")
    )


def _days(r: Renderer, programme: Programme, query: Query, now: datetime) -> Tuple[List[date], str]:
    """The conference days asked about, or a sentence saying why there are none."""
    conference = programme.conference
    first, last = r.date(conference.first_day), r.date(conference.last_day, year=True)
    if not query.days:
        today = now.date()
        return ([today] if today in conference.days else list(conference.days)), ""
    days: List[date] = []
    for value in query.days:
        weekday = weekday_outside(value, programme)
        if weekday:
            name = strings()["weekdays"][r.language][weekday - 1]
            return [], r.say("not_conference_day", date=name, first=first, last=last)
        day = resolve_day(value, programme, now)
        if day is None or day not in conference.days:
            shown = r.date(day, year=True) if day else value
            return [], r.say("not_conference_day", date=shown, first=first, last=last)
        if day not in days:
            days.append(day)
    return sorted(days), ""


def _on_day(
    r: Renderer, programme: Programme, query: Query, candidates: Sequence[Session], day: date
) -> Tuple[List[Session], str]:
    """Sessions of one day in the part or at the time asked, plus that day's untimed ones."""
    tz = programme.conference.timezone
    timed = [s for s in candidates if s.day == day and s.timed]
    untimed = [s for s in candidates if s.day == day and not s.timed]
    if query.time:
        moment = datetime.combine(day, time.fromisoformat(query.time), tz)
        running = [s for s in timed if s.starts(tz) <= moment < s.ends(tz)]
        if not running and query.relative == "next":
            running = _first_group([s for s in timed if s.starts(tz) >= moment], tz)
        return running, r.say("day_time", date=r.date(day), time=query.time)
    if query.part:
        start_hour, end_hour = PART_HOURS.get(query.part, (0, 24))
        window_start = datetime.combine(day, time(start_hour), tz)
        window_end = datetime.combine(day, time(0), tz) + timedelta(hours=end_hour)
        inside = [s for s in timed if window_start <= s.starts(tz) < window_end]
        return inside + untimed, r.say("day_part", date=r.date(day), part=r.part(query.part))
    return timed + untimed, r.say("day", date=r.date(day))
