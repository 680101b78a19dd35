"""Rasa's socket.io channel with the same checks as the REST channel.

Rasa's handlers index into the event data directly, so a malformed event (a string,
a number, a message without ``session_id``) raises inside the server and the user
hears nothing. These handlers replace Rasa's ``session_request`` and
``user_uttered``: malformed or oversized events and too many messages get a polite
``bot_uttered`` notice (in the language the client announces, else English), and a
turn that fails gets "please send it again" instead of silence. It also joins the
client to its session's room properly (Rasa's handler forgets to await it,
RasaHQ/rasa#13027), and turns back on engine.io's Origin check that Rasa switches off
(``cors_allowed_origins=[]`` lets any web site open a socket to the assistant): only
the assistant's own pages, plus the ``allowed_origins`` listed in credentials.yml, may
connect (docs/web.md).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.payload import PayloadError, check_sender, parse_socketio_payload
from bot.guard.notices import notice
from bot.guard.ratelimit import RateLimiter
from bot.guard.settings import Limits
from bot.privacy.tracker_store import watch_storage

logger = logging.getLogger(__name__)


class ValidatingSocketIOInput(SocketIOInput):
    """socket.io at /socket.io with input checks, rate limits and no silent failures."""

    # None: same origin only (python-engineio's default). Else: exactly these origins.
    allowed_origins: Optional[List[Text]] = None

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ValidatingSocketIOInput":
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("allowed_origins")
        channel.allowed_origins = list(origins) if origins else None
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = Limits.from_env()
        self.per_sender = RateLimiter(limits.sender_per_minute, limits.sender_burst)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        # Rasa passes [], which disables engine.io's Origin check altogether.
        sio.eio.cors_allowed_origins = None if self.allowed_origins is None else [*self.allowed_origins]

        async def tell(sid: Text, text: Text) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Any] = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            try:
                session_id = check_sender(requested) if requested else uuid.uuid4().hex
            except PayloadError:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                # Rasa 3.6 calls this without `await`; with python-socketio 5.x it is a
                # coroutine, so the client never joins its room and hears no replies.
                await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            metadata = data.get(self.metadata_key) if isinstance(data, dict) else None
            try:
                message = parse_socketio_payload(
                    data, self.metadata_key, None if self.session_persistence else sid
                )
            except PayloadError as error:
                await tell(sid, notice("too_long" if error.status == 413 else "unreadable", metadata))
                return
            wait = self.per_sender.allow(message.sender)
            if wait is not None:
                await tell(sid, notice("rate_limited", message.metadata, seconds=wait))
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            try:
                with watch_storage() as storage_failures:
                    await on_new_message(UserMessage(message.text, output, message.sender,
                                                     input_channel=self.name(), metadata=message.metadata))
            except Exception:  # the user must hear that the message was lost
                logger.exception("A socket.io message could not be processed")
                storage_failures = ["process"]
            if storage_failures:
                await tell(sid, notice("try_again", message.metadata))

        return socketio_webhook
