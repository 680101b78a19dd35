"""Webhook authentication, checked against the platforms' documented algorithms."""

import hashlib
import hmac

from bot.plugins.channels.signatures import (
    SLACK_WINDOW_S,
    authentication_failure,
    facebook_signature_ok,
    slack_signature_ok,
    slack_timestamp_fresh,
    secret_equals,
    twilio_signature,
    twilio_signature_ok,
)

# The example in Twilio's "Secure webhooks" documentation.
TWILIO_DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_DOC_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
                     "From": "+12349013030", "To": "+18005551212"}
TWILIO_DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_signature_matches_the_documented_example():
    assert twilio_signature("12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS) == TWILIO_DOC_SIGNATURE
    assert twilio_signature_ok("12345", TWILIO_DOC_URL, {k: [v] for k, v in TWILIO_DOC_PARAMS.items()},
                               TWILIO_DOC_SIGNATURE)


def test_twilio_signature_fails_for_another_url_field_or_token():
    assert not twilio_signature_ok("12345", TWILIO_DOC_URL.replace("foo=1", "foo=2"), TWILIO_DOC_PARAMS,
                                   TWILIO_DOC_SIGNATURE)
    assert not twilio_signature_ok("12345", TWILIO_DOC_URL, {**TWILIO_DOC_PARAMS, "Digits": "9"},
                                   TWILIO_DOC_SIGNATURE)
    assert not twilio_signature_ok("54321", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, TWILIO_DOC_SIGNATURE)
    assert not twilio_signature_ok("12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, None)


def _slack_sign(secret: str, timestamp: int, body: bytes) -> str:
    # Slack's documented recipe: "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>".
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def test_slack_accepts_a_fresh_correct_signature_only():
    body, now = b'{"type":"event_callback"}', 1_700_000_000
    signature = _slack_sign("s3cret", now - 10, body)
    assert slack_signature_ok("s3cret", body, str(now - 10), signature, now=now)
    assert not slack_signature_ok("other", body, str(now - 10), signature, now=now)
    assert not slack_signature_ok("s3cret", body + b" ", str(now - 10), signature, now=now)
    assert not slack_signature_ok("s3cret", body, "not a number", signature, now=now)


def test_slack_timestamp_must_be_a_number_within_five_minutes():
    now = 1_700_000_000
    assert slack_timestamp_fresh(str(now - SLACK_WINDOW_S), now)
    assert not slack_timestamp_fresh(str(now - SLACK_WINDOW_S - 1), now)
    assert not slack_timestamp_fresh(None, now)


def test_slack_refuses_a_correctly_signed_request_outside_the_replay_window():
    body, now = b"{}", 1_700_000_000
    for sent in (now - SLACK_WINDOW_S - 1, now + SLACK_WINDOW_S + 1):
        assert not slack_signature_ok("s3cret", body, str(sent), _slack_sign("s3cret", sent, body), now=now)


def test_facebook_checks_the_sha256_header():
    body = b'{"object":"page"}'
    signature = "sha256=" + hmac.new(b"appsecret", body, hashlib.sha256).hexdigest()
    assert facebook_signature_ok("appsecret", body, signature)
    assert not facebook_signature_ok("appsecret", body + b" ", signature)
    sha1 = "sha1=" + hmac.new(b"appsecret", body, hashlib.sha1).hexdigest()
    assert not facebook_signature_ok("appsecret", body, sha1)


def test_a_shared_secret_must_be_equal_and_present():
    assert secret_equals("abc_123", "abc_123")
    assert not secret_equals("abc_123", "abc_124")
    assert not secret_equals("abc_123", None)


def test_missing_credentials_are_401_and_wrong_ones_403():
    assert authentication_failure(None, False)[0] == 401
    assert authentication_failure("x", False)[0] == 403
    assert authentication_failure("x", True) is None
