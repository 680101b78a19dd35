import pytest
from hypothesis import given, strategies as st

from bot.plugins.channels.payload import MAX_MESSAGE_CHARS, PayloadError, clean_text, parse_rest_payload


def test_valid_payload():
    message = parse_rest_payload({"sender": " u1 ", "message": " hello\u0000 ", "metadata": {"language": "fr"}})
    assert (message.sender, message.text, message.metadata) == ("u1", "hello", {"language": "fr"})


@pytest.mark.parametrize(
    "body, status, reason",
    [
        ([1, 2], 400, "JSON object"),
        (None, 400, "JSON object"),
        ({"message": "hi"}, 400, "'sender'"),
        ({"sender": "", "message": "hi"}, 400, "'sender'"),
        ({"sender": "x" * 129, "message": "hi"}, 400, "at most 128"),
        ({"sender": "a\u0000b", "message": "hi"}, 400, "printable"),
        ({"sender": "u", "message": 42}, 400, "'message' must be a string"),
        ({"sender": "u", "message": None}, 400, "'message' must be a string"),
        ({"sender": "u", "message": "  \n\t"}, 400, "empty"),
        ({"sender": "u", "message": "\u0000\u0001"}, 400, "empty"),
        ({"sender": "u", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, "longer than"),
        ({"sender": "u", "message": "hi", "metadata": "fr"}, 400, "'metadata'"),
    ],
)
def test_invalid_payloads_are_refused_with_a_reason(body, status, reason):
    with pytest.raises(PayloadError) as caught:
        parse_rest_payload(body)
    assert caught.value.status == status
    assert reason in caught.value.reason


@given(st.text())
def test_clean_text_keeps_no_control_characters(text):
    cleaned = clean_text(text)
    assert "\x00" not in cleaned
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned) == cleaned
