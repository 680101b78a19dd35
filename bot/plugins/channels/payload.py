"""Validation and cleaning of incoming chat messages, independent of any channel.

Every public entry point funnels user text through here, so that bad input gets a
clear 4xx with a reason instead of a crash deep inside Rasa, and so that text that
cannot be stored (NUL bytes are refused by PostgreSQL) never reaches the tracker store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

MAX_MESSAGE_CHARS = 5_000
MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 4_096
# C0/C1 control characters except tab, newline and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional overrides/isolates (they can disguise text in logs and pages) and
# invisible spaces; the zero-width (non-)joiners stay, emoji and some scripts need them.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


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
    """Drop control, bidi-override and invisible characters and surrounding white space.

    Lone UTF-16 surrogates (JSON allows "\\ud800") cannot be encoded as UTF-8 and would
    fail later in the database or a log line, so they become "?".
    """
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text
    return _INVISIBLE.sub("", _CONTROL.sub("", text)).strip()


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_sender(sender: Any) -> str:
    """A usable conversation id: a short printable string."""
    if not isinstance(sender, str) or not sender.strip():
        raise PayloadError(400, "'sender' must be a non-empty string identifying the conversation")
    if len(sender) > MAX_SENDER_CHARS or _CONTROL.search(sender) or _has_surrogate(sender):
        raise PayloadError(400, f"'sender' must be at most {MAX_SENDER_CHARS} printable characters")
    return sender.strip()


def check_text(message: Any) -> str:
    """The cleaned message text; 400 for non-text or empty, 413 for too long."""
    if not isinstance(message, str):
        raise PayloadError(400, "'message' must be a string")
    if len(message) > MAX_MESSAGE_CHARS:
        raise PayloadError(413, f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
    text = clean_text(message)
    if not text:
        raise PayloadError(400, "'message' is empty")
    return text


def check_metadata(metadata: Any) -> Optional[Dict[str, Any]]:
    """Channel metadata: a small JSON object (it is stored with every message)."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise PayloadError(400, "'metadata' must be a JSON object")
    try:
        size = len(json.dumps(metadata, ensure_ascii=False).encode("utf-8", "replace"))
    except (TypeError, ValueError, RecursionError) as error:
        raise PayloadError(400, "'metadata' must be plain JSON") from error
    if size > MAX_METADATA_BYTES:
        raise PayloadError(413, f"'metadata' is larger than {MAX_METADATA_BYTES} bytes")
    return metadata


def parse_rest_payload(body: Any) -> ChatMessage:
    """Check a REST webhook body: ``{"sender": str, "message": str, "metadata": {…}?}``."""
    if not isinstance(body, dict):
        raise PayloadError(400, "the body must be a JSON object with 'sender' and 'message'")
    sender = check_sender(body.get("sender"))
    return ChatMessage(sender, check_text(body.get("message")), check_metadata(body.get("metadata")))


def parse_socketio_payload(data: Any, metadata_key: str, sender: Optional[str]) -> ChatMessage:
    """Check a socket.io ``user_uttered`` event: ``{"message": str, "session_id": str, …}``.

    ``sender`` is the socket id when sessions are not persistent; otherwise the
    event's ``session_id`` names the conversation.
    """
    if not isinstance(data, dict):
        raise PayloadError(400, "the event must be an object with 'message'")
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except (json.JSONDecodeError, RecursionError) as error:
            raise PayloadError(400, f"'{metadata_key}' is not valid JSON") from error
    sender = check_sender(sender if sender is not None else data.get("session_id"))
    return ChatMessage(sender, check_text(data.get("message")), check_metadata(metadata))
