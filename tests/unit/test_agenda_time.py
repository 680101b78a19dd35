"""The time normaliser, per language: days, dates, parts of the day, clock times, relative words."""

import re

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.conversation.agenda import timeparse
from bot.conversation.agenda.timeparse import edit_distance, extract


def found(text, language):
    return {(m.entity, m.value) for m in extract(text, language)}


CASES = {
    "en": [
        ("what's on now?", {("agenda_relative", "now")}),
        ("what's next?", {("agenda_relative", "next")}),
        ("anything later today?", {("agenda_relative", "later")}),
        ("what's on Thursday afternoon", {("agenda_day", "weekday:4"), ("agenda_part", "afternoon")}),
        ("programme for tomorrow", {("agenda_day", "tomorrow")}),
        ("what is on at 11", {("agenda_time", "11:00")}),
        ("is there something at 3pm", {("agenda_time", "15:00")}),
        ("at 9:30am on 16 November", {("agenda_time", "09:30"), ("agenda_day", "11-16")}),
        ("what's on November 17th 2017", {("agenda_day", "2017-11-17")}),
        ("schedule for the 16th", {("agenda_day", "dom:16")}),
        ("what happens on day two", {("agenda_day", "day:2")}),
        ("and this evening?", {("agenda_day", "today"), ("agenda_part", "evening")}),
        ("16/11 at 10.30", {("agenda_day", "11-16"), ("agenda_time", "10:30")}),
        ("half past 10", {("agenda_time", "10:30")}),
        ("at 11 o'clock", {("agenda_time", "11:00")}),
    ],
    "fr": [
        ("qu'est-ce qui se passe maintenant ?", {("agenda_relative", "now")}),
        ("et ensuite ?", {("agenda_relative", "next")}),
        ("jeudi après-midi", {("agenda_day", "weekday:4"), ("agenda_part", "afternoon")}),
        ("le programme du 17 novembre", {("agenda_day", "11-17")}),
        ("à 15h", {("agenda_time", "15:00")}),
        ("à 10h30 demain", {("agenda_time", "10:30"), ("agenda_day", "tomorrow")}),
        ("aujourd’hui ce soir", {("agenda_day", "today"), ("agenda_part", "evening")}),
        ("le 16 au matin", {("agenda_day", "dom:16"), ("agenda_part", "morning")}),
        ("à 11 heures et demie", {("agenda_time", "11:30")}),
        ("le deuxième jour", {("agenda_day", "day:2")}),
    ],
    "nl": [
        ("wat is er nu?", {("agenda_relative", "now")}),
        ("wat komt hierna?", {("agenda_relative", "next")}),
        ("vrijdagochtend", {("agenda_day", "weekday:5"), ("agenda_part", "morning")}),
        ("om 10 uur", {("agenda_time", "10:00")}),
        ("om half 11", {("agenda_time", "10:30")}),
        ("donderdag 16 november om 15.00 uur", {("agenda_day", "weekday:4"), ("agenda_day", "11-16"), ("agenda_time", "15:00")}),
        ("morgen 's middags", {("agenda_day", "tomorrow"), ("agenda_part", "afternoon")}),
        ("vanavond", {("agenda_day", "today"), ("agenda_part", "evening")}),
        ("op de tweede dag", {("agenda_day", "day:2")}),
    ],
    "es": [
        ("¿qué hay ahora?", {("agenda_relative", "now")}),
        ("¿qué viene a continuación?", {("agenda_relative", "next")}),
        ("el jueves por la mañana", {("agenda_day", "weekday:4"), ("agenda_part", "morning")}),
        ("a las 9:30", {("agenda_time", "09:30")}),
        ("a las 3 de la tarde", {("agenda_time", "15:00"), ("agenda_part", "afternoon")}),
        ("mañana por la mañana", {("agenda_day", "tomorrow"), ("agenda_part", "morning")}),
        ("el 17 de noviembre", {("agenda_day", "11-17")}),
        ("a las 11 y media", {("agenda_time", "11:30")}),
        ("más tarde", {("agenda_relative", "later")}),
    ],
    "de": [
        ("was läuft jetzt?", {("agenda_relative", "now")}),
        ("was kommt danach?", {("agenda_relative", "next")}),
        ("am Donnerstagnachmittag", {("agenda_day", "weekday:4"), ("agenda_part", "afternoon")}),
        ("um 15 Uhr", {("agenda_time", "15:00")}),
        ("um halb 11", {("agenda_time", "10:30")}),
        ("am 17. November um 10:30", {("agenda_day", "11-17"), ("agenda_time", "10:30")}),
        ("morgen früh", {("agenda_day", "tomorrow"), ("agenda_part", "morning")}),
        ("heute Abend", {("agenda_day", "today"), ("agenda_part", "evening")}),
        ("am 16.11.2017", {("agenda_day", "2017-11-16")}),
    ],
    "ar": [
        ("ماذا يجري الآن؟", {("agenda_relative", "now")}),
        ("ما التالي؟", {("agenda_relative", "next")}),
        ("يوم الخميس بعد الظهر", {("agenda_day", "weekday:4"), ("agenda_part", "afternoon")}),
        ("الساعة ٣", {("agenda_time", "15:00")}),
        ("الساعة ١٠:٣٠ صباحا", {("agenda_time", "10:30"), ("agenda_part", "morning")}),
        ("الساعة الثالثة", {("agenda_time", "15:00")}),
        ("في ١٧ نوفمبر", {("agenda_day", "11-17")}),
        ("غدا مساء", {("agenda_day", "tomorrow"), ("agenda_part", "evening")}),
        ("اليوم الثاني", {("agenda_day", "day:2")}),
        ("والجمعة؟", {("agenda_day", "weekday:5")}),
    ],
}


