"""Agenda questions over REST against the real servers, with the conference clock set.

The shared Rasa server keeps running; its action proxy is pointed at an action server of
this module's, with ``BOT_CLOCK`` set and ``BOT_PROGRAMME_FILE`` pointing at a copy of the
real programme that the tests may edit. The shared action server is restored afterwards.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from pathlib import Path
from typing import Iterator

import pytest

from bot.conversation.agenda.loader import PROGRAMME_FILE
from bot.conversation.agenda.render import strings
from tests.conftest import ASSISTANT_ACTIONS_PORT, LANGS
from tests.support.servers import ActionServer

DONE_WHEN_MOMENT = "2017-11-16T10:45"
RELOAD_DEADLINE_S = 10.0


MODULE_ACTIONS_PORT = ASSISTANT_ACTIONS_PORT + 1  # the module's; a test's own is the next port


@contextlib.contextmanager
def actions_with(servers, work: Path, env: dict, port: int = MODULE_ACTIONS_PORT + 1) -> Iterator[None]:
    """The shared assistant's actions answered by an action server with ``env``."""
    previous = servers.action_proxy.target_port
    with ActionServer(work, port, env):
        servers.action_proxy.retarget(port)
        try:
            yield
        finally:
            servers.action_proxy.retarget(previous)


