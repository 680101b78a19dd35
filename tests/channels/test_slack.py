"""Slack: signing secret with a replay window, answers in the channel, button clicks."""

import time

import requests

from tests.support.fakes import SLACK_SECRET, SLACK_TOKEN
from tests.channels.payloads import new_id, slack_button_click, slack_direct_message
from tests.channels.signing import slack_headers
from tests.e2e.replies import language_of


def post(webhook, body, content_type="application/json", secret=SLACK_SECRET, timestamp=None):
    headers = {"Content-Type": content_type, **(slack_headers(secret, body, timestamp) if secret else {})}
    return requests.post(webhook("slack"), data=body, headers=headers, timeout=120)


def conversation():
    return f"U{new_id(10)}", f"D{new_id(10)}"


def sent_to(channel):
    return lambda call: call.json()["channel"] == channel


def test_a_direct_message_is_answered_in_its_language(webhook, platforms):
    user, channel = conversation()
    assert post(webhook, slack_direct_message(user, channel, "أين يعقد المؤتمر؟")).status_code == 200
    calls = platforms["slack"].wait_for(lambda call: sent_to(channel)(call) and "Lamot" in call.json()["text"])
    reply = calls[0].json()["text"]
    assert language_of(reply) == "ar"
    assert all(call.path == "/api/chat.postMessage" and call.headers["Authorization"] == f"Bearer {SLACK_TOKEN}"
               for call in calls)


def test_options_are_buttons_and_a_click_answers(webhook, platforms):
    user, channel = conversation()
    post(webhook, slack_direct_message(user, channel, "What can you do?"))
    calls = platforms["slack"].wait_for(lambda call: sent_to(channel)(call) and "blocks" in call.json())
    buttons = calls[0].json()["blocks"][1]["elements"]
    assert {"Venue": "/ask_venue"}.items() <= {b["text"]["text"]: b["value"] for b in buttons}.items()

    click = "payload=" + requests.utils.quote(slack_button_click(user, channel, "Venue", "/ask_venue"))
    assert post(webhook, click.encode(), "application/x-www-form-urlencoded").status_code == 200
    platforms["slack"].wait_for(lambda call: sent_to(channel)(call) and "Lamot" in call.json()["text"])


def test_url_verification_challenge_is_echoed(webhook):
    body = b'{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}'
    answer = post(webhook, body)
    assert answer.status_code == 200
    assert answer.json()["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


def test_wrong_or_missing_signature_is_refused_and_reaches_no_conversation(webhook, platforms, stored_events):
    user, channel = conversation()
    body = slack_direct_message(user, channel, "Where is the venue?")
    assert post(webhook, body, secret="not-the-signing-secret").status_code == 403
    assert post(webhook, body, secret=None).status_code == 401
    assert stored_events(user) == 0
    assert not platforms["slack"].calls_matching(sent_to(channel))


def test_a_replayed_request_outside_the_window_is_refused(webhook, platforms, stored_events):
    user, channel = conversation()
    body = slack_direct_message(user, channel, "Where is the venue?")
    ten_minutes_ago = int(time.time()) - 600
    assert post(webhook, body, timestamp=ten_minutes_ago).status_code == 403
    time.sleep(2)  # processing would be in the background: give it a chance to (wrongly) happen
    assert stored_events(user) == 0
    assert not platforms["slack"].calls_matching(sent_to(channel))
