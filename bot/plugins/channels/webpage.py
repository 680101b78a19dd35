"""Serves the conference page and its chat widget from the Rasa server, under ``/chat/``.

Same host and port as Rasa's socket.io channel, so the widget needs no CORS and no
second web server, and ``make run`` gives a visitor one address to open. Only a fixed
list of files is served (nothing outside ``web/`` can be reached by a crafted path),
and the socket.io client comes from ``web/node_modules`` (``npm ci``), never a CDN.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import PROJECT_ROOT
from bot.conversation.content.loader import ContentError
from bot.conversation.page_texts import load_page

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web"
# URL path under /chat/ → file under web/.
FILES: Dict[str, str] = {
    "": "index.html",
    "index.html": "index.html",
    "chat.js": "chat.js",
    "chat.css": "chat.css",
    "vendor/socket.io.min.js": "node_modules/socket.io-client/dist/socket.io.min.js",
}
# Defence in depth behind the widget's text-only rendering: no inline or foreign script,
# and connections only back to this server (socket.io).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebPageInput(InputChannel):
    """Not a message channel: the widget talks to Rasa's ``socketio`` channel."""

    def __init__(self, web_dir: Path = WEB_DIR) -> None:
        self.web_dir = web_dir

    @classmethod
    def name(cls) -> Text:
        return "webpage"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def url_prefix(self) -> Text:
        # An absolute prefix: Rasa joins it onto /webhooks/, which gives /chat.
        return "/chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("conference_webpage", __name__)

        @page.route("/strings.json", methods=["GET"])
        async def strings(_: Request) -> HTTPResponse:
            try:
                body = load_page()
            except ContentError as error:
                logger.error("The page texts are invalid:\n%s", error)
                return response.json(
                    {"error": "the page texts are invalid", "problems": error.problems},
                    status=503,
                    headers={"Cache-Control": "no-cache"},
                )
            return response.json(body, headers={"Cache-Control": "no-cache"}, ensure_ascii=False)

        @page.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            return await self._file(request, "")

        @page.route("/<name:path>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return await self._file(request, name)

        return page

    async def _file(self, request: Request, name: str) -> HTTPResponse:
        if request.path == "/chat":
            # Relative URLs in the page resolve against /chat/, not /.
            return response.redirect("/chat/")
        relative = FILES.get(name)
        if relative is None:
            return response.json({"error": f"no such file: /chat/{name}"}, status=404)
        path = self.web_dir / relative
        if not path.is_file():
            logger.error("%s is missing; run `make install` (npm ci in web/)", path)
            return response.json({"error": f"/chat/{name} is not installed on this server"}, status=503)
        return await response.file(path, headers=SECURITY_HEADERS)
