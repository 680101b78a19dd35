"""Follow-up questions (bot/conversation/followup.py) on the project's content."""

from __future__ import annotations

import pytest

from bot.conversation.content.loader import CONTENT_DIR, load_content
from bot.conversation.agenda.loader import load_programme
from bot.conversation.agenda.timeparse import extract
from bot.conversation.content.select import topic_for
from bot.conversation.followup import (
    Remembered,
    follow_up,
    message_language,
    cues,
    refers_back,
    remembered_person,
    render_follow_up,
    session_follow_up,
    session_named_first,
)
from bot.conversation.languages import load_catalogue

KB = load_content(CONTENT_DIR)
CATALOGUE = load_catalogue()
CUES = {code: cues(CATALOGUE, code) for code in CATALOGUE.languages}
UN_HABITAT = Remembered("organisers", "un_habitat")


def test_the_remembered_subject_round_trips_through_the_slot():
    assert Remembered.parse(UN_HABITAT.key) == UN_HABITAT
    assert Remembered.parse("declaration:") == Remembered("declaration", None)
    assert Remembered.parse(None) is None and Remembered.parse("nonsense") is None
    station = Remembered("travel", None, "station")
    assert station.key == "travel::station" and Remembered.parse(station.key) == station


def test_only_a_general_topic_remembers_the_facet_it_answered():
    travel, declaration = KB.topics_by_intent["ask_travel"], KB.topics_by_intent["ask_declaration"]
    assert Remembered.of(travel, None, "station") == Remembered("travel", None, "station")
    assert Remembered.of(declaration, None, "read") == Remembered("declaration", None)  # one thing: itself
    assert Remembered.of(KB.topics_by_intent["ask_organisers"], "iom", "head") == Remembered("organisers", "iom")


@pytest.mark.parametrize("language, text", [("en", "where is it based?"), ("fr", "où est son siège ?"),
                                            ("nl", "waar is het gevestigd?"), ("de", "wo ist ihr Sitz?"),
                                            ("es", "¿dónde está su sede?"), ("ar", "أين يقع مقرها؟")])
def test_pronouns_point_back_in_each_language(language, text):
    assert refers_back(text, CUES[language].pointing)


def test_a_pointing_question_is_answered_about_the_remembered_subject_even_under_another_intent():
    result = follow_up(KB, "ask_venue", "where is it based?", UN_HABITAT, CUES["en"])
    assert result is not None and (result.subject, result.facet) == ("un_habitat", "headquarters")
    assert result.answer is KB.topics_by_intent["ask_organisers"].answers[("un_habitat", "headquarters")]


def test_a_question_that_names_a_subject_starts_afresh():
    assert follow_up(KB, "ask_organisers", "where is IOM based?", UN_HABITAT, CUES["en"]) is None


def test_a_question_about_another_topic_without_pointing_back_is_not_a_follow_up():
    assert follow_up(KB, "ask_venue", "what is the address of the venue?", UN_HABITAT, CUES["en"]) is None


def test_a_facet_the_subject_lacks_gets_an_honest_answer_about_that_subject():
    topic = KB.topics_by_intent["ask_organisers"]
    missing = next((s, f) for s in set(topic.subject_aliases.values()) for f in set(topic.facet_keywords.values())
                   if (s, f) not in topic.answers)
    keyword = next(k for k, f in topic.facet_keywords.items() if f == missing[1])
    result = follow_up(KB, "ask_organisers", f"and its {keyword}?", Remembered("organisers", missing[0]),
                       CUES["en"])
    assert result is not None and result.answer is None and result.subject == missing[0]
    reply = render_follow_up(KB, result, "de", after_event=True)
    assert reply == KB.strings["unknown_facet"]["de"].format(subject=topic.subject_names[missing[0]]["de"])


def test_the_subject_is_named_as_the_content_writes_it():
    result = follow_up(KB, "out_of_scope", "how big is their budget?", UN_HABITAT, CUES["en"])
    assert render_follow_up(KB, result, "en", after_event=True).startswith("About UN-Habitat,")


MINISTRY = Remembered("organisers", "belgian_ministry")


def test_a_facet_word_that_also_names_someone_asks_for_the_facet():
    result = follow_up(KB, "ask_organisers", "Who was the minister?", MINISTRY, CUES["en"])
    assert result is not None and (result.subject, result.facet) == ("belgian_ministry", "head")


def test_a_facet_is_enough_when_the_classifier_understood_no_topic():
    result = follow_up(KB, "nlu_fallback", "and the headquarters?", UN_HABITAT, CUES["en"])
    assert result is not None and (result.subject, result.facet) == ("un_habitat", "headquarters")


def test_a_pointing_question_the_classifier_did_not_understand_gets_the_subjects_own_answer():
    result = follow_up(KB, "nlu_fallback", "tell me more about them", UN_HABITAT, CUES["en"])
    assert result is not None and result.answer is KB.topics_by_intent["ask_organisers"].answers[("un_habitat", None)]


@pytest.mark.parametrize("intent", ["out_of_scope", "ask_participants"])
def test_a_pointing_question_asking_for_something_else_never_gets_another_subjects_answer(intent):
    result = follow_up(KB, intent, "how big is their budget?", UN_HABITAT, CUES["en"])
    assert result is not None and result.answer is None and result.subject == "un_habitat"


