"""Property-based tests of the project's parsing and normalising code (no servers).

Each property says what must hold for *any* input: the functions either return a
well-formed result or refuse with their own error type, never anything else.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.plugins.channels.payload import (MAX_MESSAGE_CHARS, PayloadError, parse_rest_payload,
                                  parse_socketio_payload)
from bot.conversation.content import ContentError, load_content
from bot.conversation.languages import LanguageIdentifier, choose_language, load_catalogue
from bot.conversation.redact import EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, redact_text, redact_value
from bot.tools.retention import parse_duration
from bot.conversation.text import normalise

CATALOGUE = load_catalogue()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\ufeff]")


@given(JSON)
def test_rest_payload_is_a_message_or_a_refusal(body):
    try:
        message = parse_rest_payload(body)
    except PayloadError as error:
        assert 400 <= error.status < 500 and error.reason
        return
    assert message.text and len(message.text) <= MAX_MESSAGE_CHARS
    assert not _FORBIDDEN.search(message.text)
    message.text.encode("utf-8")  # storable: no lone surrogates


@given(st.fixed_dictionaries({"message": st.text(), "session_id": st.text(max_size=200)},
                             optional={"customData": JSON}) | JSON)
def test_socketio_event_is_a_message_or_a_refusal(data):
    try:
        message = parse_socketio_payload(data, "customData", None)
    except PayloadError as error:
        assert 400 <= error.status < 500
        return
    assert message.text and not _FORBIDDEN.search(message.text)
    assert message.metadata is None or isinstance(message.metadata, dict)


@given(st.text())
def test_normalise_is_idempotent_and_lower_case(text):
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.casefold()


@pytest.fixture(scope="module")
def detector():
    return LanguageIdentifier(CATALOGUE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_language_detection_always_gives_a_supported_code_or_none(detector, text):
    detection = detector.detect(text)
    assert detection.code is None or detection.code in CATALOGUE.codes
    assert 0.0 <= detection.confidence <= 1.0
    json.dumps(detection.as_dict())  # stored in the parse data


CODES = st.none() | st.sampled_from(CATALOGUE.codes) | st.text(max_size=8)
DETECTIONS = st.fixed_dictionaries({}, optional={
    "code": CODES, "mentioned": CODES, "lexicon": CODES, "reliable": st.booleans(),
    "words": st.integers(0, 1000), "confidence": st.floats(0, 1)})


@given(current=st.none() | st.sampled_from(CATALOGUE.codes), detection=DETECTIONS,
       intent=st.none() | st.text(max_size=20), requested=CODES | JSON, prior=CODES | JSON)
def test_chosen_language_is_supported_or_none(current, detection, intent, requested, prior):
    chosen = choose_language(CATALOGUE, current, detection, intent, requested, prior)
    assert chosen is None or chosen in CATALOGUE.codes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.text(max_size=400) | JSON.map(lambda v: json.dumps(v)))
def test_content_loader_accepts_or_names_the_problem(tmp_path_factory, content):
    directory = tmp_path_factory.mktemp("content")
    (directory / "venue.yml").write_text(content, encoding="utf-8", errors="replace")
    try:
        load_content(Path(directory))
    except ContentError as error:
        assert error.problems and all(isinstance(p, str) for p in error.problems)


EMAILS = st.from_regex(r"[a-z][a-z0-9._-]{0,10}@[a-z]{2,8}\.(be|org|com)", fullmatch=True)
PHONES = st.from_regex(r"\+32 4\d{2} \d{2} \d{2} \d{2}|0\d{2} \d{2} \d{2} \d{2}|\+1 \(\d{3}\) \d{3}-\d{4}",
                       fullmatch=True)
WORDS = st.text(alphabet=string.ascii_letters + " éàüا", max_size=30)


@given(WORDS, EMAILS | PHONES, WORDS)
def test_redaction_removes_emails_and_phones(before, secret, after):
    redacted = redact_text(f"{before} {secret} {after}")
    assert secret not in redacted
    assert EMAIL_PLACEHOLDER in redacted or PHONE_PLACEHOLDER in redacted
    assert redact_text(redacted) == redacted


@given(st.text(alphabet=string.ascii_letters + " .,?!éàüا-", max_size=200))
def test_text_without_digits_or_at_signs_is_not_changed(text):
    assert redact_text(text) == text


@given(st.text(alphabet=string.printable + "éا٣٤@+()", max_size=80) | st.text(max_size=40))
def test_redaction_skips_only_what_its_patterns_cannot_match(text):
    """Strings without "@" or a digit skip the patterns: the result is the patterns' own."""
    from bot.conversation.redact import _EMAIL, _PHONE_CANDIDATE, _phone_or_keep

    assert redact_text(text) == _PHONE_CANDIDATE.sub(_phone_or_keep, _EMAIL.sub(EMAIL_PLACEHOLDER, text))


@given(st.sampled_from(["16.11.2017", "2017-11-16", "16–17 November 2017", "16/11/2017",
                        "10:00-12:30", "room 214", "2017 2018"]))
def test_dates_and_times_survive_redaction(text):
    assert redact_text(text) == text


def _shape(value):
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return "" if isinstance(value, str) else value


@given(JSON)
def test_redact_value_keeps_the_shape_and_non_text(value):
    assert _shape(redact_value(value)) == _shape(value)


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["s", "m", "h", "d", "w"]))
def test_durations_parse(number, unit):
    factor = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    assert parse_duration(f"{number}{unit}") == number * factor


@given(st.text(max_size=10).filter(lambda t: not re.fullmatch(r"\s*\d+(\.\d+)?\s*[smhdw]\s*", t)))
def test_bad_durations_name_the_input(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)
