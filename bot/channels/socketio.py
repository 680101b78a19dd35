"""Rasa's socket.io channel, fixed for python-socketio 5.10+ and with the input checks.

Rasa 3.6.21 calls ``sio.enter_room(...)`` without ``await`` (RasaHQ/rasa#13027). With
the python-socketio that Rasa's pins resolve to today (5.18), ``enter_room`` is a
coroutine, so with ``session_persistence: true`` the socket never joins its session's
room and no reply ever reaches the browser. This channel replaces that one handler,
and turns the origin check back on that Rasa switches off (``cors_allowed_origins=[]``
lets any web site open a WebSocket to the assistant): only the assistant's own pages,
plus the ``allowed_origins`` listed in credentials.yml, may connect. Everything else
(events, metadata_key, output channel name "socketio") is Rasa's.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.channels.payload import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, clean_text

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
    """``socketio`` with a session_request handler that really joins the session's room."""

    # None: same origin only (python-engineio's default). Else: exactly these origins.
    allowed_origins: Optional[List[Text]] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SessionSocketIOInput":
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("allowed_origins")
        channel.allowed_origins = list(origins) if origins else None
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(checked(on_new_message))
        sio = self.sio
        # Rasa passes [], which disables engine.io's Origin check altogether.
        sio.eio.cors_allowed_origins = (
            None if self.allowed_origins is None else [*self.allowed_origins]
        )

        # Registering the event again replaces Rasa's handler.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
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

        return blueprint