def test_a_general_question_of_the_same_topic_is_not_taken_for_a_follow_up():
    assert follow_up(KB, "ask_organisers", "who organised the conference?", UN_HABITAT, CUES["en"]) is None


@pytest.mark.parametrize("language, intent, text", [
    ("es", "ask_dates", "¿desde cuándo existe?"), ("de", "ask_venue", "und wo sitzt das?"),
    ("en", "ask_dates", "since when?"), ("fr", "ask_dates", "depuis quand ?"),
    ("nl", "ask_dates", "sinds wanneer?"), ("ar", "ask_dates", "منذ متى؟"),
])
def test_a_facet_without_a_subject_pronoun_is_a_follow_up_whatever_topic_the_classifier_guessed(language, intent, text):
    result = follow_up(KB, intent, text, UN_HABITAT, CUES[language])
    assert result is not None and result.subject == "un_habitat" and result.facet in ("founded", "headquarters")


def test_a_question_naming_nothing_read_as_another_topic_gets_the_honest_answer_about_the_subject():
    result = follow_up(KB, "ask_dates", "¿cuántos miembros tiene?", Remembered("organisers", "uclg"), CUES["es"])
    assert result is not None and result.subject == "uclg" and result.answer is None


@pytest.mark.parametrize("language, intent, text", [
    ("en", "ask_dates", "when is the conference?"), ("fr", "ask_venue", "où est le lieu ?"),
    ("nl", "ask_programme", "wat staat er op het programma?"), ("es", "ask_speakers", "¿quiénes fueron los ponentes?"),
    ("de", "ask_travel", "wie komme ich mit dem Zug dahin?"), ("ar", "ask_dates", "متى المؤتمر؟"),
])
def test_a_question_that_names_the_classifiers_topic_is_that_topics_question(language, intent, text):
    assert follow_up(KB, intent, text, UN_HABITAT, CUES[language]) is None


def test_an_overview_that_covers_a_facet_answers_it():
    result = follow_up(KB, "ask_dates", "Wann wurde er angenommen?", Remembered("context", "gcm"), CUES["de"])
    assert result is not None and result.answer is KB.topics_by_intent["ask_context"].answers[("gcm", None)]


@pytest.mark.parametrize("language, text", [("en", "which city was he mayor of?"), ("fr", "Il a été maire de quelle ville ?"),
                                            ("es", "¿De qué ciudad fue alcalde?")])
def test_a_role_word_with_a_pronoun_or_facet_describes_the_remembered_person(language, text):
    result = follow_up(KB, "ask_participants", text, Remembered("speakers", "tau"), CUES[language])
    assert result is not None and result.answer is KB.topics_by_intent["ask_speakers"].answers[("tau", None)]


def test_a_role_word_alone_still_names_someone_new():
    assert follow_up(KB, "ask_speakers", "who was the mayor?", Remembered("speakers", "tau"), CUES["en"]) is None


def test_a_topic_that_is_one_thing_is_held_to_like_a_subject_and_named_in_the_reply():
    result = follow_up(KB, "ask_speakers", "who wrote it?", Remembered("declaration", None), CUES["en"])
    assert result is not None and result.answer is None
    assert render_follow_up(KB, result, "fr", after_event=True).startswith("Concernant la Déclaration de Malines,")


def test_after_a_general_topic_the_classifiers_topic_stands():
    assert follow_up(KB, "ask_organisers", "who organised it?", Remembered("dates", None), CUES["en"]) is None
    assert follow_up(KB, "ask_organisers", "who organised it?", Remembered("dates", None, "registration"), CUES["en"]) is None


@pytest.mark.parametrize("language,text", [
    ("nl", "Kun je er parkeren?"), ("es", "¿tiene aparcamiento?"), ("ar", "هل فيه موقف سيارات؟"),
])
def test_parking_at_the_venue_is_the_travels_answer(language, text):
    # the travel's parking answer is about the Lamot site; the venue has no facet for it
    assert follow_up(KB, "ask_travel", text, Remembered("venue", None), CUES[language]) is None


def test_a_general_topics_answer_not_about_the_thing_does_not_answer_for_it():
    # "how much is the rent?" after the venue: not the conference's registration fee
    result = follow_up(KB, "ask_dates", "ça coûte combien de le louer ?", Remembered("venue", None), CUES["fr"])
    assert result is not None and result.topic.name == "venue" and result.answer is None


def test_the_city_named_as_an_organiser_in_a_question_read_as_the_city_is_the_city():
    assert topic_for(KB, "ask_mechelen", "Malines, la ville hôte") is KB.topics_by_intent["ask_mechelen"]
    assert topic_for(KB, "ask_mechelen", "City of Mechelen headquarters?") is KB.topics_by_intent["ask_organisers"]


PROGRAMME = load_programme()


@pytest.mark.parametrize("text", [
    "closing session + adoption of the declaration", "de slotsessie met de goedkeuring van de verklaring",
    "جلسة الختام واعتماد الإعلان",
])
@pytest.mark.parametrize("intent", ["ask_declaration", "nlu_fallback"])  # also when not understood
def test_a_session_named_before_the_declaration_is_the_subject(text, intent):
    assert session_named_first(KB, PROGRAMME, intent, text) == "closing"


