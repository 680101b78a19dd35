"""Slack (Events API and button clicks), signed with the signing secret, replay-protected.

A request is accepted only with a valid ``X-Slack-Signature`` over a timestamp at most
five minutes away from now, so a captured request cannot be replayed later. Slack
wants an answer within three seconds, so messages are processed after answering;
Slack's retries after a timeout are therefore duplicates and are ignored. The
assistant answers direct messages and mentions, in the channel they came from.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Dict, Optional, Sequence, Tuple

from sanic import response
from sanic.request import Request

from bot.plugins.channels.choices import Button
from bot.plugins.channels.platform import ButtonLimits, Incoming, Parsed, PlatformInput, PlatformOutput
from bot.plugins.channels.signatures import slack_signature_ok, slack_timestamp_fresh

# <@U123> mentions of the bot, and <https://…|label> links Slack made of typed URLs.
_MENTION = re.compile(r"<@[A-Z0-9]+>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def escape(text: str) -> str:
    """Slack reads &, < and > as markup; escaped, replies show exactly the text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def typed_text(text: str) -> str:
    """What the user typed, without mentions and with Slack's link markup undone."""
    text = _MENTION.sub(" ", text)
    return _LINK.sub(lambda m: m.group(2) or m.group(1), text).strip()


class SlackOutput(PlatformOutput):
    CHANNEL = "slack"
    LIMIT = 3000  # the maximum of a text block; plain messages allow more
    BUTTONS = ButtonLimits(count=25, title_chars=75, payload_bytes=2000)

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> None:
        message: Dict[str, Any] = {"channel": recipient_id, "text": escape(text)}
        if buttons:
            message["blocks"] = [
                {"type": "section", "text": {"type": "plain_text", "text": text}},
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]}
                        for b in buttons
                    ],
                },
            ]
        await self.call_api(
            f"{self.settings['SLACK_API_URL'].rstrip('/')}/chat.postMessage",
            json=message,
            headers={"Authorization": f"Bearer {self.settings['SLACK_BOT_TOKEN']}"},
        )

    def delivery_problem(self, status: int, payload: Any) -> Optional[str]:
        """Slack answers refusals with HTTP 200 and ``"ok": false``."""
        if isinstance(payload, dict) and payload.get("ok") is False:
            return f"Slack error {payload.get('error')!r}"
        return super().delivery_problem(status, payload)


class SlackInput(PlatformInput):
    REQUIRED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    OPTIONAL = {"SLACK_API_URL": "https://slack.com/api"}
    OUTPUT = SlackOutput
    SIGNATURE_HEADER = "X-Slack-Signature"
    IN_BACKGROUND = True

    def authentication_problem(self, request: Request) -> Optional[Tuple[int, str]]:
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        if request.headers.get(self.SIGNATURE_HEADER) and not slack_timestamp_fresh(timestamp, time.time()):
            return 403, "the request timestamp is missing or more than five minutes away (replay?)"
        return super().authentication_problem(request)

    def signature_ok(self, request: Request, signature: str) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        return slack_signature_ok(
            self.configured_settings["SLACK_SIGNING_SECRET"], request.body, timestamp, signature, time.time()
        )

    def parse(self, request: Request) -> Parsed:
        if request.headers.get("X-Slack-Retry-Reason") == "http_timeout":
            return []  # we answered late once, but the message is being handled
        if "payload" in request.form:
            return _button_click(json.loads(request.form.get("payload")))
        body = request.json
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge")})
        event = body.get("event") or {}
        is_user_message = (
            (
                event.get("type") == "app_mention"
                or (event.get("type") == "message" and event.get("channel_type") == "im")
            )
            and not event.get("bot_id")
            and not event.get("subtype")
        )
        if body.get("type") != "event_callback" or not is_user_message:
            return []
        channel = event["channel"]
        return [Incoming(event["user"], typed_text(event.get("text", "")), {"out_channel": channel}, channel)]


def _button_click(payload: Dict[str, Any]) -> Parsed:
    actions = payload.get("actions") or []
    if payload.get("type") != "block_actions" or not actions or "value" not in actions[0]:
        return []
    channel = (payload.get("channel") or {}).get("id")
    return [Incoming(payload["user"]["id"], actions[0]["value"], {"out_channel": channel}, channel)]
