"""The console's blueprint: its page and scripts, sign-in and sign-out, and the areas.

Only the files of ``web/admin/`` are served (a name is a plain file name, so no path
leaves the folder), with the chat page's Content-Security-Policy: scripts and styles
from this server only, nothing inline, no frames. Everything else is JSON under
``/admin/api/``; every call but sign-in passes ``guard.signed_in``.
"""

from __future__ import annotations

import logging
import re
from types import ModuleType
from typing import Sequence

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import PROJECT_ROOT
from bot.tools.console.guard import (
    Console,
    blocking,
    client_address,
    error,
    is_https,
    json_body,
    ok,
    same_origin,
    signed_in,
)
from bot.tools.console.sessions import COOKIE_NAME, MAX_AGE_S, Session
from bot.tools.console.texts import TextsError, load_texts

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web" / "admin"
STATIC_NAME = re.compile(r"^[a-z][a-z0-9_-]*\.(js|css)$")
CONTENT_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
PREFIX = "/admin"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _set_cookie(reply: HTTPResponse, request: Request, console: Console, value: str, max_age: int) -> None:
    reply.cookies[COOKIE_NAME] = value
    cookie = reply.cookies[COOKIE_NAME]
    cookie["path"] = PREFIX + "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if console.settings.secure_cookies or is_https(request):
        cookie["secure"] = True


def _session_body(session: Session) -> dict:
    return {"user": session.user, "csrf": session.csrf}


def blueprint(console: Console, areas: Sequence[ModuleType]) -> Blueprint:
    """The console; ``areas`` are modules with ``routes(blueprint, console)``."""
    page = Blueprint("organisers_console", __name__)
    console.settings.warn_if_inconsistent()

    async def index(request: Request) -> HTTPResponse:
        if request.path == PREFIX:
            return response.redirect(PREFIX + "/")
        return await response.file(WEB_DIR / "index.html", headers=SECURITY_HEADERS)

    page.add_route(index, "/", methods=["GET"])

    @page.route("/<name:str>", methods=["GET"])
    async def static(request: Request, name: str) -> HTTPResponse:
        if not name:  # the router gives /admin/ to this route, with an empty name
            return await index(request)
        path = WEB_DIR / name
        if not STATIC_NAME.match(name) or not path.is_file():
            return error(f"no such file: {PREFIX}/{name}", 404)
        return await response.file(path, headers=SECURITY_HEADERS, mime_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])

    @page.route("/texts.json", methods=["GET"])
    async def texts(_: Request) -> HTTPResponse:
        try:
            return ok(await blocking(load_texts))
        except TextsError as problem:
            logger.error("The console's texts are invalid:\n%s", problem)
            return error("the console's texts are invalid", 503, problems=problem.problems)

    @page.route("/api/session", methods=["GET"])
    async def session(request: Request) -> HTTPResponse:
        found = await blocking(console.stores.sessions.get, request.cookies.get(COOKIE_NAME))
        return ok(_session_body(found)) if found else error("not signed in", 401)

    @page.route("/api/sign-in", methods=["POST"])
    async def sign_in(request: Request) -> HTTPResponse:
        if not same_origin(request):
            return error("request from another site refused", 403)
        body = json_body(request)
        if body is None or not isinstance(body.get("name"), str) or not isinstance(body.get("password"), str):
            return error("send JSON with 'name' and 'password'", 400)
        wait = console.sign_in_limit.allow("console-sign-in:" + client_address(request))
        if wait is not None:
            return error("too many attempts from this address", 429, retry_after=wait)
        name = body["name"].strip().lower()
        result = await blocking(console.stores.accounts.sign_in, name, body["password"])
        if result.locked_for:
            logger.warning("Console sign-in for '%s' locked after too many wrong passwords", name)
            return error("locked", 429, code="locked", retry_after=result.locked_for)
        if not result.ok:
            return error("wrong name or password", 401, code="wrong")
        session_id = await blocking(console.stores.sessions.open, name)
        opened = await blocking(console.stores.sessions.get, session_id)
        if opened is None:  # not reached: the session was opened just now
            return error("the session could not be opened; try again", 503)
        reply = ok(_session_body(opened))
        _set_cookie(reply, request, console, session_id, MAX_AGE_S)  # the server ends it sooner when idle
        logger.info("Console: '%s' signed in", name)
        return reply

    @page.route("/api/sign-out", methods=["POST"])
    @signed_in(console)
    async def sign_out(request: Request, _: Session) -> HTTPResponse:
        await blocking(console.stores.sessions.close, request.cookies.get(COOKIE_NAME))
        reply = ok({"signed_out": True})
        _set_cookie(reply, request, console, "", 0)
        return reply

    for area in areas:
        area.routes(page, console)
    return page
