"""How `python -m bot conversations` tells which answer a reply is (bot/tools/conversations.py)."""

from __future__ import annotations

from bot.conversation.content.loader import CONTENT_DIR, load_content
from bot.conversation.content.select import render_answer, unknown_about, unknown_topic
from bot.conversation.faq.answers import ANSWERS_FILE, load_answers, render
from bot.tools.conversations import UNKNOWN_FOR_SUBJECT, ReplyIndex

INDEX = ReplyIndex.of_project()
KB = load_content(CONTENT_DIR)


def test_a_content_answer_is_known_by_its_text_with_its_source():
    answer = KB.topics_by_intent["ask_organisers"].answers[("iom", "headquarters")]
    assert INDEX.identify(render_answer(KB, answer, "de")) == "organisers.iom.headquarters"


def test_an_faq_answer_is_known_by_its_intent():
    entry = next(e for e in load_answers(ANSWERS_FILE) if e.id == "wifi")
    assert INDEX.identify(render(entry, "es", "Fuente")) == "faq_wifi"


def test_the_honest_reply_about_a_subject_is_known_as_such():
    assert INDEX.identify(unknown_about(KB, "UN-Habitat", "nl")) == UNKNOWN_FOR_SUBJECT


def test_the_honest_reply_about_the_travel_or_the_dates_is_known_as_such():
    # those topics have no subject to name: "how much is the train ticket?" after the travel
    assert INDEX.identify(unknown_topic(KB, "es")) == UNKNOWN_FOR_SUBJECT
    assert INDEX.identify(unknown_topic(KB, "ar")) == UNKNOWN_FOR_SUBJECT


def test_a_reply_naming_the_expected_session_is_about_it():
    reply = ("Mohamed Boussraoui moderated the guided discussion “What are the key elements that can inform "
             "the Global Compact on Migration”.")
    assert INDEX.identify(reply, "session guided_discussion") == "session guided_discussion"
    assert INDEX.identify(reply, "session youth_panel") != "session youth_panel"