@pytest.fixture(scope="module")
def programme_copy(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("programme") / "programme.yml"
    shutil.copy(PROGRAMME_FILE, path)
    return path


@pytest.fixture(scope="module")
def agenda(servers, programme_copy, tmp_path_factory):
    with actions_with(servers, tmp_path_factory.mktemp("agenda-actions"),
                      {"BOT_CLOCK": DONE_WHEN_MOMENT, "BOT_PROGRAMME_FILE": str(programme_copy)}, MODULE_ACTIONS_PORT):
        yield servers


def month(language: str) -> str:
    return strings()["months"][language][10]


NOW = {"en": "What's on now?", "fr": "Qu'est-ce qui se passe maintenant ?", "nl": "Wat is er nu bezig?",
       "es": "¿Qué hay ahora?", "de": "Was läuft gerade jetzt?", "ar": "ماذا يجري الآن؟"}
GUIDED_TITLE = {"en": "Global Compact on Migration", "fr": "Pacte mondial sur les migrations",
                "nl": "VN-Migratiepact", "es": "Pacto Mundial sobre Migración",
                "de": "Globalen Migrationspakt", "ar": "الاتفاق العالمي بشأن الهجرة"}
OPENING = {"en": "When is the opening ceremony?", "fr": "Quand a lieu la cérémonie d'ouverture ?",
           "nl": "Wanneer is de openingsceremonie?", "es": "¿Cuándo es la ceremonia de apertura?",
           "de": "Wann ist die Eröffnungszeremonie?", "ar": "متى حفل الافتتاح؟"}


@pytest.mark.parametrize("language", LANGS)
def test_whats_on_now_names_the_guided_discussion_and_its_moderator(agenda, chat, language):
    reply = chat().say(NOW[language])
    assert GUIDED_TITLE[language] in reply
    assert ("بوسراوي" if language == "ar" else "Mohamed Boussraoui") in reply
    assert "10:30–12:00" in reply


@pytest.mark.parametrize("language", LANGS)
def test_opening_ceremony_is_on_16_november_from_9_to_10_15(agenda, chat, language):
    reply = chat().say(OPENING[language])
    assert "09:00–10:15" in reply
    assert re.search(rf"16\.? (de )?{month(language)}", reply), reply


QUESTIONS = {
    # (question, words the answer must contain)
    "day and part": {
        "en": ("What's on Thursday morning?", ["Opening ceremony", "Mohamed Boussraoui"]),
        "fr": ("Qu'y a-t-il jeudi matin ?", ["Cérémonie d'ouverture", "Mohamed Boussraoui"]),
        "nl": ("Wat staat er donderdagochtend op het programma?", ["Openingsceremonie", "Mohamed Boussraoui"]),
        "es": ("¿Qué hay el jueves por la mañana?", ["Ceremonia de apertura", "Mohamed Boussraoui"]),
        "de": ("Was gibt es am Donnerstagvormittag?", ["Eröffnungszeremonie", "Mohamed Boussraoui"]),
        "ar": ("ماذا يوجد يوم الخميس صباحا؟", ["حفل الافتتاح", "محمد بوسراوي"]),
    },
    "clock time": {
        "en": ("What is on at 1pm?", ["12:45–14:45", "www.citiesandmigration.com"]),
        "fr": ("Qu'est-ce qu'il y a à 13h ?", ["12:45–14:45", "www.citiesandmigration.com"]),
        "nl": ("Wat is er om 13 uur?", ["12:45–14:45", "www.citiesandmigration.com"]),
        "es": ("¿Qué hay a las 13:00?", ["12:45–14:45", "www.citiesandmigration.com"]),
        "de": ("Was ist um 13 Uhr?", ["12:45–14:45", "www.citiesandmigration.com"]),
        "ar": ("ماذا يوجد الساعة ١؟", ["12:45–14:45", "www.citiesandmigration.com"]),
    },
    "next": {
        "en": ("What's next?", ["12:45–14:45"]),
        "fr": ("Quelle est la prochaine session ?", ["12:45–14:45"]),
        "nl": ("Wat is de volgende sessie?", ["12:45–14:45"]),
        "es": ("¿Cuál es la próxima sesión?", ["12:45–14:45"]),
        "de": ("Was ist die nächste Sitzung?", ["12:45–14:45"]),
        "ar": ("ما هي الجلسة القادمة؟", ["12:45–14:45"]),
    },
    "person": {
        "en": ("When does Joan Clos speak?", ["Executive Director of UN-Habitat", "time not confirmed"]),
        "fr": ("Quand parle Joan Clos ?", ["directeur exécutif d'ONU-Habitat", "horaire non confirmé"]),
        "nl": ("Wanneer spreekt Joan Clos?", ["uitvoerend directeur van VN-Habitat", "tijdstip niet bevestigd"]),
        "es": ("¿Cuándo habla Joan Clos?", ["director ejecutivo de ONU-Habitat", "horario no confirmado"]),
        "de": ("Wann spricht Joan Clos?", ["Exekutivdirektor von UN-Habitat", "Uhrzeit nicht bestätigt"]),
        "ar": ("متى يتحدث جوان كلوس؟", ["المدير التنفيذي لموئل الأمم المتحدة", "التوقيت غير مؤكد"]),
    },
    "topic": {
        "en": ("Is there anything on human rights?", ["Human Rights of migrants", "Human Mobility and the Right to the City"]),
        "fr": ("Y a-t-il quelque chose sur les droits humains ?", ["Les droits humains des migrants", "Mobilité humaine"]),
        "nl": ("Is er iets over mensenrechten?", ["Mensenrechten van migranten", "Menselijke mobiliteit"]),
        "es": ("¿Hay algo sobre derechos humanos?", ["Derechos humanos de los migrantes", "Movilidad humana"]),
        "de": ("Gibt es Sitzungen zu Menschenrechten?", ["Menschenrechte von Migranten", "Menschliche Mobilität"]),
        "ar": ("هل هناك شيء عن حقوق الإنسان؟", ["حقوق الإنسان للمهاجرين", "التنقل البشري"]),
    },
    "moderator of a session": {
        "en": ("Who moderates the discussion on the Global Compact?", ["Mohamed Boussraoui", "Director of Programme"]),
        "fr": ("Qui anime la discussion guidée sur le Pacte mondial ?", ["Mohamed Boussraoui", "directeur de programme"]),
        "nl": ("Wie modereert de geleide discussie?", ["Mohamed Boussraoui", "programmadirecteur"]),
        "es": ("¿Quién modera el debate guiado?", ["Mohamed Boussraoui", "director de programa"]),
        "de": ("Wer moderiert die geführte Diskussion?", ["Mohamed Boussraoui", "Programmdirektor"]),
        "ar": ("من يدير النقاش الموجه؟", ["محمد بوسراوي", "مدير البرامج"]),
    },
}


@pytest.mark.parametrize("kind,language", [(k, l) for k in QUESTIONS for l in LANGS])
def test_each_question_type_in_each_language(agenda, chat, kind, language):
    question, expected = QUESTIONS[kind][language]
    reply = chat().say(question)
    for words in expected:
        assert words in reply, f"{kind}/{language}: {question!r} → {reply!r}"


def test_buttons_ask_about_a_listed_session(agenda, chat):
    conversation = chat()
    (message,) = conversation.send("What's on Thursday morning?")
    payloads = [b["payload"] for b in message["buttons"]]
    assert '/ask_programme{"agenda_session": "opening"}' in payloads
    assert "Mayor of Mechelen" in conversation.say('/ask_programme{"agenda_session": "opening"}')


def test_editing_the_room_changes_the_answer_without_restart(agenda, chat, programme_copy):
    conversation = chat()
    question = "Where is the opening ceremony?"
    assert "room not confirmed" in conversation.say(question)
    original = programme_copy.read_text(encoding="utf-8")
    edited = original.replace("  - id: opening\n", "  - id: opening\n    room: Brewhouse Hall\n", 1)
    edited = edited.replace("    type: ceremony\n    room:\n", "    type: ceremony\n", 1)
    programme_copy.write_text(edited, encoding="utf-8")
    deadline = time.monotonic() + RELOAD_DEADLINE_S
    reply = conversation.say(question)
    while "Brewhouse Hall" not in reply and time.monotonic() < deadline:
        time.sleep(0.5)
        reply = conversation.say(question)
    assert "room Brewhouse Hall" in reply

    # A broken edit is refused; the assistant keeps serving the last good programme.
    programme_copy.write_text(edited.replace("start: \"09:00\"", "start: \"nine\"", 1), encoding="utf-8")
    assert "room Brewhouse Hall" in conversation.say(question)
    programme_copy.write_text(original, encoding="utf-8")


def test_outside_the_event_the_dates_are_given(servers, chat, programme_copy, tmp_path):
    with actions_with(servers, tmp_path, {"BOT_CLOCK": "2018-01-10T12:00", "BOT_PROGRAMME_FILE": str(programme_copy)}):
        assert "The conference is over" in chat().say("What's on now?")
        assert "انتهى المؤتمر" in chat().say("ماذا يجري الآن؟")


def test_long_answers_are_paged_with_show_more(servers, chat, tmp_path):
    fictional = Path(__file__).resolve().parent.parent / "fixtures" / "programme_fictional.yml"
    with actions_with(servers, tmp_path, {"BOT_CLOCK": DONE_WHEN_MOMENT, "BOT_PROGRAMME_FILE": str(fictional)}):
        paged(chat())


def paged(conversation) -> None:
    first = conversation.say("What's on Thursday?")
    assert first.count("\n• ") == 4 and "6 more" in first
    second = conversation.say("show more")
    assert "Housing workshop [en]" in second and "2 more" in second
