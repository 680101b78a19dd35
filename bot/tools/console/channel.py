"""The console as Rasa loads it: an input channel named in credentials.yml, at ``/admin/``.

Not a message channel (like ``WebPageInput`` for ``/chat/``): it only adds the console's
routes to the Rasa server, so ``make run`` serves it on both workers with no second
server. The public gateway does not forward ``/admin/`` unless ``BOT_PUBLIC_CONSOLE=1``
(bot/tools/gateway.py; docs/organisers.md for a reverse proxy with HTTPS).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot.tools.console import faq, handoffs, inbox, knowledge, publishing, usage
from bot.tools.console.guard import Console
from bot.tools.console.web import PREFIX, blueprint

AREAS = (faq, inbox, handoffs, publishing, knowledge, usage)


class ConsoleInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def url_prefix(self) -> Text:
        return PREFIX  # absolute: Rasa joins it onto /webhooks/, which gives /admin

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return blueprint(Console(), AREAS)