@pytest.mark.parametrize("text", [
    "what are the key elements of the declaration", "Mechelen Declaration adoption", "the closing session",
])
def test_the_declaration_named_first_or_alone_is_not_a_session(text):
    assert session_named_first(KB, PROGRAMME, "ask_declaration", text) is None


def test_a_name_of_the_topics_subject_that_a_session_also_has_stays_the_subject():
    # UCLG-CISDP, an organiser, coordinated the human rights session ("UCLG-CISDP" names both)
    assert session_named_first(KB, PROGRAMME, "ask_organisers", "UCLG-CISDP") is None
OPENING = Remembered("session", "opening")


@pytest.mark.parametrize("language, intent, text", [("en", "ask_dates", "What time did it start?"),
                                                    ("nl", "ask_speakers", "Wie sprak er?"),
                                                    ("fr", "nlu_fallback", "Dans quelle salle ?"),
                                                    ("en", "ask_speakers", "who moderated?")])  # a role, no one named
def test_a_question_about_the_remembered_session_is_answered_by_its_card(language, intent, text):
    assert session_follow_up(KB, PROGRAMME, intent, text, OPENING, CUES[language]) == "opening"


@pytest.mark.parametrize("intent, text", [("ask_programme", "what's on Friday afternoon?"),
                                          ("ask_venue", "where is the venue?"),
                                          ("ask_organisers", "what does IOM do?"),
                                          ("ask_speakers", "what did Boussraoui moderate?")])
def test_a_question_naming_a_time_a_topic_or_a_subject_leaves_the_session(intent, text):
    entities = [{"entity": m.entity, "value": m.value} for m in extract(text, "en")]
    assert session_follow_up(KB, PROGRAMME, intent, text, OPENING, CUES["en"], entities) is None


def test_a_subject_of_another_topic_named_outright_chooses_that_topic():
    question = "I'd like to know more about the International Organization for Migration"
    assert topic_for(KB, "ask_context", question) is KB.topics_by_intent["ask_organisers"]
    assert topic_for(KB, "ask_speakers", "what did IOM's director say?") is KB.topics_by_intent["ask_speakers"]


def test_a_fallback_naming_a_thing_or_subject_finds_its_topic():
    assert topic_for(KB, "nlu_fallback", "Lamot?") is KB.topics_by_intent["ask_venue"]
    assert topic_for(KB, "nlu_fallback", "info sobre CGLU porfa") is KB.topics_by_intent["ask_organisers"]
    assert topic_for(KB, "nlu_fallback", "what's the weather?") is None


def test_a_follow_up_in_the_messages_own_language_points_back_with_its_words():
    words = cues(CATALOGUE, "en", message_language({"language": {"code": "de", "reliable": True}}))
    result = follow_up(KB, "out_of_scope", "wie alt ist er?", Remembered("speakers", "clos"), words)
    assert result is not None and result.subject == "clos" and result.answer is None
    assert not refers_back("wie alt ist er?", cues(CATALOGUE, "en", None).pointing)


@pytest.mark.parametrize("language, intent, text", [
    ("en", "ask_organisers", "how many staff do they employ?"), ("fr", "ask_speakers", "il est de quel parti ?"),
    ("es", "ask_organisers", "cual es su presupuesto"), ("nl", "nlu_fallback", "hoeveel mensen werken er?"),
    ("de", "ask_organisers", "wie viele Mitarbeiter haben sie?"), ("ar", "ask_organisers", "كم عدد موظفيها؟"),
])
def test_a_pointing_question_for_a_detail_the_subject_lacks_is_not_answered_by_its_overview(language, intent, text):
    remembered = Remembered("speakers", "somers") if intent == "ask_speakers" else UN_HABITAT
    result = follow_up(KB, intent, text, remembered, CUES[language])
    assert result is not None and result.subject == remembered.subject and result.answer is None


@pytest.mark.parametrize("language, text", [("de", "wie hoch ist das jährliche Budget?"), ("es", "¿cuántos empleados tiene?"),
                                            ("fr", "combien de salariés ?")])
def test_an_out_of_scope_question_for_a_detail_is_about_the_remembered_subject(language, text):
    result = follow_up(KB, "out_of_scope", text, UN_HABITAT, CUES[language])
    assert result is not None and result.subject == "un_habitat" and result.answer is None


def test_an_out_of_scope_question_without_a_detail_or_pointing_word_stays_out_of_scope():
    assert follow_up(KB, "out_of_scope", "tell me a joke", UN_HABITAT, CUES["en"]) is None


@pytest.mark.parametrize("language, text, facet", [("en", "Why did they pick it?", "why_chosen"),
                                                   ("ar", "كم عدد سكانها؟", "population"),
                                                   ("nl", "Hoeveel inwoners heeft het?", "population")])
def test_a_subject_that_is_also_a_topics_one_thing_is_followed_up_with_that_topics_facets(language, text, facet):
    result = follow_up(KB, "ask_organisers", text, Remembered("organisers", "city_of_mechelen"), CUES[language])
    assert result is not None and (result.topic.name, result.facet) == ("mechelen", facet)
    assert result.answer is KB.topics_by_intent["ask_mechelen"].answers[(None, facet)]


def test_the_subjects_own_facet_comes_before_the_other_topics():
    result = follow_up(KB, "ask_organisers", "who heads it?", Remembered("organisers", "city_of_mechelen"), CUES["en"])
    assert result is not None and (result.topic.name, result.facet) == ("organisers", "head")


