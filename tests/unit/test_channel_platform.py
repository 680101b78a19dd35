"""Shared reply logic: buttons or a numbered list, splitting, and failures that do not raise."""

import asyncio
import logging
import socket

from bot.plugins.channels.facebook import FacebookOutput
from bot.plugins.channels.twilio import TwilioOutput

BUTTONS = [{"title": "Venue", "payload": "/ask_venue"}, {"title": "Travel", "payload": "/ask_travel"}]


class Recording:
    """Mixin that records messages instead of calling the platform."""

    def __init__(self) -> None:
        super().__init__({})
        self.sent = []

    async def post_message(self, recipient_id, text, buttons=()):
        self.sent.append((recipient_id, text, list(buttons)))


class RecordingMessenger(Recording, FacebookOutput):
    pass


class RecordingWhatsApp(Recording, TwilioOutput):
    pass


def test_buttons_within_the_platform_limits_stay_buttons():
    out = RecordingMessenger()
    asyncio.run(out.send_text_with_buttons("u1", "Choose:", BUTTONS))
    assert out.sent == [("u1", "Choose:", BUTTONS)]


def test_buttons_beyond_the_limits_become_a_numbered_list():
    out = RecordingMessenger()
    long_titles = [{"title": "Déclaration de Malines", "payload": "/ask_declaration"}, *BUTTONS]
    asyncio.run(out.send_text_with_buttons("u1", "Choisissez :", long_titles))
    assert out.sent == [("u1", "Choisissez :\n\n1. Déclaration de Malines\n2. Venue\n3. Travel", [])]


def test_a_platform_without_buttons_always_gets_a_numbered_list():
    out = RecordingWhatsApp()
    asyncio.run(out.send_text_with_buttons("whatsapp:+32", "Choose:", BUTTONS))
    assert out.sent == [("whatsapp:+32", "Choose:\n\n1. Venue\n2. Travel", [])]


def test_a_long_text_is_split_and_buttons_go_with_the_last_part():
    out = RecordingMessenger()
    text = ("Mechelen is a city. " * 150).strip()
    asyncio.run(out.send_text_with_buttons("u1", text, BUTTONS))
    assert len(out.sent) > 1
    assert all(len(part) <= FacebookOutput.LIMIT for _, part, _ in out.sent)
    assert [buttons for _, _, buttons in out.sent] == [[]] * (len(out.sent) - 1) + [BUTTONS]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_platform_is_logged_and_does_not_raise(caplog):
    out = TwilioOutput({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_NUMBER": "+1",
                        "TWILIO_API_URL": f"http://127.0.0.1:{_closed_port()}"})
    with caplog.at_level(logging.ERROR):
        asyncio.run(out.send_text_message("+32", "hello"))
    assert "twilio: the platform API is unreachable" in caplog.text
    assert "t@" not in caplog.text and "AC1" not in caplog.text
