"""The public address: a small reverse proxy that exposes the channels and nothing else.

Rasa serves its channels and its HTTP API (model upload, tracker read/write) on one
port. Publishing that port would publish the API, token or not. So the Rasa server
listens on 127.0.0.1 only, with the API behind ``BOT_API_TOKEN``, and this gateway is
the only thing bound to the public address. It is the usual reverse-proxy pattern
(docs/reliability.md has the equivalent nginx configuration) and it:

- forwards only ``/webhooks/…`` (REST and the messaging channels), ``/socket.io/…``
  (HTTP and WebSocket) and ``/chat…`` (the conference page with the chat widget);
  everything else is 404, so the API is not reachable; the organisers' console
  (``/admin/…``) only when ``BOT_PUBLIC_CONSOLE=1`` (docs/organisers.md: better behind
  an HTTPS proxy of its own);
- limits requests per client address (429 with ``Retry-After``) and body size (413);
- answers CORS only for the origins in ``BOT_CORS_ORIGINS``, and refuses requests and
  socket.io connections that carry any other web origin (WebSockets are not protected
  by CORS); requests without an ``Origin`` (scripts, messaging platforms) or from the
  gateway's own origin pass.

Run: ``python -m bot gateway --listen 0.0.0.0:8080 --upstream http://127.0.0.1:5005``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Optional

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, MultiMapping

from bot.plugins.channels.limits import Limits
from bot.plugins.channels.rate_limit import RateLimiter

logger = logging.getLogger(__name__)

PUBLIC_PREFIXES = ("/webhooks/", "/socket.io/", "/chat/")
CONSOLE_PREFIX = "/admin"
PUBLIC_CONSOLE_ENV = "BOT_PUBLIC_CONSOLE"
# Headers that belong to one hop, not to the forwarded request or response.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
UPSTREAM_TIMEOUT_S = 60


def is_public(path: str, console: bool = False) -> bool:
    """Whether a path belongs to a channel (and not to Rasa's HTTP API), or to the console
    when it is switched on."""
    if "/../" in path or path.endswith("/.."):
        return False
    if console and (path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")):
        return True
    return path == "/chat" or path.startswith(PUBLIC_PREFIXES)


def _forwardable(headers: "MultiMapping[str]") -> "CIMultiDict[str]":
    return CIMultiDict((k, v) for k, v in headers.items() if k.lower() not in HOP_BY_HOP)


class Gateway:
    """aiohttp application forwarding the public paths to the Rasa server."""

    def __init__(self, upstream: str, limits: Optional[Limits] = None, console: Optional[bool] = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.limits = limits or Limits.from_env()
        self.console = os.environ.get(PUBLIC_CONSOLE_ENV) == "1" if console is None else console
        self.per_address = RateLimiter(self.limits.address_per_minute, self.limits.address_burst)
        self._session: Optional[aiohttp.ClientSession] = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.limits.max_body_bytes, middlewares=[self._guard])
        app.router.add_route("*", "/{path:.*}", self._forward)
        # aiohttp 3.9 types its signals as Signal[Callable[...]], which aiosignal 1.4 reads
        # as the callbacks' argument types: a correct callback does not match.
        app.on_startup.append(self._open)  # type: ignore[arg-type]
        app.on_cleanup.append(self._close)  # type: ignore[arg-type]
        return app

    async def _open(self, _: web.Application) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=UPSTREAM_TIMEOUT_S), auto_decompress=False
        )

    async def _close(self, _: web.Application) -> None:
        if self._session:
            await self._session.close()

    def _origin_allowed(self, request: web.Request, origin: str) -> bool:
        """A configured origin, or the gateway's own (a page it serves itself)."""
        origin = origin.rstrip("/")
        return origin in self.limits.cors_origins or origin == f"{request.scheme}://{request.host}"

    def _cors_headers(self, origin: Optional[str]) -> dict:
        if origin and origin.rstrip("/") in self.limits.cors_origins:
            return {
                "Access-Control-Allow-Origin": origin,
                "Vary": "Origin",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type",
            }
        return {}

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        if not is_public(request.path, self.console):
            return web.json_response({"error": "not found"}, status=404)
        origins = request.headers.getall("Origin", [])
        if not all(self._origin_allowed(request, origin) for origin in origins):
            return web.json_response({"error": "origin not allowed"}, status=403)
        cors = self._cors_headers(origins[-1] if origins else None)
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=cors)
        wait = self.per_address.allow(request.remote or "unknown")
        if wait is not None:
            return web.json_response(
                {"error": "too many requests from this address"}, status=429, headers={"Retry-After": str(wait), **cors}
            )
        try:
            result = await handler(request)
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"error": "request body too large"}, status=413, headers=cors)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            logger.warning("Upstream %s did not answer %s %s", self.upstream, request.method, request.path)
            return web.json_response(
                {"error": "the assistant is unavailable; try again"}, status=503, headers={"Retry-After": "5", **cors}
            )
        if not result.prepared:  # a WebSocket has sent its headers already
            result.headers.update(cors)
        return result

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._forward_websocket(request)
        headers = _forwardable(request.headers)
        # engine.io compares Origin with the (forwarded) host: the page's public address.
        headers.update(
            {
                "X-Forwarded-For": request.remote or "",
                "X-Forwarded-Host": request.host,
                "X-Forwarded-Proto": request.scheme,
            }
        )
        body = await request.read()
        assert self._session is not None
        async with self._session.request(
            request.method, self.upstream + request.path_qs, headers=headers, data=body, allow_redirects=False
        ) as upstream:
            payload = await upstream.read()
            return web.Response(status=upstream.status, body=payload, headers=_forwardable(upstream.headers))

    async def _forward_websocket(self, request: web.Request) -> web.StreamResponse:
        client = web.WebSocketResponse(max_msg_size=self.limits.max_body_bytes)
        await client.prepare(request)
        assert self._session is not None
        url = self.upstream.replace("http", "ws", 1) + request.path_qs
        async with self._session.ws_connect(url, max_msg_size=self.limits.max_body_bytes) as server:
            await asyncio.gather(_pump(client, server), _pump(server, client))
        return client


async def _pump(source, target) -> None:
    """Copy WebSocket frames one way until either side closes."""
    async for frame in source:
        if frame.type == aiohttp.WSMsgType.TEXT:
            await target.send_str(frame.data)
        elif frame.type == aiohttp.WSMsgType.BINARY:
            await target.send_bytes(frame.data)
        else:
            break
    await target.close()


def run(listen: str, upstream: str) -> None:
    """Serve until interrupted."""
    host, _, port = listen.rpartition(":")
    logging.basicConfig(level=logging.INFO)
    # No access log: client addresses are personal data (docs/privacy.md).
    web.run_app(Gateway(upstream).app(), host=host or "0.0.0.0", port=int(port), print=None, access_log=None)
