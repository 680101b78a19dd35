"""Every rule of docs/content.md, broken once; each error must name the file and the entry."""

import pytest

from bot.conversation.content import ContentError, load_content
from bot.conversation.content.loader import CONTENT_DIR
from tests.conftest import six, ui_strings, venue_topic, write_yaml


def problems_for(tmp_path, topic):
    write_yaml(tmp_path / "venue.yml", topic)
    write_yaml(tmp_path / "ui.yml", ui_strings())
    with pytest.raises(ContentError) as caught:
        load_content(tmp_path)
    return "\n".join(caught.value.problems)


def test_valid_content_loads(content_dir):
    kb = load_content(content_dir)
    topic = kb.topics_by_intent["ask_venue"]
    assert kb.answer_count() == 4
    assert topic.subject_aliases["brouwerij"] == "lamot"
    assert topic.facet_keywords["عنوان"] == "address"


def test_missing_language_variant_names_file_and_entry(tmp_path):
    topic = venue_topic()
    del topic["answers"][1]["text"]["nl"]
    assert "venue.yml: answers[1] (id venue.address): the 'nl' text is missing or empty" in problems_for(tmp_path, topic)


def test_empty_text_is_an_error(tmp_path):
    topic = venue_topic()
    topic["answers"][0]["text"]["ar"] = "   "
    assert "(id venue.overview): the 'ar' text is missing or empty" in problems_for(tmp_path, topic)


def test_missing_source_names_file_and_entry(tmp_path):
    topic = venue_topic()
    del topic["answers"][2]["sources"]
    assert "venue.yml: answers[2] (id venue.lamot): no source" in problems_for(tmp_path, topic)


def test_unconfirmed_answers_need_no_source(content_dir):
    kb = load_content(content_dir)
    assert kb.topics_by_intent["ask_venue"].answers[("lamot", "address")].unconfirmed


def test_source_must_be_a_url(tmp_path):
    topic = venue_topic()
    topic["answers"][0]["sources"] = ["conference_facts.md"]
    assert "sources must be http(s) URLs" in problems_for(tmp_path, topic)


def test_over_long_text_is_an_error(tmp_path):
    topic = venue_topic()
    topic["answers"][0]["text"]["fr"] = "x" * 601
    assert "the 'fr' text has 601 characters" in problems_for(tmp_path, topic)


def test_undeclared_facet_and_subject(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["facet"] = "parking"
    topic["answers"][2]["subject"] = "novotel"
    found = problems_for(tmp_path, topic)
    assert "facet 'parking' is not declared" in found
    assert "subject 'novotel' is not declared" in found


def test_overview_is_required(tmp_path):
    topic = venue_topic()
    del topic["answers"][0]
    assert "needs an overview answer" in problems_for(tmp_path, topic)


def test_keyword_under_two_facets(tmp_path):
    topic = venue_topic()
    topic["facets"]["street"] = {"keywords": ["Adresse"]}
    assert "'Adresse' is also listed under 'address'" in problems_for(tmp_path, topic)


def test_duplicate_ids_across_files(tmp_path):
    other = venue_topic()
    other["intent"] = "ask_travel"
    write_yaml(tmp_path / "travel.yml", other)
    found = problems_for(tmp_path, venue_topic())
    assert "answer id 'venue.overview' is also used in" in found


def test_invalid_yaml_names_the_file(tmp_path):
    (tmp_path / "venue.yml").write_text("topic: [unclosed\n", encoding="utf-8")
    write_yaml(tmp_path / "ui.yml", ui_strings())
    with pytest.raises(ContentError, match="venue.yml: not valid YAML"):
        load_content(tmp_path)


def test_non_utf8_file_names_the_file(tmp_path):
    (tmp_path / "venue.yml").write_bytes("topic: caf\xe9\n".encode("latin-1"))
    write_yaml(tmp_path / "ui.yml", ui_strings())
    with pytest.raises(ContentError, match="venue.yml: not UTF-8"):
        load_content(tmp_path)


def test_missing_interface_string(tmp_path):
    write_yaml(tmp_path / "venue.yml", venue_topic())
    write_yaml(tmp_path / "ui.yml", {"strings": {"source_label": six("Source")}})
    with pytest.raises(ContentError, match="string 'unknown_topic' is missing"):
        load_content(tmp_path)


def test_the_shipped_content_is_valid():
    kb = load_content(CONTENT_DIR)
    intents = set(kb.topics_by_intent)
    assert {"ask_venue", "ask_travel", "ask_dates", "ask_programme", "ask_organisers", "ask_speakers",
            "ask_declaration", "ask_context", "ask_mechelen", "ask_participants", "ask_aim"} <= intents
