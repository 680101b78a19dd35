"""Webhook bodies as the platforms send them, after the examples in their documentation.

Only ids and texts vary per test, so that conversations do not mix.
"""

from __future__ import annotations

import json
import random
from typing import Any, Dict, Optional


def new_id(digits: int = 9) -> int:
    return random.randint(10 ** (digits - 1), 10 ** digits - 1)


def telegram_message(chat_id: int, text: str, language_code: Optional[str] = "en") -> Dict[str, Any]:
    """https://core.telegram.org/bots/webhooks#testing-your-bot-with-updates (a private chat)."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "last_name": "Test Lastname",
            "username": "Test"}
    if language_code:
        user["language_code"] = language_code
    return {
        "update_id": new_id(),
        "message": {
            "message_id": new_id(4), "from": user,
            "chat": {"id": chat_id, "first_name": "Test", "last_name": "Test Lastname", "username": "Test",
                     "type": "private"},
            "date": 1441645532, "text": text,
        },
    }


def telegram_button(chat_id: int, data: str, language_code: str = "en") -> Dict[str, Any]:
    """A tap on an inline keyboard button: https://core.telegram.org/bots/api#callbackquery"""
    message = telegram_message(chat_id, "Choose a topic", language_code)["message"]
    return {
        "update_id": new_id(),
        "callback_query": {"id": str(new_id(12)), "from": message["from"], "message": message,
                           "chat_instance": str(new_id(12)), "data": data},
    }


def twilio_whatsapp(sender: str, text: str, to: str) -> Dict[str, str]:
    """Form fields of an incoming WhatsApp message:
    https://www.twilio.com/docs/messaging/guides/webhook-request"""
    sid = "SM" + "%032x" % new_id(30)
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Test", "MessageType": "text",
        "SmsSid": sid, "WaId": sender.split("+")[-1], "SmsStatus": "received", "Body": text, "To": to,
        "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": "AC" + "1" * 32, "From": sender, "ApiVersion": "2010-04-01",
    }


def messenger_message(psid: str, text: str, quick_reply: Optional[str] = None) -> bytes:
    """https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages"""
    message: Dict[str, Any] = {"mid": f"m_{new_id(12)}", "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    body = {"object": "page", "entry": [{"id": "1234567890", "time": 1458692752478, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": "1234567890"}, "timestamp": 1458692752478,
        "message": message}]}]}
    return json.dumps(body).encode()


def slack_direct_message(user: str, channel: str, text: str) -> bytes:
    """An event_callback for message.im: https://api.slack.com/events/message.im"""
    body = {
        "token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456",
        "event": {"type": "message", "channel": channel, "user": user, "text": text,
                  "ts": "1355517523.000005", "event_ts": "1355517523.000005", "channel_type": "im"},
        "type": "event_callback", "event_id": f"Ev{new_id()}", "event_time": 1355517523,
        "authorizations": [{"enterprise_id": None, "team_id": "T123ABC456", "user_id": "U123ABC456",
                            "is_bot": True}],
    }
    return json.dumps(body).encode()


def slack_button_click(user: str, channel: str, title: str, value: str) -> str:
    """The ``payload`` form field of a block_actions request:
    https://api.slack.com/reference/interaction-payloads/block-actions"""
    return json.dumps({
        "type": "block_actions", "user": {"id": user, "username": "test", "team_id": "T123ABC456"},
        "api_app_id": "A123ABC456", "token": "XXYYZZ", "trigger_id": "12466734323.1395872398",
        "team": {"id": "T123ABC456", "domain": "test"}, "channel": {"id": channel, "name": "directmessage"},
        "response_url": "https://hooks.slack.com/actions/T123ABC456/1/abc",
        "actions": [{"action_id": "topic", "block_id": "topics", "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": title}, "action_ts": "1548426417.840180"}],
    })
