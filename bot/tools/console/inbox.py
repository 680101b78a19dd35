"""The console's inbox: what attendees asked that the assistant did not understand.

The groups are those of ``python -m bot report unanswered`` (bot/tools/reports/unanswered.py),
read from the tracker store that endpoints.yml configures. Each can be added as questions of
an existing entry (in its language, through the FAQ's checks), start a new entry (the page
opens the editor pre-filled), or be dismissed. A wording disappears from the inbox once it
is a question of some FAQ entry or was dismissed (dismissals are kept in ``console.db``).
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Set, Tuple

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation.faq.model import LANGUAGES, questions_column
from bot.conversation.text import normalise
from bot.plugins.endpoints import endpoints_file
from bot.tools.console.dismissals import wording_key
from bot.tools.console.faq import store_for
from bot.tools.console.faq_store import FaqEditError, FaqStore, Outcome, questions
from bot.tools.console.guard import Console, blocking, error, json_body, ok, signed_in
from bot.tools.console.sessions import Session
from bot.tools.reports.tracker import TrackerStoreError, UserMessage, database_url, day, read_messages
from bot.tools.reports.unanswered import Group, group_unanswered, is_unanswered

MAX_WORDINGS = 50


def answered_wordings(store: FaqStore) -> Set[Tuple[str, str]]:
    """(language, normalised question) of every FAQ question."""
    return {wording_key(code, q) for row in store.rows() for code, listed in questions(row).items() for q in listed}


def open_groups(groups: Iterable[Group], done: Set[Tuple[str, str]]) -> List[dict]:
    """The groups with the wordings already handled left out; a group with none left, too."""
    shown = []
    for group in groups:
        wordings = {
            text: count for text, count in group.wordings.items() if wording_key(group.language, text) not in done
        }
        if not wordings:
            continue
        example = max(wordings, key=lambda text: (wordings[text], -len(text)))
        shown.append(
            {
                "language": group.language,
                "example": example,
                "count": sum(wordings.values()),
                "first": day(group.first),
                "last": day(group.last),
                "wordings": sorted(wordings, key=lambda text: -wordings[text]),
            }
        )
    return shown


def per_day(messages: Iterable[UserMessage]) -> Dict[str, Dict[str, int]]:
    """Unanswered questions per day and language (all of them, handled or not)."""
    counts: Counter = Counter(
        (message.day, message.language or "?")
        for message in messages
        if message.text.strip() and not message.text.startswith("/") and is_unanswered(message)
    )
    table: Dict[str, Dict[str, int]] = {}
    for (when, language), count in sorted(counts.items()):
        table.setdefault(when, {})[language] = count
    return table


class Inbox:
    def __init__(self, console: Console, store: FaqStore) -> None:
        self.console = console
        self.store = store

    def view(self) -> dict:
        messages = read_messages(database_url(endpoints_file(), self.console.settings.root))
        done = self.console.stores.dismissals.all() | answered_wordings(self.store)
        return {"groups": open_groups(group_unanswered(messages), done), "per_day": per_day(messages)}

    def add_to_entry(self, user: str, language: str, wordings: List[str], entry_id: str) -> Outcome:
        """The wordings become questions of ``entry_id`` in ``language`` (checked as any save)."""
        row = self.store.entry(entry_id)
        if row is None:
            raise FaqEditError(f"there is no FAQ entry '{entry_id}'")
        column = questions_column(language)
        listed = row.get(column, "").splitlines()
        known = {normalise(q) for q in listed}
        added = [text for text in wordings if normalise(text) not in known]
        return self.store.save(user, {**row, column: "\n".join(listed + added)}, entry_id, action="inbox")


def _request(body: dict | None) -> Tuple[str, List[str]] | None:
    language = body.get("language") if body else None
    wordings = body.get("wordings") if body else None
    if (
        not isinstance(language, str)
        or not isinstance(wordings, list)
        or not 0 < len(wordings) <= MAX_WORDINGS
        or not all(isinstance(text, str) and text.strip() for text in wordings)
    ):
        return None
    return language, [" ".join(text.split()) for text in wordings]


def routes(page: Blueprint, console: Console) -> None:
    inbox = Inbox(console, store_for(console))
    guard = signed_in(console)

    @page.route("/api/inbox", methods=["GET"])
    @guard
    async def view(_: Request, __: Session) -> HTTPResponse:
        try:
            return ok({"languages": list(LANGUAGES), **await blocking(inbox.view)})
        except TrackerStoreError as problem:
            return ok({"languages": list(LANGUAGES), "groups": [], "per_day": {}, "note": str(problem)})

    @page.route("/api/inbox/dismiss", methods=["POST"])
    @guard
    async def dismiss(request: Request, session: Session) -> HTTPResponse:
        asked = _request(json_body(request))
        if asked is None:
            return error("send JSON with 'language' and 'wordings' (a list of the questions)", 400)
        await blocking(console.stores.dismissals.add, session.user, *asked)
        return ok({"dismissed": len(asked[1])})

    @page.route("/api/inbox/add", methods=["POST"])
    @guard
    async def add(request: Request, session: Session) -> HTTPResponse:
        body = json_body(request)
        asked = _request(body)
        entry_id = body.get("entry") if body else None
        if asked is None or not isinstance(entry_id, str) or asked[0] not in LANGUAGES:
            return error("send JSON with 'language' (one of the six), 'wordings' and 'entry' (an FAQ id)", 400)
        try:
            outcome = await blocking(inbox.add_to_entry, session.user, *asked, entry_id)
        except FaqEditError as problem:
            return error(str(problem), 404)
        return ok(outcome.to_dict(), status=200 if outcome.saved else 422)
