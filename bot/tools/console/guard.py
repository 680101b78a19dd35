"""What every console request passes: the session, the CSRF token, the origin; and the
helpers the areas share (JSON errors, blocking work off the event loop).

``Console`` is one worker's view of the console: its settings, its stores (one SQLite
file shared by the workers) and the sign-in rate limit (in the deployment's shared
state, like the channels' limits). Each area module registers its routes with
``routes(blueprint, console)`` and wraps each handler in ``signed_in``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional, TypeVar
from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.rate_limit import RateLimiter, SharedBuckets
from bot.tools.console.sessions import COOKIE_NAME, CSRF_HEADER, Session
from bot.tools.console.settings import ConsoleSettings
from bot.tools.console.stores import Stores

logger = logging.getLogger(__name__)

T = TypeVar("T")
SIGN_IN_PER_MINUTE = 10
SIGN_IN_BURST = 30
SAFE_METHODS = ("GET", "HEAD")
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# Requests forwarded by a proxy on this machine (the gateway, nginx) carry the client's
# address and scheme in these headers; the Rasa server listens on 127.0.0.1 only.
LOOPBACK = ("127.0.0.1", "::1")


@dataclass
class Console:
    settings: ConsoleSettings = field(default_factory=ConsoleSettings)
    _stores: Optional[Stores] = None
    sign_in_limit: RateLimiter = field(
        default_factory=lambda: RateLimiter(SIGN_IN_PER_MINUTE, SIGN_IN_BURST, buckets=SharedBuckets())
    )

    @property
    def stores(self) -> Stores:
        """Opened on first use, in the serving worker (after Sanic forked it)."""
        if self._stores is None:
            self._stores = Stores.in_folder(self.settings.var_dir)
        return self._stores


def error(message: str, status: int, **extra: Any) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=status, headers=API_HEADERS, ensure_ascii=False)


def ok(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=API_HEADERS, ensure_ascii=False)


async def blocking(function: Callable[..., T], *args: Any) -> T:
    """Run file and database work in a thread, so the workers keep answering chats meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args))


def client_address(request: Request) -> str:
    """The client's address: the proxy's ``X-Forwarded-For`` when a local proxy forwarded it."""
    address = request.ip or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if address in LOOPBACK and forwarded:
        return forwarded.split(",")[-1].strip()
    return address


def is_https(request: Request) -> bool:
    if request.ip in LOOPBACK and request.headers.get("X-Forwarded-Proto"):
        return request.headers["X-Forwarded-Proto"].split(",")[0].strip() == "https"
    return request.scheme == "https"


def same_origin(request: Request) -> bool:
    """No ``Origin`` (not a browser's cross-site request) or this server's own."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    host = request.headers.get("X-Forwarded-Host") if request.ip in LOOPBACK else None
    return urlsplit(origin).netloc == (host or request.host)


def json_body(request: Request) -> Optional[dict]:
    """The request's JSON object, or None (not JSON, or not an object)."""
    if not (request.content_type or "").startswith("application/json"):
        return None
    try:
        body = request.json
    except Exception:  # Sanic raises InvalidUsage for malformed JSON
        return None
    return body if isinstance(body, dict) else None


Handler = Callable[..., Awaitable[HTTPResponse]]


def signed_in(console: Console) -> Callable[[Handler], Handler]:
    """Handlers get ``(request, session, …)``: 401 without a live session; a change (any
    method but GET/HEAD) also needs the session's CSRF token and this site's origin, else 403."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session: Optional[Session] = await blocking(console.stores.sessions.get, request.cookies.get(COOKIE_NAME))
            if session is None:
                return error("not signed in", 401)
            if request.method not in SAFE_METHODS:
                if not same_origin(request):
                    return error("request from another site refused", 403)
                if not session.allows(request.headers.get(CSRF_HEADER)):
                    return error("missing or wrong CSRF token: reload the page", 403)
            return await handler(request, session, *args, **kwargs)

        return guarded

    return wrap
