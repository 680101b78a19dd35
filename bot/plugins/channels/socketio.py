"""Rasa's socket.io channel, fixed for python-socketio 5.10+ and with the input checks.

Rasa 3.6.21 calls ``sio.enter_room(...)`` without ``await`` (RasaHQ/rasa#13027). With
the python-socketio that Rasa's pins resolve to today (5.18), ``enter_room`` is a
coroutine, so with ``session_persistence: true`` the socket never joins its session's
room and no reply ever reaches the browser. This channel replaces that one handler,
and turns the origin check back on that Rasa switches off (``cors_allowed_origins=[]``
lets any web site open a WebSocket to the assistant): only the assistant's own pages,
plus the ``allowed_origins`` listed in credentials.yml, may connect. Everything else
(events, metadata_key, output channel name "socketio") is Rasa's.

The ``user_uttered`` handler is replaced too, because Rasa's indexes into the event
data directly: a malformed event (a string, a number, no ``session_id``) raised inside
the server and the user heard nothing. Now malformed or oversized events and too many
messages from one session get a polite ``bot_uttered`` notice (in the language the
client announces, else English), and a turn that could not be processed or stored
gets "please send it again" instead of silence (docs/reliability.md).

Organisers' replies in a hand-off (docs/handoff.md) reach the widget through this
worker's socket.io server (``SOCKETS``), also when they arrived while it was away: they
are pushed when the widget asks for its session again (reload, reconnection).
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.conversation.notices import notice
from bot.plugins.channels.limits import Limits
from bot.plugins.channels.payload import (
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    PayloadError,
    clean_text,
    parse_socketio_payload,
)
from bot.plugins.channels.rate_limit import RateLimiter, SharedBuckets
from bot.plugins.handoff.delivery import SOCKETS
from bot.plugins.handoff.store import find_desk
from bot.plugins.tracker_store.privacy import watch_storage

logger = logging.getLogger(__name__)


def checked(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Cleans the text as the REST channel does; answers over-long messages with the reason."""

    async def handle(message: UserMessage) -> None:
        text = clean_text(message.text or "")
        if not text:
            logger.info("Ignored an empty socket.io message from %s", message.sender_id)
            return
        if len(text) > MAX_MESSAGE_CHARS:
            await message.output_channel.send_text_message(
                message.sender_id, f"This message is longer than {MAX_MESSAGE_CHARS} characters."
            )
            return
        message.text = text
        await on_new_message(message)

    return handle


class SessionSocketIOInput(SocketIOInput):
    """``socketio`` that joins the session's room, checks origins, input and rate."""

    # None: same origin only (python-engineio's default). Else: exactly these origins.
    allowed_origins: Optional[List[Text]] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SessionSocketIOInput":
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("allowed_origins")
        channel.allowed_origins = list(origins) if origins else None
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handle = checked(on_new_message)
        blueprint = super().blueprint(handle)
        sio = self.sio
        limits = Limits.from_env()
        per_sender = RateLimiter(limits.sender_per_minute, limits.sender_burst, buckets=SharedBuckets())

        async def tell(sid: Text, text: Text) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        SOCKETS.register(sio, self.bot_message_evt, self.namespace)
        server: Dict[str, Any] = {}

        @blueprint.listener("after_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            server["app"] = app

        async def organisers_replies_for(session_id: Text) -> None:
            """Replies of organisers queued while the widget was away (reload, reconnection)."""
            desk = find_desk(server["app"].ctx.agent.tracker_store) if "app" in server else None
            if desk is not None and self.session_persistence:
                await SOCKETS.flush(desk.registry, session_id)

        # Rasa passes [], which disables engine.io's Origin check altogether.
        sio.eio.cors_allowed_origins = None if self.allowed_origins is None else [*self.allowed_origins]

        # Registering the event again replaces Rasa's handler.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_SENDER_CHARS:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine since python-socketio 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("Socket %s joined session %s", sid, session_id)
            await organisers_replies_for(session_id)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            metadata = data.get(self.metadata_key) if isinstance(data, dict) else None
            try:
                message = parse_socketio_payload(data, self.metadata_key, None if self.session_persistence else sid)
            except PayloadError as error:
                await tell(sid, notice("too_long" if error.status == 413 else "unreadable", metadata))
                return
            wait = per_sender.allow(message.sender)
            if wait is not None:
                await tell(sid, notice("rate_limited", message.metadata, seconds=wait))
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            try:
                with watch_storage() as storage_failures:
                    await handle(
                        UserMessage(
                            message.text, output, message.sender, input_channel=self.name(), metadata=message.metadata
                        )
                    )
            except Exception:  # the user must hear that the message was lost
                logger.exception("A socket.io message could not be processed")
                storage_failures = ["process"]
            if storage_failures:
                await tell(sid, notice("try_again", message.metadata))

        return blueprint
