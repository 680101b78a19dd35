"""Hand-off to a person, end to end against the shared ``make run`` and the platform fakes:
the attendee asks for a person on their channel, the organisers see it in their Slack
channel, a reply in the thread reaches the attendee on that channel, the assistant stays
silent meanwhile, and the hand-off closes ("done", "back to the assistant", a timeout,
"forget me"). One channel per language here; Arabic is the web chat (tests/browser)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from tests.channels.handoff import (OPENING, handoff_settings, note, organiser_says, organisers_post, relayed,
                                    thread_root, wait_until_stored)
from tests.channels.payloads import (messenger_message, new_id, slack_button_click, slack_direct_message,
                                     telegram_button, telegram_message)
from tests.channels.test_messenger import send as messenger, sent_to as messenger_to
from tests.channels.test_slack import post as slack, sent_to as slack_to
from tests.channels.test_telegram import send as telegram, sent_to as telegram_to
from tests.channels.test_whatsapp import new_sender, send as whatsapp, sent_to as whatsapp_to
from tests.support.fakes import ORGANISERS_CHANNEL
from tests.support.servers import Chat

OPEN = '/request_human{"handoff_step": "open"}'


def bodies(calls, key=lambda call: call.form()["Body"]):
    return [key(call) for call in calls]


def test_whatsapp_in_spanish_reaches_the_organisers_and_their_reply_comes_back(webhook, platforms):
    twilio, slack_api = platforms["twilio"], platforms["slack"]
    sender = new_sender()
    whatsapp(webhook, sender, "¿Dónde se celebra la conferencia? Mi teléfono es +32 470 12 34 56")
    twilio.wait_for(lambda call: whatsapp_to(sender)(call) and "Lamot" in call.form()["Body"])

    whatsapp(webhook, sender, "Quiero hablar con una persona")
    offer = twilio.wait_for(lambda call: whatsapp_to(sender)(call) and "1. Sí" in call.form()["Body"])
    assert "organizadores" in offer[0].form()["Body"]
    whatsapp(webhook, sender, "1")
    twilio.wait_for(lambda call: whatsapp_to(sender)(call) and "He pasado esta conversación" in call.form()["Body"])

    # While the hand-off is open the assistant says nothing (Twilio replies go out before
    # the webhook answers), and the message goes to the organisers' thread instead.
    already = len(twilio.calls_matching(whatsapp_to(sender)))
    marker = str(new_id(5))
    assert whatsapp(webhook, sender, f"He perdido mi acreditación, número {marker}").status_code == 200
    assert len(twilio.calls_matching(whatsapp_to(sender))) == already
    thread = relayed(slack_api, marker).json()["thread_ts"]
    first = thread_root(slack_api, thread)["text"]
    assert "Channel: twilio" in first and "Español (es)" in first
    assert "¿Dónde se celebra la conferencia?" in first and "[phone]" in first and "470 12 34" not in first

    organiser_says(webhook, thread, "Hola, soy Ana, de la organización. ¿En qué sesión está?")
    twilio.wait_for(lambda call: whatsapp_to(sender)(call)
                    and call.form()["Body"] == "Hola, soy Ana, de la organización. ¿En qué sesión está?")

    organiser_says(webhook, thread, "done")
    twilio.wait_for(lambda call: whatsapp_to(sender)(call) and "El organizador ha cerrado" in call.form()["Body"])
    note(slack_api, thread, "Closed")
    whatsapp(webhook, sender, "¿Dónde se celebra la conferencia?")
    assert "Lamot" in bodies(twilio.calls_matching(whatsapp_to(sender)))[-1]


def test_rest_in_english_gets_replies_with_its_next_message_and_forget_me_deletes_the_thread(
        webhook, platforms, servers):
    slack_api = platforms["slack"]
    chat = Chat(servers.rasa_url)
    offer = chat.send("Can I talk to a person?")
    assert "pass this conversation to the conference organisers" in offer[0]["text"]
    assert OPEN in [button["payload"] for button in offer[0]["buttons"]]
    assert "I have passed this conversation" in chat.say(OPEN)

    marker = str(new_id(5))
    assert chat.send(f"My badge number {marker} does not work") == []  # silent: a person answers
    thread = relayed(slack_api, marker).json()["thread_ts"]
    organiser_says(webhook, thread, "Hello, Ana from the organisers here. Which entrance are you at?")
    wait_until_stored(servers.tracker_db, chat.sender, "Hello, Ana from the organisers here. Which entrance are you at?")
    # REST is request/response: the reply waits for the client's next message.
    assert chat.say("The main one") == "Hello, Ana from the organisers here. Which entrance are you at?"

    forgotten = chat.say("delete my data")
    assert "I have deleted this conversation" in forgotten
    deleted = slack_api.wait_for(lambda call: call.path.endswith("/chat.delete") and call.json()["ts"] == thread)
    assert deleted[0].json()["channel"] == ORGANISERS_CHANNEL
    note(slack_api, thread, "asked to delete their data")


def test_a_handoff_nobody_answers_reminds_then_times_out_on_telegram_in_german(webhook, platforms, servers):
    bot, slack_api = platforms["telegram"], platforms["slack"]
    chat = new_id()
    with handoff_settings(servers.handoff_settings, no_reply_minutes=0.02, timeout_minutes=0.1):
        telegram(webhook, telegram_message(chat, "Ich möchte bitte mit einem Menschen sprechen", "de"))
        offer = bot.wait_for(lambda call: telegram_to(chat)(call) and "reply_markup" in call.json())
        assert {"Ja", "Nein"} <= {row[0]["text"] for row in offer[0].json()["reply_markup"]["inline_keyboard"]}
        telegram(webhook, telegram_button(chat, OPEN, "de"))
        bot.wait_for(lambda call: telegram_to(chat)(call) and "Ich habe dieses Gespräch" in call.json()["text"])
        bot.wait_for(lambda call: telegram_to(chat)(call) and "Bisher konnte noch kein Veranstalter" in call.json()["text"])
        bot.wait_for(lambda call: telegram_to(chat)(call) and "Seit einer Weile hat kein Veranstalter" in call.json()["text"])
    root = organisers_post(slack_api, lambda body: OPENING in body["text"] and "Deutsch (de)" in body["text"]
                           and "Channel: telegram" in body["text"])
    thread = root.answer["ts"]
    note(slack_api, thread, "Nobody has answered")
    note(slack_api, thread, "Closed: nobody answered")


def test_outside_staffed_hours_the_attendee_is_told_when_on_messenger_in_french(webhook, platforms, servers):
    facebook = platforms["facebook"]
    hour = datetime.now(ZoneInfo("Europe/Brussels")).hour
    start = f"{hour + 2:02d}:00" if hour <= 20 else "05:00"  # a period that excludes now
    period = f"{start}-{int(start[:2]) + 1:02d}:00"
    psid = str(new_id(16))
    with handoff_settings(servers.handoff_settings, staffed=[period]):
        messenger(webhook, messenger_message(psid, "Je voudrais parler à une personne, s'il vous plaît"))
        offer = facebook.wait_for(lambda call: messenger_to(psid)(call) and "quick_replies" in call.json()["message"])
        assert [q["title"] for q in offer[0].json()["message"]["quick_replies"]] == ["Oui", "Non"]
        messenger(webhook, messenger_message(psid, "Oui", quick_reply=OPEN))
        told = facebook.wait_for(lambda call: messenger_to(psid)(call)
                                 and "personne n'est de permanence" in call.json()["message"]["text"])
        assert f"{start} (Europe/Brussels)" in told[0].json()["message"]["text"]
        organisers_post(platforms["slack"], lambda body: "Outside staffed hours" in body["text"]
                        and "Channel: facebook" in body["text"] and "Français (fr)" in body["text"])
        messenger(webhook, messenger_message(psid, "Retour à l'assistant"))
        facebook.wait_for(lambda call: messenger_to(psid)(call)
                          and "Vous êtes de retour avec l'assistant" in call.json()["message"]["text"])


def test_a_slack_attendee_in_dutch_gets_the_reply_in_their_direct_messages(webhook, platforms):
    slack_api = platforms["slack"]
    user, channel = f"U{new_id(10)}", f"D{new_id(10)}"
    slack(webhook, slack_direct_message(user, channel, "Kan ik met een medewerker van de organisatie praten?"))
    slack_api.wait_for(lambda call: slack_to(channel)(call) and "blocks" in call.json())
    click = "payload=" + requests.utils.quote(slack_button_click(user, channel, "Ja", OPEN))
    slack(webhook, click.encode(), "application/x-www-form-urlencoded")
    slack_api.wait_for(lambda call: slack_to(channel)(call) and "Ik heb dit gesprek doorgegeven" in call.json()["text"])

    marker = str(new_id(5))
    slack(webhook, slack_direct_message(user, channel, f"Ik zoek zaal {marker}"))
    thread = relayed(slack_api, marker).json()["thread_ts"]
    assert "Nederlands (nl)" in thread_root(slack_api, thread)["text"]
    organiser_says(webhook, thread, "Dag! Zaal A is op de eerste verdieping.")
    slack_api.wait_for(lambda call: slack_to(channel)(call) and call.json()["text"] == "Dag! Zaal A is op de eerste verdieping.")
    slack(webhook, slack_direct_message(user, channel, "Terug naar de assistent"))
    slack_api.wait_for(lambda call: slack_to(channel)(call) and "U bent terug bij de assistent" in call.json()["text"])
    note(slack_api, thread, "went back to the assistant")


def test_organisers_channel_events_must_be_signed(webhook, platforms):
    body = json.dumps({"type": "event_callback", "event": {"type": "message", "channel": "C0ORGANISERS",
                                                           "user": "U1", "text": "hi", "ts": "1.1", "thread_ts": "1.0"}})
    assert requests.post(webhook("slack"), data=body, headers={"Content-Type": "application/json"}).status_code == 401
