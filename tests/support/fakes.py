"""Local stand-ins for the platforms' HTTP APIs: they record what the assistant sends.

Each fake checks the credentials the way the real API does (token in the path, basic
auth, access-token parameter, bearer token) and answers like the real API, so a test
that finds a recorded reply knows it was sent to the right place with the right key.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple


@dataclass
class Call:
    """One request the assistant made to a platform API."""

    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes
    answer: Any = None  # what the fake answered (a Slack post's ts, …)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8")).items()}


Responder = Callable[[Call], Tuple[int, Dict[str, Any]]]


class FakePlatform:
    """A platform API on 127.0.0.1:<port>, answering with ``responder``."""

    def __init__(self, port: int, responder: Responder) -> None:
        self.port = port
        self.responder = responder
        self.calls: List[Call] = []
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakePlatform":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                parsed = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call = Call(parsed.path, urllib.parse.parse_qs(parsed.query), dict(self.headers), body)
                status, answer = fake.responder(call)
                call.answer = answer
                if status < 300 and answer.get("ok") is not False:
                    fake.calls.append(call)
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, match: Callable[[Call], bool], timeout: float = 120.0) -> List[Call]:
        """The accepted calls that ``match``, once there is at least one.

        Telegram, Twilio and Messenger replies are all sent before the webhook answers;
        Slack's come later, so Slack tests wait for the specific reply they expect."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [call for call in list(self.calls) if match(call)]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no matching call within {timeout:.0f} s; received: {self.calls}")

    def calls_matching(self, match: Callable[[Call], bool]) -> List[Call]:
        return [call for call in list(self.calls) if match(call)]


def telegram_api(token: str) -> Responder:
    def respond(call: Call) -> Tuple[int, Dict[str, Any]]:
        if not call.path.startswith(f"/bot{token}/"):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = call.path.rsplit("/", 1)[-1]
        if method == "sendMessage":
            sent = call.json()
            return 200, {"ok": True, "result": {"message_id": len(sent["text"]), "date": int(time.time()),
                                                "chat": {"id": sent["chat_id"], "type": "private"},
                                                "text": sent["text"]}}
        return 200, {"ok": True, "result": True}

    return respond


def twilio_api(account_sid: str, auth_token: str) -> Responder:
    import base64

    expected = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()

    def respond(call: Call) -> Tuple[int, Dict[str, Any]]:
        if call.headers.get("Authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if call.path != f"/2010-04-01/Accounts/{account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        form = call.form()
        return 201, {"sid": "SM" + "0" * 32, "status": "queued", "to": form["To"], "from": form["From"],
                     "body": form["Body"], "account_sid": account_sid}

    return respond


def messenger_api(page_token: str) -> Responder:
    def respond(call: Call) -> Tuple[int, Dict[str, Any]]:
        if call.query.get("access_token") != [page_token]:
            return 400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
        return 200, {"recipient_id": call.json()["recipient"]["id"], "message_id": "m_fake"}

    return respond


def slack_api(bot_token: str) -> Responder:
    def respond(call: Call) -> Tuple[int, Dict[str, Any]]:
        if call.headers.get("Authorization") != f"Bearer {bot_token}":
            return 200, {"ok": False, "error": "invalid_auth"}  # Slack refuses with HTTP 200
        return 200, {"ok": True, "channel": call.json()["channel"], "ts": f"{time.time():.6f}"}

    return respond


# Made-up credentials in the platforms' formats; the fakes check them as the real APIs would.
TELEGRAM_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the format of Telegram's docs
TELEGRAM_SECRET = "conference-telegram-secret_2017"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_NUMBER = "whatsapp:+14155238886"  # Twilio's WhatsApp sandbox number
FACEBOOK_PAGE_TOKEN = "EAAB-page-access-token"
FACEBOOK_APP_SECRET = "facebook-app-secret"
FACEBOOK_VERIFY = "conference-verify-token"
SLACK_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the one in Slack's docs
ORGANISERS_CHANNEL = "C0ORGANISERS"  # the organisers' Slack channel for hand-offs (docs/handoff.md)


def fake_platforms(first_port: int) -> Dict[str, FakePlatform]:
    return {
        "telegram": FakePlatform(first_port, telegram_api(TELEGRAM_TOKEN)),
        "twilio": FakePlatform(first_port + 1, twilio_api(TWILIO_SID, TWILIO_TOKEN)),
        "facebook": FakePlatform(first_port + 2, messenger_api(FACEBOOK_PAGE_TOKEN)),
        "slack": FakePlatform(first_port + 3, slack_api(SLACK_TOKEN)),
    }


def platform_environment(fakes: Dict[str, FakePlatform], rasa_url: str) -> Dict[str, str]:
    """The four channels' variables (docs/channels.md), their APIs at the fakes, and the
    organisers' channel for hand-offs (docs/handoff.md)."""
    return {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": fakes["telegram"].url,
        "TELEGRAM_WEBHOOK_URL": f"{rasa_url}/webhooks/telegram/webhook",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": fakes["twilio"].url,
        "TWILIO_WEBHOOK_URL": f"{rasa_url}/webhooks/twilio/webhook",
        "FACEBOOK_PAGE_ACCESS_TOKEN": FACEBOOK_PAGE_TOKEN,
        "FACEBOOK_APP_SECRET": FACEBOOK_APP_SECRET,
        "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY,
        "FACEBOOK_API_URL": f"{fakes['facebook'].url}/v19.0",
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": f"{fakes['slack'].url}/api",
        "HANDOFF_SLACK_CHANNEL": ORGANISERS_CHANNEL,
    }
