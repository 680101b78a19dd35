"""The character n-gram language model (bot/conversation/language_model.py) and the
identifier's evidence (bot/conversation/languages.py) on short messages."""

from __future__ import annotations

import pytest

from bot.conversation.language_model import LanguageModel, ngrams
from bot.conversation.languages import LanguageIdentifier, load_catalogue

TOY = [("wat is de verklaring", "nl"), ("waar is het", "nl"), ("wie is de burgemeester", "nl"),
       ("was ist die erklärung", "de"), ("wo ist es", "de"), ("wer ist der bürgermeister", "de"),
       ("what is the declaration", "en"), ("where is it", "en"), ("who is the mayor", "en")] * 2


def test_ngrams_are_padded_words_of_letters_only():
    grams = set(ngrams("Wat is 2017?"))
    assert {" w", "wat ", " wat", "is ", "s", " wat "} <= grams  # a longer word also whole
    assert not any(ch.isdigit() or ch == "?" for gram in grams for ch in gram)


def test_the_model_tells_apart_what_it_learnt_and_is_uniform_on_nothing():
    model = LanguageModel.train(TOY)
    for text, code in (("wat is het", "nl"), ("was ist das", "de"), ("what is it", "en")):
        probabilities = model.probabilities(text)
        assert max(probabilities, key=probabilities.get) == code, (text, probabilities)
        assert sum(probabilities.values()) == pytest.approx(1.0)
    assert model.probabilities("123 !!") == {code: pytest.approx(1 / 3) for code in ("nl", "de", "en")}


def test_a_word_seen_whole_in_one_language_outweighs_its_ngrams(monkeypatch):
    # "adres" is Dutch; its n-grams are mostly those of the French "adresse"
    examples = [("quelle est l'adresse", "fr"), ("adresse du lieu", "fr"), ("l'adresse exacte", "fr"),
                ("wat is het adres", "nl"), ("adres van de locatie", "nl"), ("het juiste adres", "nl")] * 2
    model = LanguageModel.train(examples)
    assert " adres " in model.log_probs["nl"] and " adres " not in model.log_probs["fr"]
    assert model.probabilities("adres")["nl"] > 0.5
    monkeypatch.setattr("bot.conversation.language_model.WHOLE_WORD_SHARE", 0.0)
    assert LanguageModel.from_dict(model.as_dict()).probabilities("adres")["nl"] < model.probabilities("adres")["nl"]


def test_the_model_survives_its_own_serialisation():
    model = LanguageModel.train(TOY)
    again = LanguageModel.from_dict(model.as_dict())
    assert "_rows" in vars(again)  # built on loading (before the workers fork), not on a first message
    assert again.probabilities("wie ist er") == model.probabilities("wie ist er")


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier(load_catalogue(), LanguageModel.train(TOY))


@pytest.mark.parametrize("text", ["<br/>", "<b></b> 🙂", "12:45", "https://example.org/a", "a@b.org", "UN-Habitat",
                                  "IOM UCLG", "Bart Somers?"])
def test_messages_without_words_of_a_language_have_no_language(identifier, text):
    detection = identifier.detect(text)
    assert detection.code is None and not detection.reliable


@pytest.mark.parametrize("text, code", [("¿UCLG?", "es"), ("¿Qué hace ONU-Habitat?", "es"), ("Straße", "de"),
                                        ("أين المؤتمر؟", "ar")])
def test_decisive_letters_and_script_settle_the_language(identifier, text, code):
    detection = identifier.detect(text)
    assert (detection.code, detection.reliable) == (code, True)


def test_names_and_acronyms_do_not_decide(identifier):
    # "Wie is" is Dutch; the German-looking surname and the acronym must not tip it.
    assert identifier.detect("Wie is Bart Somers?").code == "nl"
    assert identifier.detect("Wat is UCLG?").code == "nl"
    assert identifier.detect("Was ist die IOM?").code == "de"


def test_a_quoted_title_does_not_decide_the_language(identifier):
    # a German sentence naming an English title: the title's words are a name
    assert identifier.detect("wo ist es 'what is the declaration where is it'").code == "de"
    assert identifier.detect("wo ist es «what is the declaration where is it»").code == "de"
    assert identifier.detect("'what is the declaration'").code == "en"  # a quoted title alone is read


def test_a_word_no_example_has_weighs_less_than_a_known_one(monkeypatch):
    model = LanguageModel.train(TOY)
    known_only = model.probabilities("wie is")
    monkeypatch.setattr("bot.conversation.language_model.UNKNOWN_WORD_WEIGHT", 0.0)
    assert model.probabilities("wie is herfstvakantie") == pytest.approx(known_only)
    monkeypatch.setattr("bot.conversation.language_model.UNKNOWN_WORD_WEIGHT", 0.5)
    assert model.probabilities("wie is herfstvakantie") != pytest.approx(known_only)


def test_a_greeting_two_languages_share_decides_nothing_alone():
    catalogue = load_catalogue()
    assert "hallo" in catalogue.languages["nl"].lexicon and "hallo" in catalogue.languages["de"].lexicon
    detection = LanguageIdentifier(catalogue).detect("Hallo")
    assert detection.lexicon is None


def test_a_short_question_about_a_language_does_not_switch_but_a_short_request_does():
    from bot.conversation.languages import choose_language

    catalogue = load_catalogue()
    mentions_french = {"code": "en", "reliable": False, "words": 3, "mentioned": "fr", "confidence": 0.6}
    assert choose_language(catalogue, "en", mentions_french, "ask_declaration") == "en"
    assert choose_language(catalogue, "en", mentions_french, "out_of_scope") == "fr"
    assert choose_language(catalogue, "en", {**mentions_french, "words": 6}, "set_language") == "fr"


@pytest.mark.parametrize("text, code", [("i3lan mechelen chno", "ar"), ("sa7a, wen el mo2tamar", "ar"),
                                        ("where is it WUF9", "en"), ("wo ist es Cities4Migration", "de")])
def test_arabic_in_latin_letters_with_digits_inside_words_is_arabic(identifier, text, code):
    assert identifier.detect(text).code == code
