"""Agenda answers against the FICTIONAL test programme: every question type, in every
language, with the conference clock before, during each day and after the event.

Questions go through the same normaliser the NLU component runs, then the query and
answer modules, as in the action server.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.conversation.agenda.answer import PAGE_SIZE, Reply, answer, more, remembering_named, session_payload
from bot.conversation.agenda.loader import load_programme
from bot.conversation.agenda.query import build_query
from bot.conversation.agenda.render import strings
from bot.conversation.agenda.timeparse import extract
from tests.conftest import LANGS, ROOT

PROGRAMME = load_programme(ROOT / "tests" / "fixtures" / "programme_fictional.yml")
TZ = ZoneInfo("Europe/Brussels")
BEFORE = datetime(2017, 11, 10, 12, 0, tzinfo=TZ)
DAY1_MORNING = datetime(2017, 11, 16, 10, 15, tzinfo=TZ)
DAY1_AFTERNOON = datetime(2017, 11, 16, 14, 30, tzinfo=TZ)
DAY2 = datetime(2017, 11, 17, 11, 0, tzinfo=TZ)
AFTER = datetime(2017, 12, 1, 9, 0, tzinfo=TZ)


def ask(text, language, now, intent="ask_programme", programme=PROGRAMME):
    entities = [{"entity": m.entity, "value": m.value} for m in extract(text, language)]
    return answer(programme, build_query(programme, text, entities), now, language, intent)


def title(name, language):
    return f"{name} [{language}]"


def weekday(language, iso):
    return strings()["weekdays"][language][iso - 1]


NOW = {"en": "what's on now?", "fr": "qu'est-ce qui se passe maintenant ?", "nl": "wat is er nu?",
       "es": "¿qué hay ahora?", "de": "was läuft jetzt?", "ar": "ماذا يجري الآن؟"}
NEXT = {"en": "what's next?", "fr": "c'est quoi la suite ? et ensuite ?", "nl": "wat komt hierna?",
        "es": "¿qué viene a continuación?", "de": "was kommt als Nächstes?", "ar": "ما التالي؟"}
THURSDAY_AFTERNOON = {"en": "what's on Thursday afternoon?", "fr": "qu'y a-t-il jeudi après-midi ?",
                      "nl": "wat is er donderdagmiddag?", "es": "¿qué hay el jueves por la tarde?",
                      "de": "was gibt es am Donnerstagnachmittag?", "ar": "ماذا يوجد يوم الخميس بعد الظهر؟"}
AT_THREE = {"en": "what's on at 3pm on Thursday?", "fr": "qu'y a-t-il jeudi à 15h ?", "nl": "wat is er donderdag om 15 uur?",
            "es": "¿qué hay el jueves a las 15:00?", "de": "was ist am Donnerstag um 15 Uhr?", "ar": "ماذا يوجد الخميس الساعة ٣؟"}
NOVEMBER_17 = {"en": "programme for 17 November", "fr": "programme du 17 novembre", "nl": "programma van 17 november",
               "es": "programa del 17 de noviembre", "de": "Programm am 17. November", "ar": "برنامج 17 نوفمبر"}
TOMORROW = {"en": "what's on tomorrow?", "fr": "qu'y a-t-il demain ?", "nl": "wat is er morgen?",
            "es": "¿qué hay mañana?", "de": "was gibt es morgen?", "ar": "ماذا يوجد غدا؟"}
OPENING = {"en": "When is the test opening?", "fr": "Quand a lieu l'ouverture test ?", "nl": "Wanneer is de testopening?",
           "es": "¿Cuándo es la apertura de prueba?", "de": "Wann ist die Testeröffnung?", "ar": "متى الافتتاح التجريبي؟"}
CLEO = {"en": "When does Cleo Madeup speak?", "fr": "Quand parle Cleo Madeup ?", "nl": "Wanneer spreekt Cleo Madeup?",
        "es": "¿Cuándo habla Cleo Madeup?", "de": "Wann spricht Cleo Madeup?", "ar": "متى تتحدث Cleo Madeup؟"}
HOUSING = {"en": "Is there anything on housing?", "fr": "Y a-t-il quelque chose sur le logement ?",
           "nl": "Is er iets over huisvesting?", "es": "¿Hay algo sobre vivienda?", "de": "Gibt es etwas zum Wohnen?",
           "ar": "هل هناك شيء عن السكن؟"}


@pytest.mark.parametrize("language", LANGS)
def test_now_during_the_morning_names_the_running_session_and_its_speaker(language):
    reply = ask(NOW[language], language, DAY1_MORNING)
    assert title("Housing plenary", language) in reply.text
    assert "Ben Fictional" in reply.text and "10:00–11:00" in reply.text
    assert title("Youth panel", language) not in reply.text
    assert weekday(language, 4) in reply.text.lower() or weekday(language, 4) in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_now_lists_parallel_sessions(language):
    reply = ask(NOW[language], language, DAY1_AFTERNOON)
    assert title("Housing workshop", language) in reply.text
    assert title("Youth side event", language) in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_now_on_day_two(language):
    reply = ask(NOW[language], language, DAY2)
    assert title("Compact talk", language) in reply.text and "Dan Invented" in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_now_before_the_event_says_when_it_takes_place(language):
    reply = ask(NOW[language], language, BEFORE)
    assert strings()["text"]["before_event"][language].split("{")[0] in reply.text
    assert title("Test opening", language) in reply.text
    assert "17" in reply.text and "2017" in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_now_after_the_event_says_it_took_place(language):
    reply = ask(NOW[language], language, AFTER)
    assert reply.text.startswith(strings()["text"]["after_event"][language].split("{")[0])
    assert "2017" in reply.text
    assert reply.buttons == [] and reply.pending == []


@pytest.mark.parametrize("language", LANGS)
def test_next_gives_the_sessions_that_start_next(language):
    reply = ask(NEXT[language], language, DAY1_MORNING)
    assert title("Youth panel", language) in reply.text and title("Rights panel", language) in reply.text
    assert title("Housing workshop", language) not in reply.text


def test_next_at_the_end_of_the_last_day_has_nothing_more():
    late = datetime(2017, 11, 17, 17, 0, tzinfo=TZ)
    reply = ask("what's next?", "en", late)
    assert strings()["text"]["nothing_next"]["en"] in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_part_of_a_day_lists_the_sessions_starting_in_it_with_pages(language):
    reply = ask(THURSDAY_AFTERNOON[language], language, BEFORE)
    lines = [l for l in reply.text.splitlines() if l.startswith("• ")]
    assert len(lines) == PAGE_SIZE
    assert "12:30–13:30" in lines[0] and "organisers@example.org" in lines[0]  # the unconfirmed slot
    assert title("Housing workshop", language) in reply.text
    assert title("Youth panel", language) not in reply.text  # it starts in the morning
    assert reply.pending == ["t_plenary_2"]
    assert reply.buttons[-1]["payload"] == "/show_more"
    assert strings()["text"]["more_button"][language] == reply.buttons[-1]["title"]


@pytest.mark.parametrize("language", LANGS)
def test_a_clock_time_gives_what_runs_then(language):
    reply = ask(AT_THREE[language], language, BEFORE)
    assert title("Art side event", language) in reply.text
    assert title("Housing workshop", language) not in reply.text  # it ends at 15:00
    assert "15:00" in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_a_date_lists_that_day_including_sessions_without_a_time(language):
    reply = ask(NOVEMBER_17[language], language, BEFORE)
    for name in ("Day two plenary", "Compact talk", "Test closing", "Poster walk"):
        assert title(name, language) in reply.text
    assert strings()["text"]["time_unknown"][language] in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_tomorrow_is_relative_to_the_conference_clock(language):
    during = ask(TOMORROW[language], language, DAY1_MORNING)
    assert title("Compact talk", language) in during.text
    after = ask(TOMORROW[language], language, AFTER)
    sentence = strings()["text"]["not_conference_day"][language]
    assert sentence.split("{date}")[1].split("{first}")[0].strip() in after.text  # "is not a conference day"
    assert strings()["months"][language][11] in after.text  # (Saturday) 2 December


@pytest.mark.parametrize("language", LANGS)
def test_a_named_session_gets_when_where_and_who(language):
    reply = ask(OPENING[language], language, DAY2)
    assert title("Test opening", language) in reply.text
    assert "09:00–10:00" in reply.text and "Hall A" in reply.text
    assert PROGRAMME.people["ada_test"].name_in(language) in reply.text
    assert title("Test mayor", language) in reply.text
    assert "https://example.org/test/t_opening" in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_a_person_gets_their_sessions_and_role(language):
    reply = ask(CLEO[language], language, DAY2, intent="ask_speakers")
    assert title("Test moderator", language) in reply.text
    assert title("Youth panel", language) in reply.text and title("Afternoon plenary", language) in reply.text
    assert strings()["text"]["moderator"][language] in reply.text


@pytest.mark.parametrize("language", LANGS)
def test_a_topic_lists_its_sessions(language):
    reply = ask(HOUSING[language], language, DAY2)
    assert title("Housing plenary", language) in reply.text and title("Housing workshop", language) in reply.text
    assert title("Youth panel", language) not in reply.text


def test_show_more_pages_through_a_long_list_in_the_conversation_language():
    first = ask("what's on Thursday?", "en", BEFORE)
    assert len(first.pending) == 10 - PAGE_SIZE
    second = more(PROGRAMME, first.pending, "de")
    assert title("Housing workshop", "de") in second.text
    assert len(second.pending) == 10 - 2 * PAGE_SIZE
    third = more(PROGRAMME, second.pending, "de")
    assert third.pending == [] and title("Evening reception", "de") in third.text
    assert more(PROGRAMME, [], "fr").text == strings()["text"]["nothing_more"]["fr"]


def test_every_listed_session_has_a_button_to_ask_about_it():
    reply = ask("what's on Thursday?", "en", BEFORE)
    payloads = [b["payload"] for b in reply.buttons]
    assert '/ask_programme{"agenda_session": "t_opening"}' in payloads
    chosen = answer(PROGRAMME, build_query(PROGRAMME, "", [{"entity": "agenda_session", "value": "t_opening"}]),
                    BEFORE, "en", "ask_programme")
    assert "Hall A" in chosen.text


def test_what_follows_a_named_session():
    reply = ask("what's after the test opening?", "en", BEFORE)
    assert title("Housing plenary", "en") in reply.text and title("Youth panel", "en") not in reply.text


def test_a_weekday_outside_the_conference():
    reply = ask("what's on Monday?", "en", DAY1_MORNING)
    assert reply.text.startswith("Monday is not a conference day")


def test_a_person_without_sessions_is_pointed_to_the_organisers():
    reply = ask("when does Eve Nosession speak?", "en", DAY2, intent="ask_speakers")
    assert "no confirmed session" in reply.text and "organisers@example.org" in reply.text


@pytest.mark.parametrize("text,intent", [
    ("what's on the programme?", "ask_programme"),   # the overview comes from data/content/
    ("who is Cleo Madeup?", "ask_speakers"),          # who, not when: the knowledge base
    ("when is the conference?", "ask_dates"),
    ("what's on now?", "ask_venue"),                  # other intents are never agenda answers
])
def test_questions_that_are_not_agenda_questions_get_none(text, intent):
    assert ask(text, "en", DAY2, intent=intent) is None


def test_a_date_question_naming_a_session_gets_the_session():
    reply = ask("when does the test closing start?", "en", DAY2, intent="ask_dates")
    assert "15:00–16:00" in reply.text


def test_the_real_programme_at_the_done_when_moment():
    real = load_programme()
    moment = datetime(2017, 11, 16, 10, 45, tzinfo=TZ)
    for language, text in NOW.items():
        reply = ask(text, language, moment, programme=real)
        assert "10:30–12:00" in reply.text, language
        assert real.people["mohamed_boussraoui"].name_in(language) in reply.text, language
        assert real.session("guided_discussion").title[language] in reply.text, language


def test_a_listing_remembers_the_one_shown_session_the_whole_message_names():
    listing = Reply("Sessions on youth", [{"title": "a", "payload": session_payload("youth_panel")},
                                          {"title": "b", "payload": session_payload("youth_side_event")}])
    assert remembering_named(listing, ("youth_panel",)).session == "youth_panel"
    assert remembering_named(listing, ("opening",)).session is None  # not shown: not what the reply is about
    assert remembering_named(listing, ("youth_panel", "youth_side_event")).session is None  # two: neither
    card = Reply("card", session="opening")
    assert remembering_named(card, ("youth_panel",)).session == "opening"
