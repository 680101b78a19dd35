"""Rasa's REST channel with input validation (still served at /webhooks/rest/webhook).

Refusals carry a reason: 400 unreadable, 413 too large, 429 too many messages from
this conversation (with ``Retry-After``), 503 the turn could not be processed or
stored, even if Rasa's fail-safe store would have answered from memory (the client
should send it again). Never a 500, and never an empty 200 that
hides a lost message. An organiser's replies in a hand-off (docs/handoff.md) come at the
start of the answer to the client's next message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation.notices import notice
from bot.plugins.channels.limits import Limits
from bot.plugins.channels.payload import PayloadError, parse_rest_payload
from bot.plugins.channels.rate_limit import RateLimiter, SharedBuckets
from bot.plugins.handoff.delivery import REST
from bot.plugins.handoff.store import find_desk
from bot.plugins.tracker_store.privacy import watch_storage

logger = logging.getLogger(__name__)


def _json_body(request: Request, max_bytes: int) -> Any:
    """The parsed body, or a PayloadError for bodies that are too large or not JSON text."""
    if len(request.body or b"") > max_bytes:
        raise PayloadError(413, f"the body is larger than {max_bytes} bytes")
    try:
        return json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PayloadError(400, f"the body is not valid JSON: {error}") from error
    except RecursionError as error:
        raise PayloadError(400, "the body is nested too deeply") from error


def organisers_replies(request: Request, sender: str) -> List[Dict[str, Any]]:
    """Replies of organisers in a hand-off queued since the client's last message
    (docs/handoff.md): REST cannot be pushed to, so they come with the next answer."""
    desk = find_desk(request.app.ctx.agent.tracker_store)
    if desk is None:
        return []
    return [{"recipient_id": sender, **reply} for reply in desk.registry.take_queued(sender, REST)]


class ValidatingRestInput(RestInput):
    """Answers malformed requests with a 4xx and a reason instead of a 500."""

    def __init__(self) -> None:
        self.limits = Limits.from_env()
        self.per_sender = RateLimiter(self.limits.sender_per_minute, self.limits.sender_burst, buckets=SharedBuckets())

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
                message = parse_rest_payload(_json_body(request, self.limits.max_body_bytes))
            except PayloadError as error:
                return response.json({"error": error.reason}, status=error.status)
            wait = self.per_sender.allow(message.sender)
            if wait is not None:
                return response.json(
                    {"error": notice("rate_limited", message.metadata, seconds=wait)},
                    status=429,
                    headers={"Retry-After": str(wait)},
                )
            collector = CollectingOutputChannel()
            try:
                with watch_storage() as storage_failures:
                    await on_new_message(
                        UserMessage(
                            message.text,
                            collector,
                            message.sender,
                            input_channel=self.name(),
                            metadata=message.metadata,
                        )
                    )
            except (Exception, asyncio.CancelledError):
                # Rasa's own channel logs and returns an empty 200 here, which hides
                # lost messages from the client; a 503 tells it to try again.
                logger.exception("A message could not be processed")
                storage_failures = ["process"]
            if storage_failures:
                return response.json(
                    {"error": notice("try_again", message.metadata)}, status=503, headers={"Retry-After": "5"}
                )
            return response.json(organisers_replies(request, message.sender) + collector.messages)

        return webhook
