"""Telegram: a Bot API webhook checked by its secret token, replies via sendMessage.

Unlike Rasa's connector this one needs no internet to start (Rasa's calls
``setWebhook`` at start-up and ``getMe`` on every message): the webhook is registered
once with ``python -m bot telegram register``, which also hands Telegram the secret
it must send back in ``X-Telegram-Bot-Api-Secret-Token``. The sender's
``language_code`` becomes message metadata, which the language policy uses as the
conversation language at the start. ``TELEGRAM_API_URL`` points at a self-hosted Bot
API server (or a test fake).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional, Sequence, Tuple

from sanic.request import Request

from bot.plugins.channels.choices import Button
from bot.plugins.channels.platform import ButtonLimits, Incoming, Parsed, PlatformInput, PlatformOutput, Settings
from bot.plugins.channels.settings import ChannelSettingsError
from bot.plugins.channels.signatures import secret_equals

# Telegram's "Start" button sends /start, which is not one of our intents: greet instead.
COMMANDS = {"/start": "/greet"}


class TelegramOutput(PlatformOutput):
    CHANNEL = "telegram"
    LIMIT = 4096
    BUTTONS = ButtonLimits(count=100, title_chars=4096, payload_bytes=64)  # callback_data ≤ 64 bytes

    def method_url(self, method: str) -> str:
        return f"{self.settings['TELEGRAM_API_URL'].rstrip('/')}/bot{self.settings['TELEGRAM_TOKEN']}/{method}"

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> None:
        message: Dict[str, Any] = {"chat_id": recipient_id, "text": text}
        if buttons:
            message["reply_markup"] = {
                "inline_keyboard": [[{"text": b["title"], "callback_data": b["payload"]}] for b in buttons]
            }
        await self.call_api(self.method_url("sendMessage"), json=message)

    async def answer_callback(self, callback_id: str) -> None:
        """Stop the spinner on the button the user tapped."""
        await self.call_api(self.method_url("answerCallbackQuery"), json={"callback_query_id": callback_id})

    async def register_webhook(self, url: str) -> Optional[Any]:
        return await self.call_api(
            self.method_url("setWebhook"),
            json={
                "url": url,
                "secret_token": self.settings["TELEGRAM_SECRET_TOKEN"],
                "allowed_updates": ["message", "edited_message", "callback_query"],
            },
        )


class TelegramInput(PlatformInput):
    REQUIRED = ("TELEGRAM_TOKEN", "TELEGRAM_SECRET_TOKEN")
    OPTIONAL = {"TELEGRAM_API_URL": "https://api.telegram.org", "TELEGRAM_WEBHOOK_URL": ""}
    OUTPUT = TelegramOutput
    SIGNATURE_HEADER = "X-Telegram-Bot-Api-Secret-Token"

    def signature_ok(self, request: Request, signature: str) -> bool:
        return secret_equals(self.configured_settings["TELEGRAM_SECRET_TOKEN"], signature)

    def parse(self, request: Request) -> Parsed:
        update = request.json
        callback = update.get("callback_query")
        if callback:
            # Answered in the background: the spinner is cosmetic, the reply is not.
            self.in_background(TelegramOutput(self.configured_settings).answer_callback(str(callback["id"])))
            message, text, user = callback.get("message") or {}, callback.get("data"), callback.get("from")
        else:
            message = update.get("message") or update.get("edited_message")
            if not message:
                return []  # other update types (channel posts, polls …) are not conversations
            text, user = message.get("text"), message.get("from")
        chat_id = str(message["chat"]["id"])
        if not isinstance(text, str):
            return []  # stickers, photos, locations: nothing to answer
        text = COMMANDS.get(text.strip().split("@")[0], text)
        language = (user or {}).get("language_code")
        metadata = {"language_code": language} if isinstance(language, str) and language else {}
        return [Incoming(chat_id, text, metadata)]


def register(settings: Optional[Settings]) -> Tuple[bool, str]:
    """Tell Telegram where the webhook is (``python -m bot telegram register``)."""
    if not settings:
        raise ChannelSettingsError("Set TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN first (see docs/channels.md).")
    url = settings.get("TELEGRAM_WEBHOOK_URL")
    if not url:
        raise ChannelSettingsError(
            "Set TELEGRAM_WEBHOOK_URL to the public HTTPS address of /webhooks/telegram/webhook."
        )
    answer = asyncio.run(TelegramOutput(settings).register_webhook(url))
    if isinstance(answer, dict) and answer.get("ok"):
        return True, f"Telegram will send updates to {url}."
    return False, f"Telegram did not accept the webhook: {answer!r} (see the log above)."
