"""An unreachable platform loses its own replies (logged); the other channels keep working."""

import requests

from tests.support.fakes import SLACK_SECRET, TELEGRAM_SECRET
from tests.channels.payloads import new_id, slack_direct_message, telegram_message
from tests.channels.signing import slack_headers


def test_telegram_down_is_logged_and_slack_still_answers(servers, webhook, platforms):
    telegram = platforms["telegram"]
    telegram.stop()
    try:
        chat = new_id()
        answer = requests.post(webhook("telegram"), json=telegram_message(chat, "Where is the venue?"),
                               headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, timeout=120)
        assert answer.status_code == 200  # the message was processed; only the reply was lost

        user, channel = f"U{new_id(10)}", f"D{new_id(10)}"
        body = slack_direct_message(user, channel, "Where is the venue?")
        requests.post(webhook("slack"), data=body, timeout=120,
                      headers={"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)})
        platforms["slack"].wait_for(lambda call: call.json()["channel"] == channel and "Lamot" in call.json()["text"])
    finally:
        telegram.start()
    log = (servers.logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "telegram: the platform API is unreachable" in log

