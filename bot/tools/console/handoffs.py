"""The console's hand-offs: the conversations passed to a person, answered from the page.

Everything goes through the hand-off API (bot/plugins/handoff/api.py) with the agent of
the worker serving the request, so the console and Slack work on the same hand-offs: a
reply from here reaches the attendee on their channel and is also posted in the Slack
thread; *Close* does what "done" in the thread does. The messages shown are those of the
conversation as stored (redacted). No state of its own: the page asks again every few
seconds (web/admin/handoffs.js).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.handoff import api
from bot.tools.console.guard import Console, Handler, blocking, error, json_body, ok, signed_in
from bot.tools.console.sessions import Session

logger = logging.getLogger(__name__)

LAST_LINES = 3  # the latest messages shown with each hand-off in the list
MAX_REPLY_CHARS = 2000
OFF = "off"  # the code of the answer when hand-offs are not configured


def about_one(handler: Handler) -> Handler:
    """A handler of one hand-off: 503 when hand-offs are off, 404 when it is not open."""

    @functools.wraps(handler)
    async def handled(request: Request, session: Session, handoff_id: str) -> HTTPResponse:
        try:
            return await handler(request, session, handoff_id)
        except api.HandoffsOff as problem:
            return error(str(problem), 503, code=OFF)
        except api.HandoffNotFound:
            return error(f"no open hand-off '{handoff_id}' (closed by the attendee, on Slack or timed out)", 404)

    return handled


async def listing(agent: Any) -> Dict[str, Any]:
    """The open hand-offs, oldest first, each with its latest messages; one closed
    between the two reads is left out."""
    shown: List[Dict[str, Any]] = []
    for handoff in await blocking(api.open_handoffs, agent):
        try:
            lines = await api.conversation(agent, handoff["id"])
        except api.HandoffNotFound:
            continue
        shown.append({**handoff, "last": lines[-LAST_LINES:]})
    return {"handoffs": shown}


def reply_text(body: Dict[str, Any] | None) -> str | None:
    """The reply's text, trimmed, or None when missing, empty or too long."""
    text = body.get("text") if body else None
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY_CHARS:
        return None
    return text.strip()


async def handoff_list(request: Request, _: Session) -> HTTPResponse:
    try:
        return ok({"enabled": True, **await listing(request.app.ctx.agent)})
    except api.HandoffsOff as problem:
        return ok({"enabled": False, "handoffs": [], "note": str(problem)})


@about_one
async def handoff_view(request: Request, _: Session, handoff_id: str) -> HTTPResponse:
    agent = request.app.ctx.agent
    found = next((h for h in await blocking(api.open_handoffs, agent) if h["id"] == handoff_id), None)
    if found is None:
        raise api.HandoffNotFound(handoff_id)
    return ok({"handoff": found, "lines": await api.conversation(agent, handoff_id)})


@about_one
async def handoff_reply(request: Request, session: Session, handoff_id: str) -> HTTPResponse:
    text = reply_text(json_body(request))
    if text is None:
        return error(f"send JSON with 'text': the reply, 1 to {MAX_REPLY_CHARS} characters", 400)
    await api.reply(request.app.ctx.agent, handoff_id, text)
    logger.info("Console: '%s' answered hand-off %s", session.user, handoff_id)
    return ok({"sent": True})


@about_one
async def handoff_close(request: Request, session: Session, handoff_id: str) -> HTTPResponse:
    await api.close(request.app.ctx.agent, handoff_id)
    logger.info("Console: '%s' closed hand-off %s", session.user, handoff_id)
    return ok({"closed": True})


def routes(page: Blueprint, console: Console) -> None:
    guard = signed_in(console)
    page.route("/api/handoffs", methods=["GET"])(guard(handoff_list))
    page.route("/api/handoffs/<handoff_id:str>", methods=["GET"])(guard(handoff_view))
    page.route("/api/handoffs/<handoff_id:str>/reply", methods=["POST"])(guard(handoff_reply))
    page.route("/api/handoffs/<handoff_id:str>/close", methods=["POST"])(guard(handoff_close))
