"""The console's FAQ area: the table, the entry editor (six languages side by side, the
checks of ``faq check`` next to each field), new/delete, import/export, history, restore.

Routes under ``/admin/api/faq``; the work is in ``faq_store.FaqStore``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation.faq.model import LANGUAGES
from bot.tools.console.faq_store import AREA, FaqEditError, FaqStore, summary
from bot.tools.console.guard import API_HEADERS, Console, blocking, error, json_body, ok, signed_in
from bot.tools.console.sessions import Session

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_UPLOAD_BYTES = 5 * 2**20


def store_for(console: Console) -> FaqStore:
    return FaqStore(console.settings.faq, console.stores.history, console.settings.var_dir / "console" / "faq.lock")


def _entry(body: dict | None) -> dict | None:
    entry = body.get("entry") if body else None
    return entry if isinstance(entry, dict) and all(isinstance(v, str) for v in entry.values()) else None


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
        body = json_body(request)
        row = _entry(body)
        if row is None:
            return error("send JSON with 'entry': the entry's fields as text", 400)
        original = body.get("original") if body else None
        try:
            outcome = await blocking(store.check, row, original if isinstance(original, str) else None)
        except FaqEditError as problem:
            return error(str(problem), 404)
        return ok(outcome.to_dict())

    @page.route("/api/faq/save", methods=["POST"])
    @guard
    async def save(request: Request, session: Session) -> HTTPResponse:
        """``original``: the id of the entry edited, absent for a new entry."""
        body = json_body(request)
        row = _entry(body)
        if row is None:
            return error("send JSON with 'entry': the entry's fields as text", 400)
        original = body.get("original") if body else None
        try:
            outcome = await blocking(store.save, session.user, row, original if isinstance(original, str) else None)
        except FaqEditError as problem:
            return error(str(problem), 409)
        return ok(outcome.to_dict(), status=200 if outcome.saved else 422)

    @page.route("/api/faq/entry/<entry_id:str>", methods=["DELETE"])
    @guard
    async def delete(_: Request, session: Session, entry_id: str) -> HTTPResponse:
        try:
            outcome = await blocking(store.delete, session.user, entry_id)
        except FaqEditError as problem:
            return error(str(problem), 404)
        return ok(outcome.to_dict(), status=200 if outcome.saved else 422)

    @page.route("/api/faq/restore", methods=["POST"])
    @guard
    async def restore(request: Request, session: Session) -> HTTPResponse:
        body = json_body(request) or {}
        change, version = body.get("change"), body.get("version")
        if not isinstance(change, int) or version not in ("before", "after"):
            return error("send JSON with 'change' (a history id) and 'version' ('before' or 'after')", 400)
        try:
            outcome = await blocking(store.restore, session.user, change, version)
        except FaqEditError as problem:
            return error(str(problem), 404)
        return ok(outcome.to_dict(), status=200 if outcome.saved else 422)

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
