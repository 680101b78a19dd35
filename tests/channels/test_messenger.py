"""Facebook Messenger: X-Hub-Signature-256, the subscription handshake, quick replies."""

import requests

from tests.support.fakes import FACEBOOK_APP_SECRET, FACEBOOK_PAGE_TOKEN, FACEBOOK_VERIFY
from tests.channels.payloads import messenger_message, new_id
from tests.channels.signing import messenger_headers
from tests.e2e.replies import language_of


def send(webhook, body, secret=FACEBOOK_APP_SECRET):
    headers = {"Content-Type": "application/json", **(messenger_headers(secret, body) if secret else {})}
    return requests.post(webhook("facebook"), data=body, headers=headers, timeout=120)


def sent_to(psid):
    return lambda call: call.json()["recipient"]["id"] == psid


def test_a_question_is_answered_in_its_language(webhook, platforms):
    psid = str(new_id(16))
    assert send(webhook, messenger_message(psid, "Wo findet die Konferenz statt?")).status_code == 200
    calls = platforms["facebook"].wait_for(sent_to(psid))
    reply = "\n".join(call.json()["message"]["text"] for call in calls)
    assert "Lamot" in reply
    assert language_of(reply) == "de"
    assert all(call.path == "/v19.0/me/messages" and call.query["access_token"] == [FACEBOOK_PAGE_TOKEN]
               for call in calls)


def test_options_are_quick_replies_and_choosing_one_answers(webhook, platforms):
    psid = str(new_id(16))
    send(webhook, messenger_message(psid, "What can you do?"))
    calls = platforms["facebook"].wait_for(sent_to(psid))
    quick = [r for call in calls for r in call.json()["message"].get("quick_replies", [])]
    assert {"content_type": "text", "title": "Venue", "payload": "/ask_venue"} in quick

    send(webhook, messenger_message(psid, "Venue", quick_reply="/ask_venue"))
    platforms["facebook"].wait_for(lambda call: sent_to(psid)(call) and "Lamot" in call.json()["message"]["text"])


def test_subscription_handshake_echoes_the_challenge_only_for_the_verify_token(webhook):
    params = {"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY, "hub.challenge": "1158201444"}
    answer = requests.get(webhook("facebook"), params=params, timeout=30)
    assert answer.status_code == 200 and answer.text == "1158201444"
    wrong = requests.get(webhook("facebook"), params={**params, "hub.verify_token": "guess"}, timeout=30)
    assert wrong.status_code == 403 and "1158201444" not in wrong.text


def test_wrong_or_missing_signature_is_refused_and_reaches_no_conversation(webhook, platforms, stored_events):
    psid = str(new_id(16))
    body = messenger_message(psid, "Where is the venue?")
    assert send(webhook, body, secret="not-the-app-secret").status_code == 403
    assert send(webhook, body, secret=None).status_code == 401
    assert stored_events(psid) == 0
    assert not platforms["facebook"].calls_matching(sent_to(psid))
