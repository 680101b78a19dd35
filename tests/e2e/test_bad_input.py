"""Bad input over REST: a 4xx or a polite reply, never a 500, and the server keeps answering."""

import json
import uuid

import pytest
import requests

CASES = {
    "empty message": {"sender": "bad-1", "message": ""},
    "whitespace only": {"sender": "bad-2", "message": "   \n\t "},
    "10,000 characters": {"sender": "bad-3", "message": "conference " * 910},
    "only emoji": {"sender": "bad-4", "message": "🙂🎉🙂🎉🙂"},
    "script tags": {"sender": "bad-5", "message": "<script>alert('x')</script> where is the venue?"},
    "NUL byte": {"sender": "bad-6", "message": "where\u0000 is the venue?"},
    "missing sender": {"message": "Where does the conference take place?"},
    "message is a number": {"sender": "bad-8", "message": 42},
    "message is null": {"sender": "bad-9", "message": None},
}


def post(servers, data: bytes, content_type="application/json"):
    return requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", data=data,
                         headers={"Content-Type": content_type}, timeout=60)


def assert_still_answering(servers):
    # A new conversation each time: one sender asking this often would meet its rate limit.
    reply = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                          json={"sender": f"after-bad-input-{uuid.uuid4().hex[:8]}",
                                "message": "Where does the conference take place?"},
                          timeout=30)
    assert reply.status_code == 200
    assert "Lamot" in json.dumps(reply.json(), ensure_ascii=False)


@pytest.mark.parametrize("case", CASES)
def test_bad_json_body_is_handled(servers, case):
    response = post(servers, json.dumps(CASES[case]).encode())
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert isinstance(response.json(), list)
    assert_still_answering(servers)


@pytest.mark.parametrize(
    "body",
    [b'{"sender": "x", "message": ', b"not json at all", b"\xff\xfe\x00bad utf8", b"", b"[1, 2, 3]"],
    ids=["truncated", "not json", "invalid utf-8", "empty body", "json list"],
)
def test_malformed_body_gets_a_4xx(servers, body):
    response = post(servers, body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_still_answering(servers)
