"""Conversations in every language, over REST, against the real servers."""

import pytest

from tests.e2e.replies import DETECTOR, language_of

VENUE_QUESTIONS = {
    "en": "Where does the conference take place?",
    "fr": "Où se déroule la conférence ?",
    "nl": "Waar vindt de conferentie plaats?",
    "es": "¿Dónde se celebra la conferencia?",
    "de": "Wo findet die Konferenz statt?",
    "ar": "أين يعقد المؤتمر؟",
}


@pytest.mark.parametrize("language, question", VENUE_QUESTIONS.items())
def test_venue_question_is_answered_in_its_language(chat, language, question):
    reply = chat().say(question)
    assert "Lamot" in reply
    assert "Van Beethovenstraat 8" in reply
    assert language_of(reply) == language


@pytest.mark.parametrize(
    "language, question, expected",
    [
        ("en", "When is the conference?", "16"),
        ("fr", "Quand a lieu la conférence ?", "16"),
        ("nl", "Wanneer is de conferentie?", "16"),
        ("es", "¿Cuándo es la conferencia?", "16"),
        ("de", "Wann findet die Konferenz statt?", "16"),
        ("ar", "متى يعقد المؤتمر؟", "16"),
    ],
)
def test_dates_question_is_answered_in_its_language(chat, language, question, expected):
    reply = chat().say(question)
    assert expected in reply and "2017" in reply
    assert language_of(reply) == language


def test_french_conversation_stays_french_through_ok_and_merci(chat):
    conversation = chat()
    assert language_of(conversation.say("Qui organise la conférence ?")) == "fr"
    ok_reply = conversation.say("ok")
    thanks_reply = conversation.say("merci")
    assert ok_reply and language_of(ok_reply) == "fr"
    assert thanks_reply and language_of(thanks_reply) == "fr"


def test_conversation_switches_language_on_request_and_by_writing(chat):
    conversation = chat()
    assert language_of(conversation.say("Wo findet die Konferenz statt?")) == "de"
    switched = conversation.say("answer in English please")
    assert language_of(switched) == "en"
    assert language_of(conversation.say("ok")) == "en"
    assert language_of(conversation.say("¿Quién organiza la conferencia?")) == "es"


def test_button_payload_sets_the_language(chat):
    conversation = chat()
    conversation.say("hello")
    switched = conversation.say('/set_language{"language": "ar"}')
    assert language_of(switched) == "ar"
    assert language_of(conversation.say("/ask_venue")) == "ar"


def test_channel_metadata_is_the_language_at_the_start(chat):
    conversation = chat(metadata={"language": "nl"})
    assert language_of(conversation.say("ok")) == "nl"


def test_unsupported_language_gets_the_list_of_languages_in_english(chat):
    reply = chat().say("Buongiorno, dove si trova la conferenza sulle migrazioni?")
    for name in ("English", "Français", "Nederlands", "Español", "Deutsch", "العربية"):
        assert name in reply


def test_help_offers_topic_buttons_in_the_conversation_language(chat):
    conversation = chat()
    conversation.say("Bonjour, pouvez-vous m'aider avec la conférence ?")
    messages = conversation.send("que peux-tu faire ?")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert {b["payload"] for b in buttons} >= {"/ask_venue", "/ask_programme", "/ask_declaration"}
    assert all(DETECTOR.detect(m["text"]).code == "fr" for m in messages if len(m.get("text", "").split()) > 3)


@pytest.mark.parametrize("language, message", [
    ("fr", "declaration de Malines"),  # the French name without its accent
    ("fr", "allo"),
    ("ar", "i3lan mechelen chno"),  # Arabic in Latin letters
    ("de", "Es gibt eine Veranstaltung namens 'Human Mobility and the Right to the City'."),  # an English title quoted
])
def test_short_first_messages_are_answered_in_their_language(chat, language, message):
    assert language_of(chat().say(message)) == language
