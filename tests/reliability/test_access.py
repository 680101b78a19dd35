"""Access: Rasa's HTTP API needs the token and is not on the public address; CORS; limits."""

from __future__ import annotations

import re
import socket
import subprocess

import pytest
import requests
import socketio

from bot.tools.serve import ServerSettings, _environment, gateway_command, wait_until_ready
from tests.conftest import ROOT
from tests.reliability.conftest import ALLOWED_ORIGIN, GATEWAY2_PORT, TIMEOUT, new_sender

SENSITIVE = [
    ("GET", "/status"), ("GET", "/domain"),
    ("GET", "/conversations/someone/tracker"), ("POST", "/conversations/someone/tracker/events"),
    ("PUT", "/conversations/someone/tracker/events"), ("GET", "/conversations/someone/story"),
    ("POST", "/conversations/someone/execute"), ("POST", "/conversations/someone/trigger_intent"),
    ("POST", "/conversations/someone/predict"), ("POST", "/conversations/someone/messages"),
    ("POST", "/model/train"), ("POST", "/model/test/stories"), ("POST", "/model/test/intents"),
    ("POST", "/model/predict"), ("POST", "/model/parse"), ("PUT", "/model"), ("DELETE", "/model"),
]
IDS = [f"{method} {path}" for method, path in SENSITIVE]


@pytest.mark.parametrize("method, path", SENSITIVE, ids=IDS)
def test_the_api_refuses_requests_without_the_token(stack, method, path):
    for params in ({}, {"token": "wrong"}):
        response = requests.request(method, stack.rasa + path, params=params, json={}, timeout=TIMEOUT)
        assert response.status_code in (401, 403), (params, response.status_code, response.text[:200])


def test_the_api_answers_with_the_token(stack):
    # The refusals above are the token's doing, not a disabled API.
    assert requests.get(f"{stack.rasa}/status", params={"token": stack.token}, timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize("method, path", SENSITIVE, ids=IDS)
def test_the_api_is_not_on_the_public_address_even_with_the_token(stack, method, path):
    response = requests.request(method, stack.public + path, params={"token": stack.token}, json={},
                                timeout=TIMEOUT)
    assert response.status_code == 404, (response.status_code, response.text[:200])


@pytest.mark.parametrize("path", ["/webhooks/../status", "/webhooks/%2e%2e/status", "/socket.io/../domain"])
def test_path_tricks_do_not_reach_the_api(stack, path):
    response = requests.get(stack.public + path, params={"token": stack.token}, timeout=TIMEOUT)
    assert response.status_code in (400, 404), (response.status_code, response.text[:200])


def _external_address() -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing interface
        return probe.getsockname()[0]
    finally:
        probe.close()


def test_the_rasa_server_listens_on_loopback_only(stack):
    address = _external_address()
    if address.startswith("127."):
        pytest.skip("this machine has no non-loopback address")
    with pytest.raises(OSError):
        socket.create_connection((address, stack.servers.port), timeout=5).close()


def test_cors_is_limited_to_the_configured_origins(stack):
    url = f"{stack.public}/webhooks/rest/webhook"
    allowed = requests.options(url, headers={"Origin": ALLOWED_ORIGIN,
                                             "Access-Control-Request-Method": "POST"}, timeout=TIMEOUT)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    answered = requests.post(url, json={"sender": new_sender(), "message": "hello"},
                             headers={"Origin": ALLOWED_ORIGIN}, timeout=TIMEOUT)
    assert answered.status_code == 200 and answered.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    for method in ("OPTIONS", "POST"):
        refused = requests.request(method, url, json={"sender": new_sender(), "message": "hello"},
                                   headers={"Origin": "https://evil.example"}, timeout=TIMEOUT)
        assert refused.status_code == 403
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_socketio_from_another_web_origin_is_refused(stack):
    def connect(origin):
        client = socketio.Client(reconnection=False)
        try:
            client.connect(stack.public, transports=["websocket"], headers={"Origin": origin}, wait_timeout=20)
        except socketio.exceptions.ConnectionError:
            return False
        client.disconnect()
        return True

    assert connect(ALLOWED_ORIGIN) is True
    assert connect("https://evil.example") is False


@pytest.fixture
def strict_gateway(stack):
    """A second gateway in front of the same Rasa server, with a low per-address limit."""
    settings = ServerSettings(model=stack.servers.model, rasa_port=stack.servers.port,
                              public=f"127.0.0.1:{GATEWAY2_PORT}")
    env = {**_environment(settings), "BOT_RATE_PER_ADDRESS_PER_MINUTE": "6", "BOT_RATE_ADDRESS_BURST": "3"}
    command = gateway_command(settings)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(f"http://127.0.0.1:{GATEWAY2_PORT}/webhooks/rest/", process)
        yield f"http://127.0.0.1:{GATEWAY2_PORT}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_one_address_is_limited_across_senders(strict_gateway):
    statuses = []
    for _ in range(8):
        response = requests.post(f"{strict_gateway}/webhooks/rest/webhook",
                                 json={"sender": new_sender(), "message": "hello"}, timeout=TIMEOUT)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
    assert 429 in statuses and set(statuses) <= {200, 429}, statuses


def test_no_secret_is_logged(stack):
    stack.say("hello")
    for log in stack.logs.glob("*.log"):
        assert stack.token not in log.read_text(encoding="utf-8", errors="replace"), log.name


# Shapes of real credentials: private keys, Slack/GitHub/AWS/Telegram tokens anywhere;
# and, outside tests/ (whose fixtures hold made-up credentials for local fakes of the
# platforms), secret-looking settings with a literal value instead of an environment
# variable. The example credentials printed in Telegram's and Slack's own docs are
# allowed: they are public and invalid.
SECRET_SHAPES = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[abpr]-[0-9A-Za-z-]{10,}|gh[pousr]_[0-9A-Za-z]{30,}"
    r"|AKIA[0-9A-Z]{16}|\b\d{8,10}:[0-9A-Za-z_-]{35}\b"
)
SECRET_SETTING = re.compile(r"(?i:(?:token|secret|password|api_key)\s*[:=]\s*[\"']?[0-9A-Za-z_\-]{20,})")
DOCUMENTED_EXAMPLES = ("110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                       "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy")


def looks_like_a_secret(name: str, line: str) -> bool:
    for example in DOCUMENTED_EXAMPLES:
        line = line.replace(example, "")
    return bool(SECRET_SHAPES.search(line) or (not name.startswith("tests/") and SECRET_SETTING.search(line)))


def test_no_secret_is_committed():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = []
    for name in files.split():
        path = ROOT / name
        if path.suffix in (".gz", ".png", ".jpg", ".ico") or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="ignore").splitlines(), 1):
            if looks_like_a_secret(name, line):
                found.append(f"{name}:{number}")
    assert not found, found


# Assembled at run time, so that the scan of this very file finds nothing.
@pytest.mark.parametrize("line", ["auth_token: " + "3f9a1c0b7e6d5a4b3c2d1e0f", "-----BEGIN RSA " + "PRIVATE KEY-----",
                                  "SLACK=xoxb-" + "1234567890-abcdef"])
def test_the_secret_scan_recognises_secrets(line):
    assert looks_like_a_secret("endpoints.yml", line)