@pytest.mark.parametrize("language,text,expected",
                         [(lang, text, expected) for lang, cases in CASES.items() for text, expected in cases])
def test_normalises_time_expressions(language, text, expected):
    assert found(text, language) == expected


@pytest.mark.parametrize("language,text,expected", [
    ("en", "schedule for thrusday", {("agenda_day", "weekday:4")}),
    ("en", "whats on tomorow afternon", {("agenda_day", "tomorrow"), ("agenda_part", "afternoon")}),
    ("fr", "programme de vendredy", {("agenda_day", "weekday:5")}),
    ("nl", "wat is er donderdg", {("agenda_day", "weekday:4")}),
    ("en", "a fry-up at the hotel", set()),  # words under six letters are never guessed
    ("de", "am Donnerstg", {("agenda_day", "weekday:4")}),
    ("es", "el juebes", {("agenda_day", "weekday:4")}),
])
def test_tolerates_one_typo_in_longer_words(language, text, expected):
    assert found(text, language) == expected


@pytest.mark.parametrize("language,text", [
    ("en", "Where is the venue?"),
    ("en", "Good morning! Who organised the conference?"),
    ("fr", "Bonsoir, qui organise la conférence ?"),
    ("de", "Guten Morgen, wer spricht?"),
    ("es", "Buenas tardes, ¿dónde está la sede?"),
    ("ar", "صباح الخير، من المنظمون؟"),
    ("nl", "Hoe kom ik in Mechelen?"),
])
def test_greetings_and_other_questions_contain_no_time(language, text):
    assert found(text, language) == set()


def test_mentions_point_at_the_original_characters():
    text = "Qu'y a-t-il Jeudi à 15h30 ?"
    mentions = extract(text, "fr")
    assert [(m.text, m.start, m.end) for m in mentions] == [
        ("Jeudi", 12, 17), ("15h30", 20, 25)]
    assert all(text[m.start:m.end] == m.text for m in mentions)


def test_arabic_digits_and_spans():
    text = "ماذا يوجد الساعة ١١؟"
    (mention,) = extract(text, "ar")
    assert mention.value == "11:00" and text[mention.start:mention.end] == mention.text


def test_unknown_language_uses_every_word_list():
    assert found("à 15h demain", None) == {("agenda_time", "15:00"), ("agenda_day", "tomorrow")}
    assert found("morgen om 10 uur", None) == {("agenda_day", "tomorrow"), ("agenda_time", "10:00")}


def test_language_word_lists_do_not_leak():
    # French "mon" is "my", not Monday; German "hier" is "here", not French "yesterday".
    assert found("mon programme", "fr") == set()
    assert found("was ist hier los", "de") == set()


def test_impossible_values_are_ignored():
    assert found("at 27:90", "en") == set()
    assert found("on 45/13", "en") == set()


def test_edit_distance_counts_swaps_once():
    assert edit_distance("thrusday", "thursday") == 1
    assert edit_distance("friday", "fryday") == 1
    assert edit_distance("abc", "abc") == 0


def test_word_start_asserted_once_finds_what_it_found_in_every_alternative(monkeypatch):
    """The phrase lists' regex asserts the word start once before its alternatives (for
    speed); the mentions are those of the regex asserting it in each alternative, on
    every tenth training example of the six languages, read with each word list and with all.
    (Typo tolerance, which does not use that regex and is slow, is left out.)"""
    texts = [line.strip()[2:] for path in sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip().startswith("- ")][::10]
    texts += [m for script in yaml.safe_load((PROJECT_ROOT / "bench" / "messages.yml").read_text()).values()
              for m in script]
    assert len(texts) > 2500
    monkeypatch.setattr(timeparse, "FUZZY_MIN_LENGTH", 10**6)
    languages = [None, "en", "fr", "nl", "es", "de", "ar"]

    def mentions():
        timeparse._lexicon.cache_clear()
        return [[extract(text, language) for text in texts] for language in languages]

    fast = mentions()

    def assertion_in_every_alternative(phrases):
        ordered = sorted(set(phrases), key=lambda p: len(timeparse.fold(p)[0]), reverse=True)
        return re.compile("|".join(f"(?P<p{i}>{timeparse.WORD_START}{timeparse._phrase_pattern(p)})"
                                   for i, p in enumerate(ordered))), ordered

    monkeypatch.setattr(timeparse, "_alternation", assertion_in_every_alternative)
    reference = mentions()
    monkeypatch.undo()
    timeparse._lexicon.cache_clear()
    assert sum(len(found) for per_language in reference for found in per_language) > 100
    assert fast == reference
