"""The console's FAQ area: the table, the entry editor (six languages side by side, the
checks of ``faq check`` next to each field), new/delete, import/export, history, restore.

Routes under ``/admin/api/faq``; the work is in ``faq_store.FaqStore``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation.faq.model import LANGUAGES
from bot.tools.console.faq_store import AREA, FaqEditError, FaqStore, Outcome, summary
from bot.tools.console.guard import API_HEADERS, Console, blocking, error, json_body, ok, signed_in
from bot.tools.console.sessions import Session

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_UPLOAD_BYTES = 5 * 2**20


def store_for(console: Console) -> FaqStore:
    return FaqStore(console.settings.faq, console.stores.history, console.settings.var_dir / "console" / "faq.lock")


def _draft(request: Request) -> Optional[Tuple[Dict[str, str], Optional[str]]]:
    """The entry's fields (all text) and ``original``, the id of the entry edited (None for
    a new entry), from the request's JSON; None when malformed."""
    body = json_body(request) or {}
    entry, original = body.get("entry"), body.get("original")
    if not isinstance(entry, dict) or not all(isinstance(value, str) for value in entry.values()):
        return None
    return entry, original if isinstance(original, str) else None


BAD_DRAFT = "send JSON with 'entry': the entry's fields as text (and 'original': the id edited)"


async def _outcome(change: Callable[[], Outcome], missing_status: int = 404) -> HTTPResponse:
    """Run a change off the event loop: 200 when saved, 422 with the findings when refused."""
    try:
        outcome = await blocking(change)
    except FaqEditError as problem:
        return error(str(problem), missing_status)
    return ok(outcome.to_dict(), status=200 if outcome.saved else 422)


def routes(page: Blueprint, console: Console) -> None:
    store = store_for(console)
    guard = signed_in(console)

    @page.route("/api/faq", methods=["GET"])
    @guard
    async def table(_: Request, __: Session) -> HTTPResponse:
        def lines() -> dict:
            marks = store.unpublished()
            return {"languages": list(LANGUAGES), "entries": [summary(row, marks) for row in store.rows()]}

        return ok(await blocking(lines))

    @page.route("/api/faq/entry/<entry_id:str>", methods=["GET"])
    @guard
    async def entry(_: Request, __: Session, entry_id: str) -> HTTPResponse:
        row = await blocking(store.entry, entry_id)
        if row is None:
            return error(f"there is no FAQ entry '{entry_id}'", 404)
        changes = await blocking(lambda: store.history.changes(AREA, entry_id, 50))
        marks = await blocking(store.unpublished)
        return ok({"entry": row, "unpublished": marks.get(entry_id, ""), "history": [c.to_dict() for c in changes]})

    @page.route("/api/faq/check", methods=["POST"])
    @guard
    async def check(request: Request, __: Session) -> HTTPResponse:
        """The findings a save would meet (200 whatever they are: nothing is saved)."""
        draft = _draft(request)
        if draft is None:
            return error(BAD_DRAFT, 400)
        try:
            return ok((await blocking(store.check, *draft)).to_dict())
        except FaqEditError as problem:
            return error(str(problem), 404)

    @page.route("/api/faq/save", methods=["POST"])
    @guard
    async def save(request: Request, session: Session) -> HTTPResponse:
        draft = _draft(request)
        if draft is None:
            return error(BAD_DRAFT, 400)
        return await _outcome(lambda: store.save(session.user, *draft), missing_status=409)

    @page.route("/api/faq/entry/<entry_id:str>", methods=["DELETE"])
    @guard
    async def delete(_: Request, session: Session, entry_id: str) -> HTTPResponse:
        return await _outcome(lambda: store.delete(session.user, entry_id))

    @page.route("/api/faq/restore", methods=["POST"])
    @guard
    async def restore(request: Request, session: Session) -> HTTPResponse:
        body = json_body(request) or {}
        change, version = body.get("change"), body.get("version")
        if not isinstance(change, int) or version not in ("before", "after"):
            return error("send JSON with 'change' (a history id) and 'version' ('before' or 'after')", 400)
        return await _outcome(lambda: store.restore(session.user, change, version))

    @page.route("/api/faq/export.<kind:str>", methods=["GET"])
    @guard
    async def export(_: Request, __: Session, kind: str) -> HTTPResponse:
        if kind not in EXPORT_TYPES:
            return error("export as .csv or .xlsx", 404)
        body = await blocking(store.export, f".{kind}")
        return response.raw(
            body,
            content_type=EXPORT_TYPES[kind],
            headers={**API_HEADERS, "Content-Disposition": f'attachment; filename="faq.{kind}"'},
        )

    @page.route("/api/faq/import", methods=["POST"])
    @guard
    async def import_sheet(request: Request, session: Session) -> HTTPResponse:
        upload = request.files.get("sheet") if request.files else None
        suffix = Path(upload.name or "").suffix.lower() if upload else ""
        if upload is None or suffix not in (".csv", ".xlsx"):
            return error("choose a .csv or .xlsx file", 400)
        if len(upload.body) > MAX_UPLOAD_BYTES:
            return error("the file is larger than 5 MB", 413)

        def run() -> dict:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"upload{suffix}"
                path.write_bytes(upload.body)
                return store.import_file(session.user, path).to_dict()

        outcome = await blocking(run)
        return ok(outcome, status=200 if outcome["saved"] else 422)
