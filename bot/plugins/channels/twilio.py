"""WhatsApp and SMS through Twilio, with the request signature Rasa's connector skips.

Every webhook must carry a valid ``X-Twilio-Signature`` (HMAC-SHA1 with the account's
auth token over the webhook URL and the form fields). Twilio signs the URL it called,
which behind a proxy is not the one this server sees: set ``TWILIO_WEBHOOK_URL`` to
exactly the URL entered in the Twilio console. Neither WhatsApp nor SMS has buttons,
so options arrive as a numbered list, and "2" or the option's title selects one.
"""

from __future__ import annotations

from typing import Sequence

import aiohttp
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.choices import Button
from bot.plugins.channels.platform import Incoming, Parsed, PlatformInput, PlatformOutput
from bot.plugins.channels.signatures import twilio_signature_ok

# An empty TwiML answer: "received, nothing to say here" (replies go via the REST API).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioOutput(PlatformOutput):
    CHANNEL = "twilio"
    LIMIT = 1600  # Twilio's maximum message body, SMS and WhatsApp

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> None:
        sid = self.settings["TWILIO_ACCOUNT_SID"]
        url = f"{self.settings['TWILIO_API_URL'].rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        await self.call_api(
            url,
            data={"To": recipient_id, "From": self.settings["TWILIO_NUMBER"], "Body": text},
            auth=aiohttp.BasicAuth(sid, self.settings["TWILIO_AUTH_TOKEN"]),
        )


class TwilioInput(PlatformInput):
    REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")
    OPTIONAL = {"TWILIO_API_URL": "https://api.twilio.com", "TWILIO_WEBHOOK_URL": ""}
    OUTPUT = TwilioOutput
    SIGNATURE_HEADER = "X-Twilio-Signature"

    def signature_ok(self, request: Request, signature: str) -> bool:
        settings = self.configured_settings
        url = settings["TWILIO_WEBHOOK_URL"] or request.url
        return twilio_signature_ok(settings["TWILIO_AUTH_TOKEN"], url, dict(request.form), signature)

    def parse(self, request: Request) -> Parsed:
        form = request.form
        # A tapped WhatsApp quick-reply button sends its payload besides the title.
        text = form.get("ButtonPayload") or form.get("Body")
        return [Incoming(form.get("From", ""), text or "")]

    def acknowledgement(self) -> HTTPResponse:
        return response.text(EMPTY_TWIML, content_type="text/xml")
