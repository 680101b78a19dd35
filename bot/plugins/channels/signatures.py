"""Checks that a webhook request really comes from the platform, one function each.

Pure functions over the raw request parts, so they are tested against the platforms'
documented algorithms without a server. All comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Iterable, Mapping, Optional, Tuple, Union

# Slack's recommended replay window: requests older (or newer) than this are refused.
SLACK_WINDOW_S = 300


def secret_equals(expected: str, given: Optional[str]) -> bool:
    """A shared secret sent as is (Telegram's ``X-Telegram-Bot-Api-Secret-Token``,
    Messenger's verify token) equals the configured one."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def facebook_signature_ok(app_secret: str, body: bytes, header: Optional[str]) -> bool:
    """``X-Hub-Signature-256`` is ``sha256=`` + HMAC-SHA256 of the raw body with the app secret."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return secret_equals(f"sha256={digest}", header)


def slack_timestamp_fresh(timestamp: Optional[str], now: float) -> bool:
    """``X-Slack-Request-Timestamp`` is a number of seconds within the replay window of now."""
    try:
        return abs(now - int(timestamp or "")) <= SLACK_WINDOW_S
    except ValueError:
        return False


def slack_signature_ok(
    signing_secret: str, body: bytes, timestamp: Optional[str], header: Optional[str], now: float
) -> bool:
    """``X-Slack-Signature`` is ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``, and the
    timestamp is within the replay window (a captured request cannot be sent again later)."""
    if not slack_timestamp_fresh(timestamp, now):
        return False
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return secret_equals(f"v0={digest}", header)


FormValues = Mapping[str, Union[str, Iterable[str]]]


def twilio_signature(auth_token: str, url: str, params: FormValues) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 HMAC-SHA1 of the webhook URL followed by
    every POST parameter, sorted by name, as name + value."""
    pieces = [url]
    for name in sorted(params):
        values = params[name]
        for value in sorted([values] if isinstance(values, str) else values):
            pieces.append(name + value)
    digest = hmac.new(auth_token.encode("utf-8"), "".join(pieces).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_signature_ok(auth_token: str, url: str, params: FormValues, header: Optional[str]) -> bool:
    return secret_equals(twilio_signature(auth_token, url, params), header)


def authentication_failure(header: Optional[str], ok: bool) -> Optional[Tuple[int, str]]:
    """The HTTP status and reason for a failed check, or None when the request is genuine.

    401 when the request carries no credentials at all, 403 when they are wrong."""
    if ok:
        return None
    if not header:
        return 401, "the request is not signed"
    return 403, "the request signature is not valid"
