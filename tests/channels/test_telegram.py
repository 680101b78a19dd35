"""Telegram: secret-token webhook, replies via sendMessage, language_code at the start."""

import os
import subprocess
import sys

import requests

from tests.support.fakes import TELEGRAM_SECRET, TELEGRAM_TOKEN, platform_environment
from tests.channels.payloads import new_id, telegram_button, telegram_message
from tests.conftest import ROOT
from tests.e2e.replies import language_of

HEADER = "X-Telegram-Bot-Api-Secret-Token"


def send(webhook, update, secret=TELEGRAM_SECRET):
    headers = {HEADER: secret} if secret else {}
    return requests.post(webhook("telegram"), json=update, headers=headers, timeout=120)


def sent_to(chat_id):
    def match(call):
        return call.path.endswith("/sendMessage") and call.json()["chat_id"] == str(chat_id)
    return match


def test_a_question_is_answered_in_its_language(webhook, platforms):
    chat = new_id()
    assert send(webhook, telegram_message(chat, "Où se déroule la conférence ?", "en")).status_code == 200
    calls = platforms["telegram"].wait_for(sent_to(chat))
    reply = "\n".join(call.json()["text"] for call in calls)
    assert "Lamot" in reply
    assert language_of(reply) == "fr"
    assert all(call.path == f"/bot{TELEGRAM_TOKEN}/sendMessage" for call in calls)


def test_language_code_sets_the_language_at_the_start(webhook, platforms):
    chat = new_id()
    assert send(webhook, telegram_message(chat, "/start", "nl")).status_code == 200
    greeting = platforms["telegram"].wait_for(sent_to(chat))[0].json()["text"]
    assert language_of(greeting) == "nl"


def test_options_are_an_inline_keyboard_and_a_tap_answers(webhook, platforms):
    chat = new_id()
    send(webhook, telegram_message(chat, "What can you do?", "en"))
    calls = platforms["telegram"].wait_for(sent_to(chat))
    keyboards = [call.json()["reply_markup"]["inline_keyboard"] for call in calls if "reply_markup" in call.json()]
    assert keyboards, [call.json() for call in calls]
    payloads = [row[0]["callback_data"] for row in keyboards[0]]
    assert "/ask_venue" in payloads

    before = len(calls)
    assert send(webhook, telegram_button(chat, "/ask_venue")).status_code == 200
    platforms["telegram"].wait_for(lambda call: sent_to(chat)(call) and "Lamot" in call.json()["text"])
    assert len(platforms["telegram"].calls_matching(sent_to(chat))) > before
    platforms["telegram"].wait_for(lambda call: call.path.endswith("/answerCallbackQuery"))


def test_wrong_or_missing_secret_is_refused_and_reaches_no_conversation(webhook, platforms, stored_events):
    chat = new_id()
    assert send(webhook, telegram_message(chat, "Where is the venue?"), secret="guessed").status_code == 403
    assert send(webhook, telegram_message(chat, "Where is the venue?"), secret=None).status_code == 401
    assert stored_events(str(chat)) == 0
    assert not platforms["telegram"].calls_matching(sent_to(chat))


def test_register_command_sets_the_webhook_with_the_secret(servers, platforms):
    environment = {**os.environ, **platform_environment(platforms, servers.rasa_url)}
    done = subprocess.run([sys.executable, "-m", "bot", "telegram", "register"], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    registration = platforms["telegram"].wait_for(lambda call: call.path.endswith("/setWebhook"))[-1].json()
    assert registration["url"] == f"{servers.rasa_url}/webhooks/telegram/webhook"
    assert registration["secret_token"] == TELEGRAM_SECRET


def test_register_command_explains_missing_settings(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    done = subprocess.run([sys.executable, "-m", "bot", "telegram", "register"], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "TELEGRAM_TOKEN" in done.stderr
