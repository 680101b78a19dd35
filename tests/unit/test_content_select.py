import pytest

from bot.conversation.content import load_content, render_answer, select_answer
from bot.conversation.content.loader import CONTENT_DIR
from bot.conversation.content.select import answer_question, topic_for, unanswered_facet
from tests.conftest import six, venue_topic, write_yaml


@pytest.fixture
def kb(content_dir):
    return load_content(content_dir)


@pytest.mark.parametrize(
    "question, answer_id",
    [
        ("Where is the conference?", "venue.overview"),
        ("What's the address?", "venue.address"),
        ("Quelle est l'adresse ?", "venue.address"),
        ("ما هو العنوان؟", "venue.address"),
        ("Tell me about the LAMOT building", "venue.lamot"),
        ("What is the address of Lamot?", "venue.lamot.address"),
    ],
)
def test_most_specific_answer_is_chosen(kb, question, answer_id):
    assert select_answer(kb.topics_by_intent["ask_venue"], question).id == answer_id


def test_rendering_uses_the_conversation_language_and_cites_the_source(kb):
    answer = kb.topics_by_intent["ask_venue"].answers[(None, "address")]
    assert render_answer(kb, answer, "nl") == "[nl] address\n[nl] source_label: https://example.org/b"


def test_unknown_or_missing_language_falls_back_to_english(kb):
    answer = kb.topics_by_intent["ask_venue"].answers[(None, None)]
    assert render_answer(kb, answer, None).startswith("[en] overview")
    assert render_answer(kb, answer, "it").startswith("[en] overview")


def test_unconfirmed_answers_have_no_source_line(kb):
    answer = kb.topics_by_intent["ask_venue"].answers[("lamot", "address")]
    assert render_answer(kb, answer, "fr") == "[fr] lamot address"


def test_a_source_without_address_shows_its_title_in_the_language(content_dir):
    topic = venue_topic()
    topic["answers"][0]["sources"] = [{"source": "report", "supports": "the report says so"}]
    write_yaml(content_dir / "venue.yml", topic)
    kb = load_content(content_dir)
    answer = kb.topics_by_intent["ask_venue"].answers[(None, None)]
    assert render_answer(kb, answer, "es") == "[es] overview\n[es] source_label: [es] report"


def test_after_the_event_the_after_event_text_is_rendered(content_dir):
    topic = venue_topic()
    topic["answers"][1].update(practical=True, after_event=six("the conference is over"))
    write_yaml(content_dir / "venue.yml", topic)
    kb = load_content(content_dir)
    answer = kb.topics_by_intent["ask_venue"].answers[(None, "address")]
    assert render_answer(kb, answer, "de", after_event=False).startswith("[de] address\n")
    assert render_answer(kb, answer, "de", after_event=True) == (
        "[de] the conference is over\n[de] source_label: https://example.org/b")
    # answers without after-event text say the same on both sides of the event
    overview = kb.topics_by_intent["ask_venue"].answers[(None, None)]
    assert render_answer(kb, overview, "ar", after_event=True) == render_answer(kb, overview, "ar")
    assert answer_question(kb, "ask_venue", "Quelle est l'adresse ?", "fr", True).startswith("[fr] the conference is over")


def test_unknown_intent_gets_the_dont_know_string(kb):
    assert answer_question(kb, "ask_wifi", "wifi?", "de") == "[de] unknown_topic"


@pytest.mark.parametrize("language", ["en", "fr", "nl", "es", "de", "ar"])
def test_shipped_venue_answer_names_lamot_and_its_address(language):
    reply = answer_question(load_content(CONTENT_DIR), "ask_venue", "where?", language)
    assert "Lamot" in reply
    assert "Van Beethovenstraat 8" in reply


@pytest.mark.parametrize("text, topic", [("Lamot in Mecheln", "venue"), ("Mechelen, Lamot", "mechelen")])
def test_of_several_things_named_without_a_topic_the_first_is_the_subject(text, topic):
    found = topic_for(load_content(CONTENT_DIR), None, text)
    assert found is not None and found.name == topic


def test_the_classifiers_thing_named_before_another_topics_subject_stands():
    # "I read the Mechelen Declaration recognised cities ... important for us at the municipality"
    kb = load_content(CONTENT_DIR)
    text = "قرأت أن إعلان ميشلن اعترف لأول مرة بدور المدن في ملف الهجرة، وهذا شيء مهم جداً بالنسبة لنا في البلدية"
    assert topic_for(kb, "ask_declaration", text) is kb.topics_by_intent["ask_declaration"]
    # named after the other subject, the subject is what is asked about
    assert topic_for(kb, "ask_declaration", "did UN-Habitat sign the declaration?") is kb.topics_by_intent["ask_organisers"]


@pytest.mark.parametrize("intent, question, expected", [
    ("ask_dates", "will the conference be live streamed?", (None, "livestream")),
    ("ask_dates", "komt er een volgende editie?", (None, "edition")),
    ("ask_speakers", "which party is Bart Somers in?", ("somers", "party")),
    ("ask_mechelen", "¿qué hay que ver en Malinas para los turistas?", (None, "sights")),
    ("ask_dates", "when is the conference?", None),
    ("ask_speakers", "who is Bart Somers?", None),
])
def test_a_question_only_for_a_facet_no_source_answers_is_known_as_such(intent, question, expected):
    kb = load_content(CONTENT_DIR)
    assert unanswered_facet(kb.topics_by_intent[intent], question) == expected
