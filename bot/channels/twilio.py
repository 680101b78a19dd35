"""WhatsApp and SMS through Twilio, with the request signature Rasa's connector skips.

Every webhook must carry a valid ``X-Twilio-Signature`` (HMAC-SHA1 with the account's
auth token over the webhook URL and the form fields). Twilio signs the URL it called,
which behind a proxy is not the one this server sees: set ``TWILIO_WEBHOOK_URL`` to
exactly the URL entered in the Twilio console. Neither WhatsApp nor SMS has buttons,
so options arrive as a numbered list, and "2" or the option's title selects one.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import aiohttp
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.choices import Button
from bot.channels.platform import Incoming, Parsed, PlatformInput, PlatformOutput
from bot.channels.signatures import authentication_failure, twilio_signature_ok

SIGNATURE_HEADER = "X-Twilio-Signature"
# An empty TwiML answer: "received, nothing to say here" (replies go via the REST API).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioOutput(PlatformOutput):
    LIMIT = 1600  # Twilio's maximum message body, SMS and WhatsApp

    @classmethod
    def name(cls) -> str:
        return "twilio"

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

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def authentication_problem(self, request: Request) -> Optional[Tuple[int, str]]:
        header = request.headers.get(SIGNATURE_HEADER)
        url = self.settings["TWILIO_WEBHOOK_URL"] or request.url
        ok = twilio_signature_ok(self.settings["TWILIO_AUTH_TOKEN"], url, dict(request.form), header)
        return authentication_failure(header, ok)

    def parse(self, request: Request) -> Parsed:
        form = request.form
        # A tapped WhatsApp quick-reply button sends its payload besides the title.
        text = form.get("ButtonPayload") or form.get("Body")
        return [Incoming(form.get("From", ""), text or "")]

    def acknowledgement(self) -> HTTPResponse:
        return response.text(EMPTY_TWIML, content_type="text/xml")
