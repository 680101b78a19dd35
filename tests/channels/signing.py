"""Signing webhook requests the way each platform documents it (independent of bot/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Dict, Optional


def slack_headers(secret: str, body: bytes, timestamp: Optional[int] = None) -> Dict[str, str]:
    """https://api.slack.com/authentication/verifying-requests-from-slack"""
    sent = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{sent}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(sent), "X-Slack-Signature": f"v0={digest}"}


def messenger_headers(app_secret: str, body: bytes) -> Dict[str, str]:
    """https://developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads"""
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()}


def twilio_headers(auth_token: str, url: str, params: Dict[str, str]) -> Dict[str, str]:
    """https://www.twilio.com/docs/usage/webhooks/webhooks-security"""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return {"X-Twilio-Signature": base64.b64encode(digest).decode()}
