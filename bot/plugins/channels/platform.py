"""What the Telegram, Twilio, Messenger and Slack channels share.

An input channel here only has to say how its platform signs requests, how to read a
user message out of a webhook body, and how to post a reply; this module does the
rest the same way for all of them: the channel is off (404) unless configured, every
request is authenticated before anything else, text is cleaned like the REST
channel's, a typed option number becomes the option's payload, replies are split at
the platform's limit, and buttons become a numbered list where the platform has
none. Replies go out over aiohttp with a timeout and never raise: an unreachable
platform costs its own replies (logged), not the server or the other channels.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, ClassVar, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Type, Union

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.choices import Button, numbered_list, resolve_choice
from bot.plugins.channels.payload import MAX_MESSAGE_CHARS, clean_text
from bot.plugins.channels.settings import read_settings
from bot.plugins.channels.signatures import authentication_failure
from bot.plugins.channels.split import split_message

logger = logging.getLogger(__name__)

SEND_TIMEOUT_S = 15.0
Settings = Dict[str, str]


@dataclass(frozen=True)
class ButtonLimits:
    """What a platform accepts as buttons; options beyond these become a numbered list."""

    count: int
    title_chars: int
    payload_bytes: int

    def fit(self, buttons: Sequence[Button]) -> bool:
        return len(buttons) <= self.count and all(
            len(str(b.get("title", ""))) <= self.title_chars
            and len(str(b.get("payload", "")).encode("utf-8")) <= self.payload_bytes
            for b in buttons
        )


@dataclass(frozen=True)
class Incoming:
    """One user message read from a webhook."""

    sender_id: str
    text: str
    metadata: Dict[str, Any] = field(default_factory=dict)
    reply_to: Optional[str] = None  # where replies go, when not to the sender (Slack channel)


class PlatformOutput(OutputChannel):
    """Sends replies to a platform's HTTP API; subclasses say how one message is posted."""

    CHANNEL: ClassVar[str]
    LIMIT: ClassVar[int]  # the platform's maximum message length, in characters
    BUTTONS: ClassVar[Optional[ButtonLimits]] = None  # None: the platform has no buttons

    @classmethod
    def name(cls) -> str:
        return cls.CHANNEL

    def __init__(self, settings: Settings, reply_to: Optional[str] = None) -> None:
        super().__init__()
        self.settings = settings
        self.reply_to = reply_to

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> None:
        """Post one message (at most LIMIT characters), with buttons if given."""
        raise NotImplementedError

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(text, self.LIMIT):
            await self.post_message(self.reply_to or recipient_id, part)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: List[Button], **kwargs: Any) -> None:
        if self.BUTTONS is None or not self.BUTTONS.fit(buttons):
            await self.send_text_message(recipient_id, numbered_list(text, buttons))
            return
        parts = split_message(text, self.LIMIT) or [""]
        for part in parts[:-1]:
            await self.post_message(self.reply_to or recipient_id, part)
        await self.post_message(self.reply_to or recipient_id, parts[-1], buttons)

    async def call_api(self, url: str, **request: Any) -> Optional[Any]:
        """POST to the platform; the decoded JSON answer, or None (logged) on any failure."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_S)) as session,
                session.post(url, **request) as reply,
            ):
                body = await reply.text()
                payload = _json_or_text(body)
                problem = self.delivery_problem(reply.status, payload)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            # The URL is not logged: some platforms carry the access token in it.
            logger.error("%s: the platform API is unreachable, a reply was not delivered: %r", self.name(), error)
            return None
        if problem:
            logger.error("%s: the platform refused a reply: %s", self.name(), problem)
            return None
        return payload

    def delivery_problem(self, status: int, payload: Any) -> Optional[str]:
        """Why the platform's answer means failure, or None."""
        return f"HTTP {status}: {str(payload)[:300]}" if status >= 300 else None


def _json_or_text(body: str) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


Parsed = Union[HTTPResponse, List[Incoming]]


