"""The question of a message with several parts (bot/conversation/focus.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.focus import question_of
from bot.plugins.components.question_focus import QuestionFocus


@pytest.mark.parametrize("text, question", [
    ("hi! where's the venue?", "where's the venue?"),
    ("where is the venue? you can mail me at j.doe@example.org or call +32 470 12 34 56", "where is the venue?"),
    ("I arrive at the airport tomorrow. How do I get to Mechelen?", "How do I get to Mechelen?"),
    ("¡Hola! ¿Dónde está la sede?", "¿Dónde está la sede?"),
    ("مرحبا! أين يعقد المؤتمر؟", "أين يعقد المؤتمر؟"),
    ("Hallo. Waar is het? Bedankt!", "Waar is het?"),
    ("Danke! Wann ist es? Und wo?", "Wann ist es? Und wo?"),
    # thanks or a greeting, then a question going on with "and"
    ("merci, en hoe schrijf ik me in?", "en hoe schrijf ik me in?"),
    ("Thanks, and where is it based?", "and where is it based?"),
    ("Gracias, ¿y el hotel?", "¿y el hotel?"),
    ("شكرا جزيلا، و كم عدد السكان؟", "و كم عدد السكان؟"),
    # a greeting, then a request without a question mark
    ("Hola! Quiero saber las fechas de la conferencia de Malinas", "Quiero saber las fechas de la conferencia de Malinas"),
    ("Bonjour. Je cherche l'adresse du Lamot", "Je cherche l'adresse du Lamot"),
    ("مرحبا! أريد معرفة عنوان مكان المؤتمر", "أريد معرفة عنوان مكان المؤتمر"),
])
def test_the_question_is_kept_and_the_rest_left_out(text, question):
    assert question_of(text) == question


@pytest.mark.parametrize("text", [
    "Where does the conference take place?", "Bonjour, où est la conférence ?", "Joan Clos, and who is he?",
    "hello, anyone there?", "bonsoir, il y a quelqu'un ?", "Hallo, ik heb een vraag", "thanks. bye!", "Hi! I'm Ana.", "Joan Clos, ¿quién es?", "Soy celíaca, ¿habrá algo sin gluten?", "ok",
    "Who is Dr. Clos?", "when is it? 16.11.2017?", "see https://example.org", "",
])
def test_a_message_of_one_part_or_without_a_question_stays_as_it_is(text):
    expected = text.replace("https://example.org", "").strip() or text
    assert question_of(text) == expected


def test_the_component_changes_messages_not_training_examples():
    focus = QuestionFocus({})
    message = Message(data={"text": "Hi there! Who organised it?"})
    focus.process([message])
    assert message.get("text") == "Who organised it?"
    example = Message(data={"text": "hello! where is it?", "intent": "ask_venue"})
    focus.process_training_data(TrainingData([example]))
    assert example.get("text") == "hello! where is it?"


@pytest.mark.parametrize("text, question", [
    ("My colleague says the declaration has dozens of recommendations. How many were there exactly?",
     "My colleague says the declaration has dozens of recommendations. How many were there exactly?"),
    ("Ik maak een thesis over Bart Somers. Wat zei hij daar? Antwoord graag naar student@example.edu",
     "Ik maak een thesis over Bart Somers. Wat zei hij daar?"),
    ("I work for the city of Ghent and would like to come. How do I register?", "How do I register?"),
    ("Good morning! Where is it?", "Where is it?"),
])
def test_a_short_question_pointing_back_keeps_the_sentence_it_points_to(text, question):
    assert question_of(text) == question


@pytest.mark.parametrize("text, question", [
    ("وين بالضبط؟ أعطني العنوان", "وين بالضبط؟ أعطني العنوان"),  # "where exactly? give me the address"
    ("Where exactly? Send me the address please", "Where exactly? Send me the address please"),
    ("Any parking? Thanks a lot, Rami", "Any parking?"),  # thanks and a name: not what it asks
    ("Where is the venue of the conference? I land at nine", "Where is the venue of the conference?"),
])
def test_a_bare_question_keeps_the_sentence_after_it_that_says_what_it_asks(text, question):
    assert question_of(text) == question
