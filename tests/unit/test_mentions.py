"""What a follow-up asks, found in the remembered subject's answers (bot/conversation/mentions.py)."""

from __future__ import annotations

import importlib

import pytest

from bot.conversation.mentions import (
    FUNCTION_WORDS_FILE,
    MIN_ARABIC_WORD,
    MIN_WORD,
    asked_stems,
    function_words,
    mentioning,
)
from bot.conversation.content.model import Answer
from bot.conversation.text import normalise
from bot.conversation import yaml_files

LANGUAGES = ["en", "fr", "nl", "es", "de", "ar"]


def answer(identifier: str, text: str) -> Answer:
    return Answer(id=identifier, text={"en": text}, sources=())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_function_words_are_spacys_stop_words_of_each_language(language):
    listed = yaml_files.safe_load(FUNCTION_WORDS_FILE.read_text(encoding="utf-8"))["function_words"][language]
    spacy_words = importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS
    shortest = MIN_ARABIC_WORD if language == "ar" else MIN_WORD
    expected = {normalise(w) for w in spacy_words if len(normalise(w)) >= shortest and " " not in normalise(w)}
    assert all(isinstance(word, str) for word in listed)  # YAML reads no word as a boolean or number
    assert set(listed) == expected


def test_subject_matter_words_are_stop_words_left_out_of_the_function_words():
    raw = yaml_files.safe_load(FUNCTION_WORDS_FILE.read_text(encoding="utf-8"))
    for language, words in raw["subject_matter"].items():
        assert set(words) <= set(raw["function_words"][language])  # an exception to spaCy's list
        assert function_words().isdisjoint(words)
    assert asked_stems("¿cuántos Estados estuvieron?", ["cuántos"]) >= {"estad"}


def test_an_arabic_counted_noun_is_found_under_its_alif():
    goal = answer("gcm", "ويتضمن 23 هدفًا")
    others = [answer(f"other{n}", f"answer {n}") for n in range(20)]
    assert mentioning([goal], "كم هدف فيه؟", ["كم"], [goal, *others], object()) is goal


def test_function_words_cue_words_and_short_words_are_not_what_is_asked():
    assert asked_stems("where is it based?", ["where", "it"]) == {"based"}
    assert asked_stems("combien de délégations ?", ["combien"]) == {"delegati"}
    assert asked_stems("وماذا قال في كلمته؟", []) >= {"كلمه"}  # "وماذا": a function word behind a prefix
    assert not asked_stems("und wann?", ["wann"])


def test_a_word_is_found_in_another_form_of_it():
    delegations = answer("pv", "It was opened by the Foreign Minister, with about 136 delegations.")
    corpus = [delegations] + [answer(f"filler{i}", "Something else entirely.") for i in range(30)]
    assert mentioning([delegations], "how many delegation?", ["how many"], corpus, object()) is delegations
    assert mentioning([delegations], "who opened it?", ["it"], corpus, object()) is delegations
    assert mentioning([delegations], "what was the budget?", [], corpus, object()) is None


def test_the_answer_mentioning_most_wins_and_the_first_on_a_tie():
    own = answer("own", "The Compact has 23 objectives.")
    other = answer("other", "Adopted in Marrakech with 23 objectives by 152 votes.")
    corpus = [own, other] + [answer(f"filler{i}", "Something else entirely.") for i in range(30)]
    assert mentioning([own, other], "how many objectives?", ["how many"], corpus, object()) is own
    assert mentioning([own, other], "how many votes for the objectives?", ["how many"], corpus, object()) is other


def test_a_word_most_answers_share_does_not_count():
    corpus = [answer(f"a{i}", f"Cities welcomed migrants in year {i}.") for i in range(20)]
    assert mentioning(corpus[:1], "which cities?", ["which"], corpus, object()) is None
