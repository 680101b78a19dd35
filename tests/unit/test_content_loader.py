"""Every rule of docs/content.md, broken once; each error must name the file and the entry."""

import pytest

from bot.conversation.content import ContentError, load_content
from bot.conversation.content.loader import CONTENT_DIR, SOURCES_FILE, sources_file_for
from tests.conftest import six, sources_registry, ui_strings, venue_topic, write_content, write_yaml


def problems_for(tmp_path, topic=None, sources=None):
    directory = write_content(tmp_path, topic, sources)
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    return "\n".join(caught.value.problems)


def test_valid_content_loads(content_dir):
    kb = load_content(content_dir)
    topic = kb.topics_by_intent["ask_venue"]
    assert kb.answer_count() == 4
    assert topic.subject_aliases["brouwerij"] == "lamot"
    assert topic.facet_keywords["عنوان"] == "address"
    assert kb.displayed_source(topic.answers[(None, "address")]).url == "https://example.org/b"
    assert topic.answers[(None, None)].sources[0].supports == "page a says so"


def test_a_subject_is_named_in_replies_by_its_name_else_by_its_first_alias(tmp_path):
    topic = venue_topic()
    topic["subjects"]["lamot"]["aliases"].append("لاموت")
    names = load_content(write_content(tmp_path, topic)).topics_by_intent["ask_venue"].subject_names["lamot"]
    assert names["fr"] == "Lamot" and names["ar"] == "لاموت"  # an Arabic reply: the alias in Arabic script
    topic["subjects"]["lamot"]["name"] = six("the Lamot centre")
    names = load_content(write_content(tmp_path, topic)).topics_by_intent["ask_venue"].subject_names["lamot"]
    assert names["es"] == "[es] the Lamot centre"


def test_a_subjects_name_needs_every_language(tmp_path):
    topic = venue_topic()
    topic["subjects"]["lamot"]["name"] = {"en": "Lamot"}
    assert "venue.yml: subjects.lamot: the 'fr' name text is missing or empty" in problems_for(tmp_path, topic)


def test_the_registry_beside_the_folder_is_used_else_the_projects(tmp_path):
    assert sources_file_for(write_content(tmp_path)) == tmp_path / "sources.yml"
    assert sources_file_for(tmp_path / "elsewhere" / "content") == SOURCES_FILE


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


def test_a_bare_url_is_no_longer_a_source(tmp_path):
    topic = venue_topic()
    topic["answers"][0]["sources"] = ["https://example.org/a"]
    found = problems_for(tmp_path, topic)
    assert "venue.yml: answers[0] (id venue.overview): sources[0]: write {source: <id of sources.yml>" in found