@pytest.mark.parametrize("language, intent, text, remembered, answer", [
    ("en", "ask_organisers", "Did UN-Habitat sign it?", Remembered("declaration", None), "declaration.signatories"),
    ("en", "ask_context", "What is its link to the Global Compact?", Remembered("declaration", None), "declaration.links"),
    ("de", "ask_travel", "Gibt's dort auch ein Hotel?", Remembered("venue", None), "venue.facilities"),
])
def test_pointing_back_for_a_facet_the_subject_answers_holds_it_though_another_is_named(
    language, intent, text, remembered, answer
):
    result = follow_up(KB, intent, text, remembered, CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == answer


def test_naming_another_subject_without_pointing_back_starts_afresh():
    assert follow_up(KB, "ask_organisers", "Did UN-Habitat sign the Declaration?", Remembered("declaration", None),
                     CUES["en"]) is None


@pytest.mark.parametrize("language, intent, text, remembered, answer", [
    ("fr", "ask_participants", "combien de délégations ?", Remembered("context", "puerto_vallarta"), "context.puerto_vallarta"),
    ("nl", "nlu_fallback", "hoeveel doelstellingen?", Remembered("context", "gcm"), "context.gcm"),
    ("es", "ask_speakers", "¿Quién la inauguró?", Remembered("context", "puerto_vallarta"), "context.puerto_vallarta"),
])
def test_a_detail_no_facet_names_is_answered_by_the_subjects_answer_that_mentions_it(
    language, intent, text, remembered, answer
):
    result = follow_up(KB, intent, text, remembered, CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == answer


def test_words_naming_the_subject_itself_are_not_what_is_asked():
    result = follow_up(KB, "ask_dates", "Seit wann gibt es diesen Ausschuss?", Remembered("organisers", "uclg_cisdp"),
                       CUES["de"])
    assert result is not None and result.subject == "uclg_cisdp" and result.answer is None


def test_a_facet_declared_without_an_answer_stays_unanswered_though_another_answer_mentions_its_word():
    result = follow_up(KB, "ask_declaration", "Hoeveel pagina's telt ze?", Remembered("declaration", None), CUES["nl"])
    assert result is not None and result.facet == "length" and result.answer is None


@pytest.mark.parametrize("language, text, subject, covered", [
    ("de", "Was war er vorher?", "clos", True), ("nl", "wat was ze voordien?", "sharif", True),
    ("en", "what was he before?", "somers", False),
])
def test_a_former_office_is_answered_by_the_overviews_that_give_one(language, text, subject, covered):
    result = follow_up(KB, "ask_speakers", text, Remembered("speakers", subject), CUES[language])
    assert result is not None and result.facet == "before"
    assert (result.answer is not None and result.answer.id == f"speakers.{subject}") if covered else result.answer is None


def test_a_facet_declared_without_any_answer_is_not_replaced_by_another_facet_named_beside_it():
    # "Text" names the facet "read" (answered); "geschrieben" the author, which no source gives.
    result = follow_up(KB, "ask_declaration", "Wer hat den Text eigentlich geschrieben?", Remembered("declaration", None),
                       CUES["de"])
    assert result is not None and result.facet == "author" and result.answer is None


@pytest.mark.parametrize("language, intent, text, facet", [
    ("en", "ask_dates", "when did it open?", "station"), ("ar", "ask_dates", "متى افتُتحت؟", "station"),
    ("en", "out_of_scope", "how many spaces?", "parking"),
])
def test_a_general_topics_last_answer_answers_what_it_mentions(language, intent, text, facet):
    result = follow_up(KB, intent, text, Remembered("travel", None, facet), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == f"travel.{facet}"


@pytest.mark.parametrize("language, intent, text, facet", [
    ("en", "ask_travel", "how many minutes is that by train", "airport"),
    ("de", "ask_travel", "wie lange braucht der Zug von dort?", "airport"),
    ("es", "ask_travel", "¿y cuánto se tarda en tren más o menos?", "brussels"),
])
def test_a_detail_asked_of_a_general_topics_last_answer_is_answered_by_it(language, intent, text, facet):
    result = follow_up(KB, intent, text, Remembered("travel", None, facet), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == f"travel.{facet}"


def test_a_detail_the_classifier_could_not_place_is_not_answered_by_a_last_answer_silent_on_it():
    result = follow_up(KB, "nlu_fallback", "How far is it, in km?", Remembered("participants", None, "cities"), CUES["en"])
    assert result is None or result.answer is None


def test_another_facet_of_the_general_topic_named_is_that_facets_answer():
    result = follow_up(KB, "ask_travel", "and how much is parking?", Remembered("travel", None, "airport"), CUES["en"])
    assert result is None or result.answer is None or result.answer.id != "travel.airport"


@pytest.mark.parametrize("intent, text", [
    ("ask_dates", "when does the conference start?"),  # names the dates' own topic
    ("ask_dates", "what are the dates?"),  # the last answer does not mention it
    ("ask_travel", "how do I get there?"),  # the classifier's own topic
])
def test_a_general_topics_last_answer_leaves_other_questions_to_the_classifier(intent, text):
    assert follow_up(KB, intent, text, Remembered("travel", None, "station"), CUES["en"]) is None


def test_a_practical_question_after_a_subject_gets_the_faq_answer():
    venue = Remembered("venue", None)
    assert follow_up(KB, "faq_wifi", "¿hay wifi allí? ¿cuál es la clave?", venue, CUES["es"]) is None
    # … unless it asks a facet of the remembered subject
    result = follow_up(KB, "faq_accessibility", "was she actually there in person?", Remembered("speakers", "arbour"),
                       CUES["en"])
    assert result is not None and result.facet == "attended" and result.answer.id == "speakers.arbour"


@pytest.mark.parametrize("language, remembered, intent, text, answer", [
    ("en", "speakers:tau", "out_of_scope", "when did he become president?", "speakers.tau"),
    ("es", "speakers:clos", "out_of_scope", "¿quién lo reemplazó después?", "speakers.clos"),
    ("de", "speakers:arbour", "ask_participants", "war sie selber in Mecheln dabei?", "speakers.arbour"),
    ("nl", "speakers:clos", "nlu_fallback", "wat heeft hij gezegd bij de afsluiting", "speakers.clos"),
    ("en", "speakers:boussraoui", "ask_organisers", "which organisation is he with", "speakers.boussraoui"),
    ("de", "context:co_facilitators", "ask_participants", "aus welchen Ländern kamen die beiden?",
     "context.co_facilitators"),
    ("fr", "context:marrakech", "out_of_scope", "combien de pays ont voté pour à l'AG de l'ONU ?", "context.marrakech"),
    ("en", "context:gcm", "out_of_scope", "how did the General Assembly vote on it?", "context.gcm.vote"),
    ("ar", "context:wuf9", "nlu_fallback", "وفين تدار؟", "context.wuf9"),
    ("en", "context:puerto_vallarta", "ask_speakers", "who opened it?", "context.puerto_vallarta"),
    ("nl", "speakers:sharif", "ask_speakers", "wanneer nam ze over?", "speakers.sharif"),
    ("es", "declaration:", "faq_lost_and_found", "¿A quién se la entregaron?", "declaration.submitted"),
])
def test_facets_an_overview_covers(language, remembered, intent, text, answer):
    result = follow_up(KB, intent, text, Remembered.parse(remembered), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == answer


def test_a_speakers_nationality_is_declared_without_an_answer():
    result = follow_up(KB, "ask_speakers", "il est de quelle nationalité ?", Remembered("speakers", "swing"), CUES["fr"])
    assert result is not None and result.facet == "nationality" and result.answer is None


@pytest.mark.parametrize("language, remembered, text, answer", [
    ("es", "context:wuf9", "¿cuántos asistentes tuvo?", None),  # the Forum's attendance: not given
    ("en", "context:puerto_vallarta", "how many participants were there?", "context.puerto_vallarta"),
])
def test_an_anchor_that_is_a_facet_of_the_remembered_subject_asks_that_facet(language, remembered, text, answer):
    result = follow_up(KB, "ask_participants", text, Remembered.parse(remembered), CUES[language])
    assert result is not None and result.facet == "attendance"
    assert (result.answer.id if result.answer else None) == answer


def test_an_anchor_beside_another_topics_anchor_is_that_topics_question():
    question = "how many participants did the conference have?"
    assert follow_up(KB, "ask_participants", question, Remembered("context", "wuf9"), CUES["en"]) is None


@pytest.mark.parametrize("language, intent, remembered, text, answer", [
    ("es", "show_more", "speakers:de_croo", "cuéntame más de él", "speakers.de_croo"),
    ("ar", "nlu_fallback", "organisers:cites_unies_france", "احكيلي عنها أكثر", "organisers.cites_unies_france"),
])
def test_more_about_the_remembered_subject_is_its_own_answer(language, intent, remembered, text, answer):
    assert refers_back(text, CUES[language].pointing)
    result = follow_up(KB, intent, text, Remembered.parse(remembered), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == answer


def test_a_session_title_is_named_without_its_leading_article():
    from bot.conversation.agenda.query import build_query

    assert build_query(PROGRAMME, "La session « Droits humains des migrants »", []).sessions == ("human_rights",)


def test_a_session_named_by_its_title_is_not_joined_by_another_named_by_a_common_word():
    from bot.conversation.agenda.query import build_query

    assert build_query(PROGRAMME, "Youth Migration: Why the Silence panel?", []).sessions == ("youth_panel",)
    assert build_query(PROGRAMME, "the opening and the panel", []).sessions == ("opening", "guided_discussion")


def test_an_faq_question_the_subjects_own_answer_mentions_is_about_the_subject():
    # "Haben die eine eigene Seite dazu?" read as the FAQ's website: Cités Unies France's page
    cuf = Remembered("organisers", "cites_unies_france")
    result = follow_up(KB, "faq_website", "Haben die eine eigene Seite dazu?", cuf, CUES["de"])
    assert result is not None and result.answer is KB.topics_by_intent["ask_organisers"].answers[("cites_unies_france", None)]
    # a practical question nothing of the subject mentions stays the FAQ's
    assert follow_up(KB, "faq_wifi", "is there wifi?", cuf, CUES["en"]) is None


@pytest.mark.parametrize("remembered, intent, language, text", [
    (Remembered("venue", None), "ask_venue", "de", "Was kostet es, dort einen Saal zu mieten?"),  # not the rooms
    (Remembered("venue", None), "ask_dates", "en", "How much would it cost to rent it for our own event?"),
    (Remembered("venue", None), "ask_venue", "nl", "tot hoe laat is het gebouw open vanavond?"),  # not the building
    (Remembered("mechelen", None), "ask_mechelen", "fr", "qu'est-ce qu'il y a a visiter la-bas ?"),
    (Remembered("dates", None), "out_of_scope", "de", "Gibts die nächstes Jahr wieder?"),
    (Remembered("dates", None), "ask_dates", "nl", "viel dat in de herfstvakantie?"),
    (Remembered("travel", None, "airport"), "ask_travel", "nl", "welke luchtvaartmaatschappijen vliegen er naar Zaventem?"),
    (Remembered("speakers", "de_croo"), "ask_speakers", "nl", "wat heeft hij eigenlijk gestudeerd?"),
    (Remembered("organisers", "uclg"), "faq_wifi", "de", "Wie viele Mitglieder hat das Netzwerk?"),
    (Remembered("venue", None), "faq_lost_and_found", "de", "Gibt es da eine Garderobe für meinen Koffer?"),
    (Remembered("venue", None), "ask_venue", "fr", "y a un vestiaire sur place pour les manteaux ?"),
    (Remembered("mechelen", None), "ask_mechelen", "es", "¿Qué clima suele hacer por allá en noviembre?"),
    (Remembered("mechelen", None), "out_of_scope", "en", "what's the weather usually like there in November?"),
    (Remembered("context", "habitat3"), "nlu_fallback", "fr", "et qui l'a présidée ?"),
    (Remembered("context", "marrakech"), "out_of_scope", "nl", "wie zat die voor?"),
])
def test_a_facet_the_content_has_no_answer_for_gets_the_honest_reply(remembered, intent, language, text):
    result = follow_up(KB, intent, text, remembered, CUES[language])
    assert result is not None and result.answer is None and result.facet is not None
    assert (result.topic.name, result.subject) == (remembered.topic, remembered.subject)


@pytest.mark.parametrize("remembered, language, text, answer_id", [
    (Remembered("mechelen", None), "nl", "hoeveel mensen wonen daar zo?", "mechelen.population"),
    (Remembered("travel", None, "station"), "de", "welche Linien halten da?", "travel.station"),
    (Remembered("context", "puerto_vallarta"), "fr", "qui l'a ouverte ?", "context.puerto_vallarta"),
])
def test_facet_words_of_round_12_find_the_answer(remembered, language, text, answer_id):
    result = follow_up(KB, "nlu_fallback", text, remembered, CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == answer_id


def test_a_spanish_clitic_after_who_points_back_at_the_session():
    session = Remembered("session", "human_rights")
    assert session_follow_up(KB, PROGRAMME, "out_of_scope", "¿Quién la coordinó?", session, CUES["es"]) == "human_rights"


@pytest.mark.parametrize("intent, language, text", [("ask_participants", "es", "¿Cuánto se tarda más o menos?"),
                                                    ("nlu_fallback", "nl", "hoelang doe je daarover?")])
def test_a_detail_of_the_last_travel_answer_is_that_answer_whatever_the_intent(intent, language, text):
    result = follow_up(KB, intent, text, Remembered("travel", None, "brussels"), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == "travel.brussels"


def test_a_detail_of_travel_that_names_the_classifiers_topic_is_that_topics_question():
    assert follow_up(KB, "ask_dates", "how long is the conference?", Remembered("travel", None, "brussels"), CUES["en"]) is None


@pytest.mark.parametrize("intent, language, text", [("ask_travel", "de", "Wie lang braucht der Zug ungefähr?"),
                                                    ("ask_travel", "en", "how long does the train take?"),
                                                    ("ask_dates", "fr", "c'est long ?")])
def test_a_detail_of_the_last_travel_answer_about_what_it_says_is_that_answer(intent, language, text):
    result = follow_up(KB, intent, text, Remembered("travel", None, "brussels"), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == "travel.brussels"


def test_the_trains_of_another_place_are_not_the_last_answers_detail():
    result = follow_up(KB, "ask_travel", "how long does the train from the airport take?",
                       Remembered("travel", None, "brussels"), CUES["en"])
    assert result is not None and result.answer is not None and result.answer.id == "travel.airport"


@pytest.mark.parametrize("language, text", [("en", "can I get around in a wheelchair there?"),
                                            ("es", "¿Se puede entrar sin escalones? ¿Hay ascensor?")])
def test_accessibility_after_the_venue_is_the_faqs_answer(language, text):
    assert follow_up(KB, "faq_accessibility", text, Remembered("venue", None), CUES[language]) is None


@pytest.mark.parametrize("remembered, intent, language, text", [
    (Remembered("session", "human_rights"), "faq_wifi", "es", "¿La van a transmitir en vivo por internet?"),
    (Remembered("session", "human_rights"), "nlu_fallback", "fr", "est-ce qu'elle sera filmée ou enregistrée ?"),
    (Remembered("session", "opening"), "ask_dates", "nl", "komt die ook op livestream?"),
])
def test_a_recording_of_the_remembered_session_is_asked_about_it(remembered, intent, language, text):
    assert session_follow_up(KB, PROGRAMME, intent, text, remembered, CUES[language]) == remembered.subject


def test_an_faq_question_after_a_session_that_asks_no_session_detail_stays_the_faqs():
    session = Remembered("session", "human_rights")
    assert session_follow_up(KB, PROGRAMME, "faq_wifi", "what is the wifi password?", session, CUES["en"]) is None


def test_a_person_of_the_programme_is_remembered_as_the_contents_subject():
    tau = PROGRAMME.people["parks_tau"]
    assert remembered_person(KB, tau.aliases) == Remembered("speakers", "tau")
    assert remembered_person(KB, ["Nobody Known"]) is None


def test_another_subject_the_remembered_ones_answer_names_is_part_of_a_question_pointing_back():
    # "elle dirigeait déjà ONU-Habitat ?" after Sharif: about her, not UN-Habitat's head
    result = follow_up(KB, "ask_organisers", "elle dirigeait deja ONU-Habitat en novembre 2017 ?",
                       Remembered("speakers", "sharif"), CUES["fr"])
    assert result is not None and (result.topic.name, result.subject) == ("speakers", "sharif")
    # without pointing back, the subject named is a new question
    assert follow_up(KB, "ask_organisers", "qui dirigeait ONU-Habitat ?", Remembered("speakers", "sharif"), CUES["fr"]) is None


@pytest.mark.parametrize("intent, language, text", [("out_of_scope", "fr", "faut-il un visa ?"),
                                                    ("nlu_fallback", "ar", "واش خاصني فيزا؟")])
def test_a_travel_facet_after_the_city_is_the_travels_answer(intent, language, text):
    result = follow_up(KB, intent, text, Remembered("mechelen", None), CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == "travel.visa"


def test_another_general_topics_facet_after_the_city_is_not_taken_when_the_classifier_chose_a_topic():
    # "le budget annuel de la ville ?" read as the conference's aim: not the participants' cities
    result = follow_up(KB, "ask_aim", "c'est quoi le budget annuel de la ville ?", Remembered("mechelen", None), CUES["fr"])
    assert result is not None and (result.topic.name, result.answer) == ("mechelen", None)


def test_a_detail_of_the_last_travel_answer_naming_the_place_it_goes_to_is_that_answer():
    result = follow_up(KB, "ask_mechelen", "et de là jusqu'à Malines, c'est long ?",
                       Remembered("travel", None, "airport"), CUES["fr"])
    assert result is not None and result.answer is not None and result.answer.id == "travel.airport"
    # naming the city without asking a detail of the last answer is the city's question
    assert follow_up(KB, "ask_mechelen", "et Malines, c'est quoi ?", Remembered("travel", None, "airport"), CUES["fr"]) is None


@pytest.mark.parametrize("remembered, intent, language, text, answer_id", [
    (Remembered("organisers", "uclg_cisdp"), "ask_programme", "ar", "شو عملت بالمؤتمر؟", "organisers.uclg_cisdp"),
    (Remembered("speakers", "saiz"), "nlu_fallback", "ar", "وكانت بتعمل إيه في المؤتمر؟", "speakers.saiz"),
    (Remembered("context", "mayoral_forum"), "ask_participants", "de", "und wie viele Städte haben da unterschrieben?",
     "context.mayoral_forum"),
    (Remembered("context", "mayoral_forum"), "ask_declaration", "fr", "combien de maires ont signé leur déclaration ?",
     "context.mayoral_forum"),
    (Remembered("travel", None, "station"), "nlu_fallback", "de", "seit wann gibts den eigentlich?", "travel.station"),
    (Remembered("travel", None, "station"), "faq_accessibility", "ar", "كم دقيقة مشي للمكان؟", "travel.walking"),
])
def test_facets_of_round_14_find_the_answer(remembered, intent, language, text, answer_id):
    result = follow_up(KB, intent, text, remembered, CUES[language])
    assert result is not None and result.answer is not None and result.answer.id == answer_id


@pytest.mark.parametrize("remembered, intent, language, text", [
    (Remembered("dates", None), "ask_dates", "de", "wird die auch im Livestream übertragen?"),
    (Remembered("context", "wuf9"), "nlu_fallback", "ar", "ووين راح يكون المنتدى الجاي؟"),
    (Remembered("mechelen", None), "out_of_scope", "ar", "كم كيلو المسافة؟"),  # not the participants' count
])
def test_facets_of_round_14_without_an_answer_get_the_honest_reply(remembered, intent, language, text):
    result = follow_up(KB, intent, text, remembered, CUES[language])
    assert result is not None and result.answer is None


@pytest.mark.parametrize("remembered, intent, language, text", [
    (Remembered("organisers", "uclg_cisdp"), "ask_aim", "en", "what did they run at the conference?"),
    (Remembered("speakers", "tau"), "ask_dates", "de", "Wann hat er bei der Konferenz gesprochen?"),
    (Remembered("context", "new_york_declaration"), "ask_aim", "nl", "En wat heeft die met de conferentie te maken?"),
    (Remembered("organisers", "iom"), "ask_aim", "fr", "qu'a-t-elle fait à la conférence ?"),
    (Remembered("speakers", "clos"), "ask_programme", "es", "¿qué hizo él en la conferencia?"),
    (Remembered("context", "habitat3"), "ask_aim", "ar", "ما علاقته بالمؤتمر؟"),
])
def test_pointing_back_at_the_subjects_part_in_the_conference_is_its_own_answer(remembered, intent, language, text):
    result = follow_up(KB, intent, text, remembered, CUES[language])
    topic = next(t for t in KB.topics_by_intent.values() if t.name == remembered.topic)
    assert result is not None and result.subject == remembered.subject
    assert result.answer is topic.answers[(remembered.subject, None)]


def test_the_conference_named_without_pointing_back_or_with_another_subject_is_not_the_subjects_part():
    tau = Remembered("speakers", "tau")
    assert follow_up(KB, "ask_dates", "when is the conference?", tau, CUES["en"]) is None
    assert follow_up(KB, "ask_speakers", "what did Joan Clos say at the conference?", tau, CUES["en"]) is None


@pytest.mark.parametrize("language, text", [("nl", "en is er een taxi of bus van het station tot aan de conferentie?"),
                                            ("fr", "il y a un bus depuis la gare ?"),
                                            ("en", "is there a taxi from the station?")])
def test_a_taxi_or_bus_from_the_station_is_the_taxis_answer_not_the_walk(language, text):
    result = follow_up(KB, "ask_travel", text, Remembered("travel", None, "brussels"), CUES[language])
    assert result is not None and result.facet == "taxi"


@pytest.mark.parametrize("language, text", [("en", "where do i do that?"), ("de", "Wo geht das?"),
                                            ("es", "¿dónde se hace eso?"), ("fr", "et où est-ce que je fais ça ?"),
                                            ("nl", "waar kan dat?"), ("ar", "وين اسوي هذا؟")])
def test_pointing_back_at_what_the_last_general_answer_said_asking_nothing_else_is_that_answer(language, text):
    # read as the venue's question: the bare "where"
    result = follow_up(KB, "ask_venue", text, Remembered("dates", None, "registration"), CUES[language])
    assert result is not None and result.answer is KB.topics_by_intent["ask_dates"].answers[(None, "registration")]


def test_pointing_back_while_asking_something_of_its_own_is_not_the_last_answer():
    registration = Remembered("dates", None, "registration")
    assert follow_up(KB, "ask_venue", "where is the venue?", registration, CUES["en"]) is None
    assert follow_up(KB, "faq_wifi", "is there wifi to do that?", registration, CUES["en"]) is None


@pytest.mark.parametrize("language, text", [
    ("en", "what does it have to do with the Global Compact?"),
    ("fr", "et quel lien avec le Pacte mondial ?"),
    ("nl", "wat heeft ze te maken met het Migratiepact?"),
    ("es", "¿qué tiene que ver con el Pacto Mundial?"),
    ("de", "was hat das mit dem Migrationspakt zu tun?"),
    ("ar", "ما علاقتها بالميثاق العالمي للهجرة؟"),
])
def test_how_the_remembered_subject_relates_to_another_one_named_is_its_own_answer(language, text):
    new_york = Remembered("context", "new_york_declaration")
    result = follow_up(KB, "ask_context", text, new_york, CUES[language])
    assert result is not None and result.subject == "new_york_declaration"
    assert result.answer is KB.topics_by_intent["ask_context"].answers[("new_york_declaration", None)]


def test_the_other_subject_asked_about_itself_is_not_the_remembered_ones_relation():
    iom = Remembered("organisers", "iom")
    result = follow_up(KB, "ask_organisers", "what does UN-Habitat have to do with it?", iom, CUES["en"])
    assert result is None or result.subject != "iom"


def test_a_question_word_with_a_facet_of_the_general_topic_asked_is_that_topics_question():
    # "where" of the registration, not the city's location
    assert follow_up(KB, "ask_dates", "¿dónde me registro?", Remembered("mechelen", None), CUES["es"]) is None
    # the Declaration (one thing, like the Compact) does not take "where was it adopted?" from the Compact
    result = follow_up(KB, "ask_declaration", "¿y al final dónde se adoptó?", Remembered("context", "gcm"), CUES["es"])
    assert result is not None and result.subject == "gcm"


@pytest.mark.parametrize("remembered, language, name", [
    (Remembered("organisers", "belgian_ministry"), "es", "Sobre el Ministerio belga de Asuntos Exteriores,"),
    (Remembered("organisers", "iom"), "fr", "Concernant l'OIM,"),
    (Remembered("speakers", "somers"), "ar", "بخصوص بارت سومرز،"),
])
def test_the_honest_reply_names_the_subject_in_the_conversation_language(remembered, language, name):
    result = follow_up(KB, "ask_organisers", "what was their budget?", remembered, CUES["en"])
    assert result is not None and result.answer is None
    assert render_follow_up(KB, result, language, after_event=True).startswith(name)


def test_a_facet_of_the_remembered_topic_asked_before_the_classifiers_topic_is_named_is_that_facet():
    dates = Remembered("dates", None)
    result = follow_up(KB, "ask_programme", "¿y cómo estaba organizada? sesiones, eventos paralelos...?", dates, CUES["es"])
    assert result is not None and (result.topic.name, result.facet) == ("dates", "format")
    # the classifier's topic named first, or in the same clause, is its own question
    assert follow_up(KB, "ask_programme", "what's on the programme, and what's the format?", dates, CUES["en"]) is None
    assert follow_up(KB, "ask_venue", "what is the address of the venue?", UN_HABITAT, CUES["en"]) is None
