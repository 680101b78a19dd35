"""WhatsApp via Twilio: signed form posts, numbered options, "2" selects the second one."""

import requests

from tests.support.fakes import TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN
from tests.channels.payloads import new_id, twilio_whatsapp
from tests.channels.signing import twilio_headers
from tests.e2e.replies import language_of


def send(webhook, sender, text, token=TWILIO_TOKEN):
    form = twilio_whatsapp(sender, text, TWILIO_NUMBER)
    headers = twilio_headers(token, webhook("twilio"), form) if token else {}
    return requests.post(webhook("twilio"), data=form, headers=headers, timeout=120)


def sent_to(sender):
    return lambda call: call.form()["To"] == sender


def new_sender():
    return f"whatsapp:+3247{new_id(7)}"


def test_a_question_is_answered_in_its_language(webhook, platforms):
    sender = new_sender()
    answer = send(webhook, sender, "¿Dónde se celebra la conferencia?")
    assert answer.status_code == 200 and "<Response>" in answer.text
    calls = platforms["twilio"].wait_for(sent_to(sender))
    reply = "\n".join(call.form()["Body"] for call in calls)
    assert "Lamot" in reply
    assert language_of(reply) == "es"
    assert {call.form()["From"] for call in calls} == {TWILIO_NUMBER}
    assert {call.path for call in calls} == {f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"}


def test_options_are_a_numbered_list_and_2_answers_the_second(webhook, platforms):
    sender = new_sender()
    send(webhook, sender, "What can you do?")
    bodies = [call.form()["Body"] for call in platforms["twilio"].wait_for(sent_to(sender))]
    menu = next(body for body in bodies if "\n1. " in body)
    assert "1. Venue" in menu and "2. Travel" in menu

    already = len(bodies)
    send(webhook, sender, "2")
    calls = platforms["twilio"].wait_for(lambda call: sent_to(sender)(call) and "Antwerp" in call.form()["Body"])
    travel = calls[-1].form()["Body"]
    assert "halfway between Antwerp and Brussels" in travel
    assert len(platforms["twilio"].calls_matching(sent_to(sender))) > already


def test_the_option_title_selects_it_too(webhook, platforms):
    sender = new_sender()
    send(webhook, sender, "Que peux-tu faire ?")
    menu = "\n".join(call.form()["Body"] for call in platforms["twilio"].wait_for(sent_to(sender)))
    assert "1. Lieu" in menu
    send(webhook, sender, "lieu")
    reply = platforms["twilio"].wait_for(lambda call: sent_to(sender)(call) and "Lamot" in call.form()["Body"])
    assert language_of(reply[-1].form()["Body"]) == "fr"


def test_wrong_or_missing_signature_is_refused_and_reaches_no_conversation(webhook, platforms, stored_events):
    sender = new_sender()
    assert send(webhook, sender, "Where is the venue?", token="not-the-auth-token").status_code == 403
    assert send(webhook, sender, "Where is the venue?", token=None).status_code == 401
    assert stored_events(sender) == 0
    assert not platforms["twilio"].calls_matching(sent_to(sender))