def test_unknown_source_id_names_file_and_entry(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["sources"] = [{"source": "nowhere", "supports": "?"}]
    found = problems_for(tmp_path, topic)
    assert "venue.yml: answers[1] (id venue.address): sources[0]: unknown source id 'nowhere' (not in sources.yml)" in found


def test_the_displayed_source_needs_a_supports_note(tmp_path):
    topic = venue_topic()
    topic["answers"][2]["sources"] = [{"source": "c"}, {"source": "a", "supports": "also"}]
    found = problems_for(tmp_path, topic)
    assert ("venue.yml: answers[2] (id venue.lamot): sources[0]: the displayed source 'c' needs a 'supports' note"
            in found)


def test_only_the_displayed_source_must_have_a_note(content_dir):
    topic = venue_topic()
    topic["answers"][2]["sources"] = [{"source": "c", "supports": "describes Lamot"}, {"source": "a"}]
    write_yaml(content_dir / "venue.yml", topic)
    assert load_content(content_dir).answer_count() == 4


def test_the_displayed_source_must_be_the_most_authoritative(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["sources"] = [{"source": "b", "supports": "press"}, {"source": "a", "supports": "official"}]
    found = problems_for(tmp_path, topic)
    assert ("venue.yml: answers[1] (id venue.address): the displayed source 'b' is press, but 'a' is official: "
            "put the most authoritative source first") in found


def test_a_mirror_is_not_displayed_when_a_press_page_exists(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["sources"] = [{"source": "copy", "supports": "copy"}, {"source": "b", "supports": "press"}]
    topic["answers"][1]["attributed"] = True
    topic["answers"][1]["text"] = {code: f"[{code}] according to CopySite" for code in six("x")}
    assert "the displayed source 'copy' is mirror, but 'b' is press" in problems_for(tmp_path, topic)


def test_an_answer_shown_with_a_weak_source_must_be_attributed(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["sources"] = [{"source": "copy", "supports": "the copy says so"}]
    found = problems_for(tmp_path, topic)
    assert ("venue.yml: answers[1] (id venue.address): the displayed source 'copy' is a mirror page and the answer "
            "has no official or press source: mark it 'attributed: true'") in found


def test_an_attributed_answer_names_the_publisher_in_every_language(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["sources"] = [{"source": "copy", "supports": "the copy says so"}]
    topic["answers"][1]["attributed"] = True
    topic["answers"][1]["text"] = {code: f"[{code}] according to CopySite, the address" for code in six("x")}
    topic["answers"][1]["text"]["de"] = "[de] laut einer Kopie"
    found = problems_for(tmp_path, topic)
    assert "venue.yml: answers[1] (id venue.address): attributed, but the 'de' text does not name 'CopySite'" in found
    assert "'fr' text does not name" not in found


def test_an_attributed_answer_with_a_weak_source_loads(content_dir):
    topic = venue_topic()
    topic["answers"][1]["sources"] = [{"source": "copy", "supports": "the copy says so"}]
    topic["answers"][1]["attributed"] = True
    topic["answers"][1]["text"] = {code: f"[{code}] according to CopySite, the address" for code in six("x")}
    write_yaml(content_dir / "venue.yml", topic)
    assert load_content(content_dir).topics_by_intent["ask_venue"].answers[(None, "address")].attributed


def test_a_practical_answer_needs_after_event_texts(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["practical"] = True
    found = problems_for(tmp_path, topic)
    assert "venue.yml: answers[1] (id venue.address): a practical answer needs 'after_event' texts" in found


def test_after_event_texts_need_all_six_languages(tmp_path):
    topic = venue_topic()
    topic["answers"][1]["after_event"] = six("over")
    del topic["answers"][1]["after_event"]["es"]
    found = problems_for(tmp_path, topic)
    assert "venue.yml: answers[1] (id venue.address): the 'es' after_event text is missing or empty" in found


def test_a_practical_answer_with_after_event_texts_loads(content_dir):
    topic = venue_topic()
    topic["answers"][1].update(practical=True, after_event=six("over"))
    write_yaml(content_dir / "venue.yml", topic)
    answer = load_content(content_dir).topics_by_intent["ask_venue"].answers[(None, "address")]
    assert answer.practical and answer.text_for(True)["nl"] == "[nl] over" and answer.text_for(False)["nl"] == "[nl] address"


def test_unknown_keys_are_named(tmp_path):
    topic = venue_topic()
    topic["answers"][0]["after-event"] = six("over")
    assert "(id venue.overview): unknown key 'after-event'" in problems_for(tmp_path, topic)


@pytest.mark.parametrize("change, message", [
    (lambda s: s["sources"]["a"].update(tag="blog"), "sources.yml: sources.a: 'tag' must be one of official, press"),
    (lambda s: s["sources"]["b"].pop("publisher"), "sources.yml: sources.b: 'publisher' is missing"),
    (lambda s: s["sources"]["c"].update(url="example.org/c"), "sources.yml: sources.c: 'url' must be an http(s) address"),
    (lambda s: s["sources"]["report"].update(title={"en": "only English"}), "sources.yml: sources.report: the 'fr' title text"),
])
def test_registry_errors_name_the_entry(tmp_path, change, message):
    sources = sources_registry()
    change(sources)
    assert message in problems_for(tmp_path, sources=sources)


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


def test_covers_must_name_declared_facets_on_an_answer_without_its_own(tmp_path):
    topic = venue_topic()
    topic["answers"][2]["covers"] = ["parking"]
    topic["answers"][3]["covers"] = ["address"]
    found = problems_for(tmp_path, topic)
    assert "venue.yml: answers[2] (id venue.lamot): 'covers' must list facets declared under 'facets'" in found
    assert "venue.yml: answers[3] (id venue.lamot.address): 'covers' is for an answer without a facet" in found


def test_an_answer_covering_a_facet_another_answers_is_a_conflict(tmp_path):
    topic = venue_topic()
    topic["answers"][2]["covers"] = ["address"]  # venue.lamot.address answers (lamot, address) already
    found = problems_for(tmp_path, topic)
    assert "answers 'venue.lamot' and 'venue.lamot.address' both answer subject=lamot facet=address" in found


def test_a_covering_answer_is_found_under_the_facet_and_counted_once(tmp_path):
    topic = venue_topic()
    del topic["answers"][3]
    topic["answers"][2]["covers"] = ["address"]
    kb = load_content(write_content(tmp_path, topic))
    venue = kb.topics_by_intent["ask_venue"]
    assert venue.answers[("lamot", "address")].id == "venue.lamot" and kb.answer_count() == 3


def test_a_topic_name_needs_six_languages_and_word_lists_are_lists(tmp_path):
    topic = venue_topic()
    topic["name"] = {"en": "Lamot"}
    topic["anchors"] = "venue"
    topic["of_last_answer"] = [{"en": "how long"}]
    found = problems_for(tmp_path, topic)
    assert "venue.yml: the 'fr' name text is missing or empty" in found
    assert "venue.yml: 'anchors' must be a list of words" in found
    assert "venue.yml: 'of_last_answer' must be a list of words" in found


def test_overview_is_required(tmp_path):
    topic = venue_topic()
    del topic["answers"][0]
    assert "needs an overview answer" in problems_for(tmp_path, topic)


def test_keyword_under_two_facets(tmp_path):
    topic = venue_topic()
    topic["facets"]["street"] = {"keywords": ["Adresse"]}
    assert "'Adresse' is also listed under 'address'" in problems_for(tmp_path, topic)


def test_duplicate_ids_across_files(tmp_path):
    directory = write_content(tmp_path)
    other = venue_topic()
    other["intent"] = "ask_travel"
    write_yaml(directory / "travel.yml", other)
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    assert "answer id 'venue.overview' is also used in" in "\n".join(caught.value.problems)


def test_invalid_yaml_names_the_file(content_dir):
    (content_dir / "venue.yml").write_text("topic: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="venue.yml: not valid YAML"):
        load_content(content_dir)


def test_non_utf8_file_names_the_file(content_dir):
    (content_dir / "venue.yml").write_bytes("topic: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ContentError, match="venue.yml: not UTF-8"):
        load_content(content_dir)


def test_missing_interface_string(content_dir):
    write_yaml(content_dir / "ui.yml", {"strings": {"source_label": six("Source")}})
    with pytest.raises(ContentError, match="string 'unknown_topic' is missing"):
        load_content(content_dir)


def test_the_shipped_content_is_valid():
    kb = load_content(CONTENT_DIR)
    intents = set(kb.topics_by_intent)
    assert {"ask_venue", "ask_travel", "ask_dates", "ask_programme", "ask_organisers", "ask_speakers",
            "ask_declaration", "ask_context", "ask_mechelen", "ask_participants", "ask_aim"} <= intents


def test_ui_strings_fixture_is_complete():
    assert set(ui_strings()["strings"]) == {"source_label", "unknown_topic", "unknown_facet", "content_unavailable"}


def test_also_must_name_a_topic_that_is_one_thing(tmp_path):
    topic = venue_topic()
    topic["subjects"]["lamot"]["also"] = "programme"
    assert "venue.yml: subjects.lamot.also: 'programme' is not a topic that is one thing" in problems_for(tmp_path, topic)
