"""Correctly signed but malformed webhooks get a 4xx (or are ignored), never a 500."""

import json

import pytest
import requests

from tests.support.fakes import FACEBOOK_APP_SECRET, SLACK_SECRET, TELEGRAM_SECRET
from tests.channels.payloads import new_id, telegram_message
from tests.channels.signing import messenger_headers, slack_headers

TELEGRAM = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}


@pytest.mark.parametrize("body", [b"not json", b"[]", b"null", b'{"message": {"text": "hi"}}'])
def test_telegram_garbage_is_a_4xx(webhook, body):
    answer = requests.post(webhook("telegram"), data=body, headers=TELEGRAM, timeout=60)
    assert 400 <= answer.status_code < 500


def test_messenger_event_without_sender_is_a_400(webhook):
    body = json.dumps({"object": "page", "entry": [{"messaging": [{"message": {"text": "hi"}}]}]}).encode()
    answer = requests.post(webhook("facebook"), data=body, timeout=60,
                           headers={"Content-Type": "application/json", **messenger_headers(FACEBOOK_APP_SECRET, body)})
    assert answer.status_code == 400


def test_slack_click_with_a_broken_payload_is_a_400(webhook):
    body = b"payload=%7Bnot-json"
    answer = requests.post(webhook("slack"), data=body, timeout=60,
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    **slack_headers(SLACK_SECRET, body)})
    assert answer.status_code == 400


def test_an_overlong_message_is_dropped_and_not_stored(webhook, stored_events):
    chat = new_id()
    answer = requests.post(webhook("telegram"), json=telegram_message(chat, "venue " * 1000),
                           headers=TELEGRAM, timeout=60)
    assert answer.status_code == 200
    assert stored_events(str(chat)) == 0
