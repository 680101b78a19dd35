"""The console's usage page: the charts of ``python -m bot report usage``, in the page.

The numbers are those of the report (bot/tools/reports/usage.py, ``usage``), sent as JSON
and drawn by the page with text and bars only (nothing from a message becomes markup).
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.endpoints import endpoints_file
from bot.tools.console.guard import Console, blocking, ok, signed_in
from bot.tools.console.sessions import Session
from bot.tools.reports.tracker import TrackerStoreError, database_url, read_messages
from bot.tools.reports.usage import Usage, topic_names, usage


def routes(page: Blueprint, console: Console) -> None:
    guard = signed_in(console)

    def numbers() -> dict:
        root = console.settings.root
        try:
            messages = read_messages(database_url(endpoints_file(), root))
        except TrackerStoreError as problem:
            return {**Usage(0, 0, []).to_dict(), "note": str(problem)}
        return usage(messages, topic_names(root)).to_dict()

    @page.route("/api/usage", methods=["GET"])
    @guard
    async def charts(_: Request, __: Session) -> HTTPResponse:
        return ok(await blocking(numbers))