class PlatformInput(InputChannel):
    """A webhook that is off unless configured and authenticates every request."""

    REQUIRED: ClassVar[Tuple[str, ...]]
    OPTIONAL: ClassVar[Mapping[str, str]] = {}
    OUTPUT: ClassVar[Type[PlatformOutput]]
    SIGNATURE_HEADER: ClassVar[str]
    # Slack wants an answer within 3 s, so its messages are processed after answering.
    IN_BACKGROUND: ClassVar[bool] = False

    def __init__(self, settings: Optional[Settings]) -> None:
        self.settings = settings
        self._tasks: Set[asyncio.Task] = set()

    @classmethod
    def name(cls) -> str:
        return cls.OUTPUT.CHANNEL

    @property
    def configured_settings(self) -> Settings:
        """The settings, for the methods ``receive`` calls only once it found the channel configured."""
        if self.settings is None:
            raise RuntimeError(f"the {self.name()} channel is not configured")
        return self.settings

    @classmethod
    def settings_from_environment(cls) -> Optional[Settings]:
        return read_settings(cls.name(), cls.REQUIRED, cls.OPTIONAL)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Settings come from the environment (see bot.plugins.channels.settings), not credentials.yml."""
        settings = cls.settings_from_environment()
        logger.info("%s channel: %s", cls.name(), "on" if settings else f"off ({cls.REQUIRED[0]} not set)")
        return cls(settings)

    def signature_ok(self, request: Request, signature: str) -> bool:
        """Whether ``signature`` (the SIGNATURE_HEADER) proves the request is the platform's."""
        raise NotImplementedError

    def authentication_problem(self, request: Request) -> Optional[Tuple[int, str]]:
        """(status, reason) when the request is not from the platform, else None."""
        signature = request.headers.get(self.SIGNATURE_HEADER)
        return authentication_failure(signature, self.signature_ok(request, signature) if signature else False)

    def parse(self, request: Request) -> Parsed:
        """The user messages in an authenticated webhook, or a direct answer (handshakes)."""
        raise NotImplementedError

    def verification(self, request: Request) -> HTTPResponse:
        """Answer to GET on the webhook (Messenger's subscription handshake)."""
        return response.json({"error": "use POST"}, status=405)

    def acknowledgement(self) -> HTTPResponse:
        """What the platform expects back once the messages are handled."""
        return response.json({"status": "ok"})

    def get_output_channel(self, reply_to: Optional[str] = None) -> Optional[OutputChannel]:
        return self.OUTPUT(self.settings, reply_to) if self.settings else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_checked_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"}) if self.settings else self._not_configured()

        @webhook.route("/webhook", methods=["GET", "POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings:
                return self._not_configured()
            if request.method == "GET":
                return self.verification(request)
            problem = self.authentication_problem(request)
            if problem:
                logger.warning("%s: refused a webhook request from %s: %s", self.name(), request.ip, problem[1])
                return response.json({"error": problem[1]}, status=problem[0])
            try:
                parsed = self.parse(request)
            except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
                logger.warning("%s: unreadable webhook body: %r", self.name(), error)
                return response.json({"error": "the body is not a webhook this channel understands"}, status=400)
            if isinstance(parsed, HTTPResponse):
                return parsed
            for incoming in filter(None, map(_checked, parsed)):
                handling = self._handle(request, on_new_message, incoming)
                if self.IN_BACKGROUND:
                    self.in_background(handling)
                elif not await handling:
                    return response.json(
                        {"error": "the assistant could not process this message; please try again"}, status=503
                    )
            return self.acknowledgement()

        return webhook

    def in_background(self, work: Awaitable[Any]) -> None:
        """Run ``work`` after the webhook has answered, keeping a reference until it is done."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _not_configured(self) -> HTTPResponse:
        return response.json(
            {"error": f"the {self.name()} channel is not configured (see docs/channels.md)"}, status=404
        )

    async def _handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], incoming: Incoming
    ) -> bool:
        """Run one message through Rasa; False (logged) when that failed."""
        try:
            text = await resolve_choice(request.app.ctx.agent.tracker_store, incoming.sender_id, incoming.text)
            await on_new_message(
                UserMessage(
                    text,
                    self.get_output_channel(incoming.reply_to),
                    incoming.sender_id,
                    input_channel=self.name(),
                    metadata=incoming.metadata or None,
                )
            )
        except (Exception, asyncio.CancelledError):
            logger.exception("%s: message from %s could not be processed", self.name(), incoming.sender_id)
            return False
        return True


def _checked(incoming: Incoming) -> Optional[Incoming]:
    """The message with its text cleaned like the REST channel's, or None to drop it."""
    text = clean_text(incoming.text) if isinstance(incoming.text, str) else ""
    if not text or not incoming.sender_id:
        return None
    if len(text) > MAX_MESSAGE_CHARS:
        logger.warning("dropped a message of %d characters from %s", len(text), incoming.sender_id)
        return None
    return Incoming(incoming.sender_id, text, incoming.metadata, incoming.reply_to)
