"""The NLU entity extractor: agenda entities in the parse result, with spans and values."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.plugins.components.agenda_entities import AgendaEntityExtractor
from bot.plugins.components.language_detector import LanguageDetector


@pytest.fixture(scope="module")
def pipeline():
    return LanguageDetector(), AgendaEntityExtractor({})


def parse(pipeline, text, entities=()):
    message = Message(data={"text": text, "entities": list(entities)})
    for component in pipeline:
        component.process([message])
    return message


def test_entities_carry_type_value_span_and_extractor(pipeline):
    message = parse(pipeline, "Qu'est-ce qu'il y a jeudi après-midi à 15h ?")
    found = [(e["entity"], e["value"], e["start"], e["end"], e["extractor"]) for e in message.get("entities")]
    assert found == [
        ("agenda_day", "weekday:4", 20, 25, "AgendaEntityExtractor"),
        ("agenda_part", "afternoon", 26, 36, "AgendaEntityExtractor"),
        ("agenda_time", "15:00", 39, 42, "AgendaEntityExtractor"),
    ]


def test_reliable_language_selects_its_word_lists(pipeline):
    # German "hier" means "here"; only with all six lists would it be French "yesterday".
    assert parse(pipeline, "Was ist hier heute los?").get("entities") == [
        {"entity": "agenda_day", "value": "today", "start": 13, "end": 18, "text": "heute",
         "extractor": "AgendaEntityExtractor"}]


def test_short_messages_use_every_language(pipeline):
    values = {e["value"] for e in parse(pipeline, "demain ?").get("entities")}
    assert values == {"tomorrow"}


def test_other_entities_are_kept(pipeline):
    payload_entity = {"entity": "agenda_session", "value": "opening", "start": 0, "end": 0}
    message = parse(pipeline, "ok", [payload_entity])
    assert message.get("entities") == [payload_entity]
