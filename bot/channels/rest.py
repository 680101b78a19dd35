"""Rasa's REST channel with input validation (still served at /webhooks/rest/webhook)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.payload import PayloadError, parse_rest_payload

logger = logging.getLogger(__name__)


def _json_body(request: Request) -> Any:
    """The parsed body, or a PayloadError for bodies that are not JSON text."""
    try:
        return json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PayloadError(400, f"the body is not valid JSON: {error}") from error


class ValidatingRestInput(RestInput):
    """Answers malformed requests with a 4xx and a reason instead of a 500."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("validating_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = parse_rest_payload(_json_body(request))
            except PayloadError as error:
                return response.json({"error": error.reason}, status=error.status)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(message.text, collector, message.sender,
                                input_channel=self.name(), metadata=message.metadata)
                )
            except (Exception, asyncio.CancelledError):
                # Rasa's own channel logs and returns an empty 200 here, which hides
                # lost messages from the client; a 503 tells it to try again.
                logger.exception("Message from %s could not be processed", message.sender)
                return response.json(
                    {"error": "the assistant could not process this message; please try again"},
                    status=503,
                )
            return response.json(collector.messages)

        return webhook
