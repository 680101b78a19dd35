import pytest
from hypothesis import given, settings, strategies as st

from bot.conversation.languages import LanguageIdentifier, LanguageFileError, choose_language, load_catalogue
from tests.conftest import ROOT

CATALOGUE = load_catalogue()
DETECTOR = LanguageIdentifier(CATALOGUE)


@pytest.mark.parametrize(
    "text, code",
    [
        ("Where does the conference take place?", "en"),
        ("Où se déroule la conférence ?", "fr"),
        ("Waar vindt de conferentie plaats?", "nl"),
        ("¿Dónde se celebra la conferencia?", "es"),
        ("Wo findet die Konferenz statt?", "de"),
        ("أين يعقد المؤتمر؟", "ar"),
    ],
)
def test_full_questions_are_detected_reliably(text, code):
    detection = DETECTOR.detect(text)
    assert detection.code == code
    assert detection.reliable


@pytest.mark.parametrize("text", ["ok", "merci", "thanks", "hola", "UN-Habitat", "Bart Somers", "🙂🙂"])
def test_short_messages_are_not_reliable(text):
    assert not DETECTOR.detect(text).reliable


def test_names_are_ignored_by_detection():
    assert DETECTOR.detect("UN-Habitat").code is None
    assert DETECTOR.detect("quién es Bart Somers").code == "es"


@pytest.mark.parametrize("text, code", [("merci beaucoup", "fr"), ("hola", "es"), ("danke schön", "de"), ("شكرا", "ar")])
def test_lexicon_recognises_greetings_and_thanks(text, code):
    assert DETECTOR.detect(text).lexicon == code


@pytest.mark.parametrize(
    "text, code",
    [("en français", "fr"), ("auf Deutsch bitte", "de"), ("in het Engels", "en"), ("بالعربية", "ar"), ("en español", "es")],
)
def test_language_names_are_recognised(text, code):
    assert DETECTOR.detect(text).mentioned == code


def test_other_languages_are_flagged_unsupported():
    assert DETECTOR.detect("dove si trova la conferenza oggi?").unsupported
    assert DETECTOR.detect("onde fica o local da conferência?").unsupported
    assert not DETECTOR.detect("Où se déroule la conférence aujourd'hui ?").unsupported


def test_a_letter_only_spanish_writes_keeps_a_question_supported():
    # lingua alone scores this Portuguese (0.63); the opening question mark is Spanish.
    assert DETECTOR.detect("mostrador de objetos encontrados").unsupported
    detection = DETECTOR.detect("¿mostrador de objetos encontrados?")
    assert not detection.unsupported
    assert detection.code == "es"


@pytest.mark.parametrize("text", ["هاشتاغ Cities4Migration", "شنو هي UN-Habitat"])
def test_arabic_words_beside_a_long_latin_name_are_arabic(text):
    detection = DETECTOR.detect(text)
    assert (detection.code, detection.reliable) == ("ar", True)


def choose(current, text, intent="ask_venue", requested=None, prior=None):
    return choose_language(CATALOGUE, current, DETECTOR.detect(text).as_dict(), intent, requested, prior)


def test_sticky_language_survives_short_messages():
    assert choose("fr", "ok") == "fr"
    assert choose("fr", "merci") == "fr"
    assert choose("fr", "thanks") == "fr"
    assert choose("fr", "UN-Habitat") == "fr"


def test_a_full_sentence_switches_language():
    assert choose("fr", "Where does the conference take place?") == "en"


def test_explicit_requests_switch_language():
    assert choose("fr", "answer in English please", intent="set_language") == "en"
    assert choose("en", "en français") == "fr"
    assert choose("en", "/set_language", requested="de") == "de"
    assert choose("en", "x", requested="de-AT") == "de"


def test_a_language_mentioned_in_a_question_is_not_a_switch():
    assert choose("fr", "La déclaration est-elle publiée en anglais et en français ?", intent="ask_declaration") == "fr"


@pytest.mark.parametrize("current, text, expected", [
    ("es", "¿Dónde puedo leerla en inglés?", "es"), ("nl", "Waar kan ik de tekst in het Engels lezen?", "nl"),
    ("es", "¿Puedes responder en inglés?", "en"), ("de", "Kannst du auf Französisch antworten?", "fr"),
])
def test_a_question_for_a_detail_that_names_a_language_is_not_a_switch(current, text, expected):
    # Read as set_language by the classifier either way; only the request is a switch.
    assert choose(current, text, intent="set_language") == expected


def test_channel_prior_applies_at_the_start_only():
    assert choose(None, "ok", prior="nl-BE") == "nl"
    assert choose("fr", "ok", prior="nl") == "fr"
    assert choose(None, "hola") == "es"
    assert choose(None, "ok") is None


def test_unknown_requested_language_is_ignored():
    assert choose("fr", "ok", requested="it") == "fr"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from([None, "en", "fr", "ar"]))
def test_choice_is_idempotent_and_always_supported(text, current):
    detection = DETECTOR.detect(text).as_dict()
    first = choose_language(CATALOGUE, current, detection, None)
    assert first is None or first in CATALOGUE.codes
    assert choose_language(CATALOGUE, first, detection, None) == (first if first else None)


def test_language_file_errors_name_the_entry(tmp_path):
    path = tmp_path / "languages.yml"
    path.write_text("languages:\n  en:\n    name: English\n    lingua: ENGLISH\n    called: [english]\n", encoding="utf-8")
    with pytest.raises(LanguageFileError, match=r"languages\.en: 'lexicon'"):
        load_catalogue(path)


FORKED_WORKER = """
import os
from bot.conversation.languages import lingua_detector
first = lingua_detector(("ENGLISH", "FRENCH"))  # at start-up, before Sanic forks
pid = os.fork()
if pid == 0:  # a worker loading a published model
    same = lingua_detector(("ENGLISH", "FRENCH")) is first
    other = lingua_detector(("ENGLISH", "GERMAN")).detect_language_of("Wo ist das Kongresszentrum?")
    print(same, other, flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_a_worker_forked_after_start_up_reuses_or_builds_lingua_detectors_without_hanging():
    """lingua preloads on a thread pool a forked worker does not have: building a
    preloading detector there waited forever (a publish left both workers loading)."""
    import os
    import signal
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", FORKED_WORKER], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError("the forked worker never finished building its detector")
    assert out.split() == ["True", "Language.GERMAN"], err[-2000:]


@pytest.mark.parametrize("text, code", [("population Malines", "fr"), ("population Mechelen", "en"),
                                        ("information OIM", "fr"), ("information IOM", "en")])
def test_a_name_as_other_languages_write_it_makes_a_language_less_likely(text, code):
    # The words are the same; only the name's form differs (French writes Malines and OIM).
    assert DETECTOR.detect(text).code == code



@pytest.mark.parametrize("text, intent, expected", [
    ("declaration de Malines", "ask_declaration", "fr"),  # the French name without its accent
    ("PMM ?", "ask_context", "fr"),  # the French (and Spanish) acronym of the Compact
    ("allo", "greet", "fr"),
    ("ممكن ترد بالفرنساوي", "set_language", "fr"),  # "answer in French", in Egyptian Arabic
])
def test_first_messages_of_round_14_get_their_language(text, intent, expected):
    assert choose(None, text, intent) == expected
