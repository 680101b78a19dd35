"""Facebook Messenger: ``X-Hub-Signature-256`` checked on every event, replies via the Send API.

Rasa's connector checks only the older SHA-1 header and stops at the first event of a
batch; this one checks the SHA-256 signature Meta recommends and handles every event.
Quick replies are real buttons on Messenger, within its limits (13 options, titles of
at most 20 characters); longer option lists become a numbered list.
``FACEBOOK_API_URL`` includes the Graph API version.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.choices import Button
from bot.plugins.channels.platform import ButtonLimits, Incoming, Parsed, PlatformInput, PlatformOutput
from bot.plugins.channels.signatures import facebook_signature_ok, secret_equals


class FacebookOutput(PlatformOutput):
    CHANNEL = "facebook"
    LIMIT = 2000
    BUTTONS = ButtonLimits(count=13, title_chars=20, payload_bytes=1000)  # quick replies

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> None:
        message: Dict[str, Any] = {"text": text}
        if buttons:
            message["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons
            ]
        await self.call_api(
            f"{self.settings['FACEBOOK_API_URL'].rstrip('/')}/me/messages",
            params={"access_token": self.settings["FACEBOOK_PAGE_ACCESS_TOKEN"]},
            json={"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message},
        )


class FacebookInput(PlatformInput):
    REQUIRED = ("FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN")
    OPTIONAL = {"FACEBOOK_API_URL": "https://graph.facebook.com/v19.0"}
    OUTPUT = FacebookOutput
    SIGNATURE_HEADER = "X-Hub-Signature-256"

    def verification(self, request: Request) -> HTTPResponse:
        """Meta's subscription handshake: echo the challenge if the verify token matches."""
        expected = self.configured_settings["FACEBOOK_VERIFY_TOKEN"]
        token_ok = secret_equals(expected, request.args.get("hub.verify_token"))
        if request.args.get("hub.mode") == "subscribe" and token_ok:
            return response.text(request.args.get("hub.challenge", ""))
        return response.json({"error": "wrong verify token"}, status=403)

    def signature_ok(self, request: Request, signature: str) -> bool:
        return facebook_signature_ok(self.configured_settings["FACEBOOK_APP_SECRET"], request.body, signature)

    def parse(self, request: Request) -> Parsed:
        body = request.json
        if body.get("object") != "page":
            return []
        messages: List[Incoming] = []
        for entry in body.get("entry") or []:
            for event in entry.get("messaging") or []:
                text = _event_text(event)
                if text is not None:
                    messages.append(Incoming(str(event["sender"]["id"]), text))
        return messages


def _event_text(event: Dict[str, Any]) -> Optional[str]:
    """A quick reply's payload, a typed text or a postback's payload; None for the rest."""
    message = event.get("message") or {}
    if message.get("is_echo"):
        return None  # our own replies, echoed back
    quick_reply = message.get("quick_reply") or {}
    return quick_reply.get("payload") or message.get("text") or (event.get("postback") or {}).get("payload")
