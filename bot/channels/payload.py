"""Validation and cleaning of incoming chat messages, independent of any channel.

Every public entry point funnels user text through here, so that bad input gets a
clear 4xx with a reason instead of a crash deep inside Rasa, and so that text that
cannot be stored (NUL bytes are refused by PostgreSQL) never reaches the tracker store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

MAX_MESSAGE_CHARS = 5_000
MAX_SENDER_CHARS = 128
# C0/C1 control characters except tab, newline and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class PayloadError(ValueError):
    """The request cannot be processed; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class ChatMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]


def clean_text(text: str) -> str:
    """Drop control characters (NUL included) and surrounding white space."""
    return _CONTROL.sub("", text).strip()


def parse_rest_payload(body: Any) -> ChatMessage:
    """Check a REST webhook body: ``{"sender": str, "message": str, "metadata": {…}?}``."""
    if not isinstance(body, dict):
        raise PayloadError(400, "the body must be a JSON object with 'sender' and 'message'")
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise PayloadError(400, "'sender' must be a non-empty string identifying the conversation")
    if len(sender) > MAX_SENDER_CHARS or _CONTROL.search(sender):
        raise PayloadError(400, f"'sender' must be at most {MAX_SENDER_CHARS} printable characters")
    message = body.get("message")
    if not isinstance(message, str):
        raise PayloadError(400, "'message' must be a string")
    if len(message) > MAX_MESSAGE_CHARS:
        raise PayloadError(413, f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
    text = clean_text(message)
    if not text:
        raise PayloadError(400, "'message' is empty")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise PayloadError(400, "'metadata' must be a JSON object")
    return ChatMessage(sender.strip(), text, metadata)
