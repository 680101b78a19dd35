"""The Wi-Fi question in six languages against the real servers, with the conference clock
set during the event (``BOT_CLOCK=2017-11-16T10:45``) and with no clock (today: after it).

As in tests/e2e/test_agenda.py, the shared Rasa server keeps running and its action proxy is
pointed at an action server of this module's (``actions_with``), started with the clock under
test; the FAQ answers are the project's (data/faq/answers.json).
"""

from __future__ import annotations

import pytest

from bot.conversation.content import load_content
from bot.conversation.faq.answers import ANSWERS_FILE, load_answers
from tests.conftest import ASSISTANT_ACTIONS_PORT, LANGS
from tests.e2e.test_agenda import DONE_WHEN_MOMENT, actions_with

PORT = ASSISTANT_ACTIONS_PORT + 3  # apart from the agenda module's action servers; "today" uses PORT + 1
WIFI = next(entry for entry in load_answers(ANSWERS_FILE) if entry.id == "wifi")
SOURCE = load_content().sources[WIFI.source]
QUESTION = {
    "en": "what is the wifi password?",
    "fr": "quel est le mot de passe du wifi ?",
    "nl": "wat is het wifi-wachtwoord?",
    "es": "¿cuál es la contraseña del wifi?",
    "de": "wie lautet das WLAN-Passwort?",
    "ar": "ما هي كلمة مرور الواي فاي؟",
}


@pytest.fixture(scope="module")
def during(servers, tmp_path_factory):
    with actions_with(servers, tmp_path_factory.mktemp("clock-during"),
                      {"BOT_CLOCK": DONE_WHEN_MOMENT, "BOT_FAQ_ANSWERS": str(ANSWERS_FILE)}, PORT):
        yield servers


@pytest.fixture(scope="module")
def today(servers, tmp_path_factory):
    with actions_with(servers, tmp_path_factory.mktemp("clock-today"),
                      {"BOT_CLOCK": "", "BOT_FAQ_ANSWERS": str(ANSWERS_FILE)}, PORT + 1):
        yield servers


def lines(reply: str) -> list[str]:
    return reply.split("\n")


@pytest.mark.parametrize("language", LANGS)
def test_wifi_during_the_event_gives_the_during_event_answer(during, chat, language):
    reply = lines(chat().say(QUESTION[language]))
    assert reply[0] == WIFI.answers[language]
    assert reply[-1].endswith(SOURCE.display(language))


@pytest.mark.parametrize("language", LANGS)
def test_wifi_today_says_the_conference_is_over(today, chat, language):
    reply = lines(chat().say(QUESTION[language]))
    assert reply[0] == WIFI.after_event[language]
    assert "2017" in reply[0] and reply[0] != WIFI.answers[language]
    assert reply[-1].endswith(SOURCE.display(language))
