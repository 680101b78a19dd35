"""Delivering an organiser's reply (or a notice of the desk) on the attendee's own channel.

Messaging platforms (Telegram, WhatsApp/Twilio, Messenger, Slack) take a message at any
moment, so any worker sends it at once through the channel's own output (same
splitting, numbered options and error handling as the assistant's answers).

The web chat and REST cannot be pushed to from any worker:

* **socket.io**: the browser's socket is held by one Sanic worker, so the reply is
  queued (``handoff_outbox``) and pushed by the worker that holds the socket of that
  session (each worker looks every second, ``SocketHub.flush_all``), or when the widget
  connects again (reload, reconnection: ``SocketHub.flush``). The reply is also in the
  conversation, like every bot message.
* **REST** is request/response: queued replies are returned at the start of the answer
  to the client's next message (bot/plugins/channels/rest.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

from rasa.core.channels.socketio import SocketIOOutput

from bot.plugins.channels.facebook import FacebookInput
from bot.plugins.channels.platform import PlatformInput
from bot.plugins.channels.slack import SlackInput
from bot.plugins.channels.telegram import TelegramInput
from bot.plugins.channels.twilio import TwilioInput
from bot.plugins.handoff.registry import Handoff, HandoffRegistry

logger = logging.getLogger(__name__)

PUSHED: Mapping[str, Type[PlatformInput]] = {
    channel.name(): channel for channel in (TelegramInput, TwilioInput, FacebookInput, SlackInput)
}
SOCKETIO = "socketio"
REST = "rest"
QUEUED = (SOCKETIO, REST)


class SocketHub:
    """This worker's socket.io server, to push queued replies to sockets it holds."""

    def __init__(self) -> None:
        self._servers: List[Tuple[Any, str, str]] = []

    def register(self, sio: Any, bot_message_event: str, namespace: Optional[str]) -> None:
        self._servers.append((sio, bot_message_event, namespace or "/"))

    def _holder(self, session_id: str) -> Optional[Tuple[Any, str]]:
        for sio, event, namespace in self._servers:
            if next(iter(sio.manager.get_participants(namespace, session_id)), None) is not None:
                return sio, event
        return None

    async def flush(self, registry: HandoffRegistry, session_id: str) -> int:
        """Push the replies queued for ``session_id`` if this worker holds its socket."""
        holder = self._holder(session_id)
        if holder is None:
            return 0
        messages = registry.take_queued(session_id, SOCKETIO)
        output = SocketIOOutput(*holder)
        for message in messages:
            await output.send_response(session_id, dict(message))
        return len(messages)

    async def flush_all(self, registry: HandoffRegistry) -> None:
        if not self._servers:
            return
        for session_id in registry.queued_senders(SOCKETIO):
            await self.flush(registry, session_id)


SOCKETS = SocketHub()


async def deliver(registry: HandoffRegistry, handoff: Handoff, message: Dict[str, Any]) -> bool:
    """Send ``message`` ({"text", "buttons"?}) to the attendee of ``handoff``; False when it
    could not go (logged: the message stays in the conversation)."""
    channel = PUSHED.get(handoff.channel)
    if channel is not None:
        settings = channel.settings_from_environment()
        if settings is None:
            logger.error("hand-off %s: the %s channel is no longer configured", handoff.id, handoff.channel)
            return False
        reply_to = handoff.recipient if handoff.recipient != handoff.sender_id else None
        await channel.OUTPUT(settings, reply_to).send_response(handoff.sender_id, dict(message))
        return True
    if handoff.channel in QUEUED:
        registry.queue(handoff.sender_id, handoff.channel, message)
        if handoff.channel == SOCKETIO:
            await SOCKETS.flush(registry, handoff.sender_id)
        return True
    logger.warning(
        "hand-off %s: no way to reach the %s channel; the reply is kept in the conversation",
        handoff.id,
        handoff.channel,
    )
    return False
