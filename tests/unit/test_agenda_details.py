"""Follow-ups about one session asking for a day, hour or room it lacks (bot/conversation/agenda/details.py)."""

import pytest
import yaml

from bot.conversation.agenda.details import DETAILS_FILE, missing_detail, unknown_detail
from bot.conversation.agenda.loader import load_programme
from bot.conversation.content.loader import load_content

PROGRAMME = load_programme()
KB = load_content()
UNKNOWN = KB.strings["unknown_facet"]
UNTIMED = next(s for s in PROGRAMME.sessions if s.day is None and s.start is None and not s.room)
TIMED = next(s for s in PROGRAMME.sessions if s.timed)


def test_every_detail_has_words_in_every_language():
    raw = yaml.safe_load(DETAILS_FILE.read_text(encoding="utf-8"))
    assert set(raw) == {"day", "hour", "room", "recording", "attendance"}
    assert all(set(words) == {"en", "fr", "nl", "es", "de", "ar"} and all(words.values()) for words in raw.values())


@pytest.mark.parametrize("language, text, detail", [("en", "What time did it start?", "hour"),
                                                    ("nl", "Hoe laat begon dat?", "hour"),
                                                    ("fr", "Dans quelle salle ?", "room"),
                                                    ("ar", "في أي قاعة كانت؟", "room"),
                                                    ("es", "¿Qué día y a qué hora fue?", "day"),
                                                    ("de", "In welchem Saal war das?", "room")])
def test_a_time_or_room_the_session_lacks_gets_the_honest_answer_about_it(language, text, detail):
    assert missing_detail(UNTIMED, text) == detail
    reply = unknown_detail(KB, PROGRAMME, UNTIMED.id, text, language)
    assert reply is not None and UNTIMED.title.get(language, UNTIMED.title["en"]) in reply
    assert reply.startswith(UNKNOWN[language].split("{")[0])


def test_a_time_the_session_has_is_left_to_its_card():
    assert missing_detail(TIMED, "What time did it start?") is None
    dated = next(s for s in PROGRAMME.sessions if s.day is not None and s.start is None)
    assert missing_detail(dated, "Op welke dag was die?") is None
    assert missing_detail(dated, "when did it start?") is None  # the card gives the day


@pytest.mark.parametrize("detail, language, text", [
    ("recording", "en", "will it be live streamed?"), ("recording", "fr", "est-ce qu'elle sera filmée ?"),
    ("recording", "nl", "komt die op livestream?"), ("recording", "es", "¿la van a grabar?"),
    ("recording", "de", "wird das aufgezeichnet?"), ("recording", "ar", "هل سيكون هناك بث مباشر؟"),
    # how many attended one session: no source counts a session's audience
    ("attendance", "en", "how many people attended?"), ("attendance", "fr", "il y avait combien de personnes ?"),
    ("attendance", "nl", "hoeveel mensen waren er?"), ("attendance", "es", "¿y cuántas personas asistieron?"),
    ("attendance", "de", "wie viele Leute waren da?"), ("attendance", "ar", "كم عدد الحضور؟"),
])
def test_a_detail_no_session_has_gets_the_honest_answer_even_for_a_timed_session(detail, language, text):
    assert missing_detail(TIMED, text) == detail
    reply = unknown_detail(KB, PROGRAMME, TIMED.id, text, language)
    assert reply is not None and reply.startswith(UNKNOWN[language].split("{")[0])


def test_other_questions_about_the_session_are_left_to_its_card():
    assert unknown_detail(KB, PROGRAMME, UNTIMED.id, "who spoke there?", "en") is None
