"""The socket.io channel's input checks (bot.plugins.channels.socketio.checked)."""

from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.plugins.channels.payload import MAX_MESSAGE_CHARS
from bot.plugins.channels.socketio import checked


def _deliver(text: str):
    received, output = [], CollectingOutputChannel()

    async def on_new_message(message: UserMessage) -> None:
        received.append(message.text)

    asyncio.run(checked(on_new_message)(UserMessage(text, output, "visitor")))
    return received, [m.get("text") for m in output.messages]


def test_control_characters_are_removed_before_rasa_sees_the_text():
    assert _deliver("  Where\x00 is Lamot?\x07 ") == (["Where is Lamot?"], [])


def test_an_empty_message_is_dropped():
    assert _deliver("\x00 \x1f") == ([], [])


def test_an_over_long_message_is_answered_with_the_reason_and_not_processed():
    received, replies = _deliver("a" * (MAX_MESSAGE_CHARS + 1))
    assert received == []
    assert replies == [f"This message is longer than {MAX_MESSAGE_CHARS} characters."]
