"""Follow-up questions over REST: the subject of the last answer, remembered in the
tracker store the two workers share, answers the next question that does not name it."""

import pytest

from bot.conversation.content.loader import CONTENT_DIR, load_content
from tests.e2e.replies import language_of

UNKNOWN_FACET = load_content(CONTENT_DIR).strings["unknown_facet"]


def test_a_follow_up_the_classifier_does_not_understand_is_answered_about_the_subject(chat):
    conversation = chat()
    assert "UN-Habitat" in conversation.say("Tell me about UN-Habitat")
    assert "Joan Clos" in conversation.say("Who was in charge of it back then?")


def test_a_follow_up_in_french_names_neither_subject_nor_topic(chat):
    conversation = chat()
    conversation.say("Parlez-moi de l'OIM")
    reply = conversation.say("Et son siège ?")
    assert "Genève" in reply and language_of(reply) == "fr"


@pytest.mark.parametrize("language, first, second, name", [
    ("en", "Tell me about UN-Habitat", "How big is their annual budget?", "UN-Habitat"),
    ("de", "Was ist die IOM?", "Wie hoch ist ihr Budget?", "IOM"),
])
def test_a_follow_up_the_subject_has_no_answer_for_gets_an_honest_reply_about_it(chat, language, first, second, name):
    conversation = chat()
    conversation.say(first)
    assert conversation.say(second).startswith(UNKNOWN_FACET[language].format(subject=name).split(",")[0])


def test_thanks_after_an_answer_stays_thanks(chat):
    conversation = chat()
    conversation.say("Tell me about UN-Habitat")
    reply = conversation.say("thanks, that's it")
    assert "UN-Habitat" not in reply and "welcome" in reply.lower()
