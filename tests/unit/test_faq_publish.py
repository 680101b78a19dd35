"""`python -m bot publish` without training: the accuracy gate, install, and the HTTP API call."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

import bot.tools.publish as publish
from bot.tools.publish import PublishError, PublishSettings
from tests.conftest import ROOT

TESTS = 'nlu:\n- intent: faq_wifi\n  examples: |\n    - wifi code?\n    - internet password?\n'


def fake_steps(tmp: Path, predicted: str, monkeypatch) -> list:
    """Replace the rasa subprocesses: training writes a candidate, `rasa test nlu` writes results."""
    steps = []

    def run(settings, step, command):
        steps.append(step)
        if step.startswith("Train"):
            name = command[command.index("--fixed-model-name") + 1]
            (settings.root / "models" / f"{name}.tar.gz").write_bytes(b"new model")
        if step.startswith("Held-out"):
            out = Path(command[command.index("--out") + 1])
            out.mkdir(parents=True, exist_ok=True)
            rows = [{"text": t, "intent": "faq_wifi", "intent_prediction": {"name": predicted, "confidence": 0.9}}
                    for t in ("wifi code?", "internet password?")]
            (out / "intent_successes.json").write_text(json.dumps(rows), encoding="utf-8")

    monkeypatch.setattr(publish, "_run", run)
    return steps


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tests" / "nlu").mkdir(parents=True)
    (tmp_path / "tests" / "nlu" / "en.yml").write_text(TESTS, encoding="utf-8")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "current.tar.gz").write_bytes(b"old model")
    shutil.copy(ROOT / "config.yml", tmp_path / "config.yml")
    return tmp_path


class FakeRasa(BaseHTTPRequestHandler):
    """Answers PUT /model like Rasa: 401 without the right token, 204 otherwise."""

    token = "right"
    loaded: list = []

    def do_PUT(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if parse_qs(urlparse(self.path).query).get("token") != [self.token]:
            self.send_response(401)
        else:
            FakeRasa.loaded.append(body["model_file"])
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def rasa_api():
    server = HTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeRasa.loaded = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_refuses_to_publish_below_the_accuracy_floor(project, monkeypatch, rasa_api):
    steps = fake_steps(project, predicted="ask_venue", monkeypatch=monkeypatch)
    settings = PublishSettings(root=project, rasa_url=rasa_api, token="right", log=lambda line: None)
    with pytest.raises(PublishError, match="Not published: held-out accuracy"):
        publish.publish(settings)
    assert steps == ["Validate training data", "Train the candidate model", "Conversation tests", "Held-out NLU tests"]
    assert (project / "models" / "current.tar.gz").read_bytes() == b"old model"
    assert FakeRasa.loaded == []


def test_publishes_and_loads_the_model_into_the_running_server(project, monkeypatch, rasa_api):
    fake_steps(project, predicted="faq_wifi", monkeypatch=monkeypatch)
    publish.publish(PublishSettings(root=project, rasa_url=rasa_api, token="right", log=lambda line: None))
    assert (project / "models" / "current.tar.gz").read_bytes() == b"new model"
    assert len(FakeRasa.loaded) == 1 and Path(FakeRasa.loaded[0]).name.startswith("candidate-")


def test_a_wrong_token_is_reported(project, rasa_api):
    settings = PublishSettings(root=project, rasa_url=rasa_api, token="wrong")
    with pytest.raises(PublishError, match="refused the API token"):
        publish.load_into_server(settings, project / "models" / "current.tar.gz")


def test_no_running_server_is_not_an_error(project, tmp_path):
    settings = PublishSettings(root=project, rasa_url="http://127.0.0.1:9", token="x")
    assert publish.load_into_server(settings, project / "models" / "current.tar.gz") is False


def test_the_token_comes_from_the_file_the_server_wrote(project, tmp_path, monkeypatch):
    monkeypatch.delenv("BOT_API_TOKEN", raising=False)
    token_file = tmp_path / "api-token"
    token_file.write_text("from-file\n", encoding="utf-8")
    assert publish.api_token(PublishSettings(root=project, token_file=token_file)) == "from-file"
    with pytest.raises(PublishError, match="No API token"):
        publish.api_token(PublishSettings(root=project, token_file=tmp_path / "missing"))


def test_the_server_generates_a_private_token_and_never_shows_it(tmp_path, monkeypatch):
    from bot.tools.serve import ServerSettings, _redacted, rasa_command

    monkeypatch.delenv("BOT_API_TOKEN", raising=False)
    settings = ServerSettings(model=tmp_path / "m.tar.gz", api_token_file=tmp_path / "var" / "api-token")
    command = rasa_command(settings)
    token = rasa_arguments(command).auth_token
    assert len(token) >= 32 and rasa_arguments(command).enable_api
    assert (tmp_path / "var" / "api-token").read_text().strip() == token
    assert (tmp_path / "var" / "api-token").stat().st_mode & 0o777 == 0o600
    assert token not in _redacted(command)
    monkeypatch.setenv("BOT_API_TOKEN", "from-env")
    other = ServerSettings(model=tmp_path / "m.tar.gz", api_token_file=tmp_path / "other")
    assert rasa_arguments(rasa_command(other)).auth_token == "from-env" and not (tmp_path / "other").exists()


def rasa_arguments(command):
    """``command`` as Rasa's own command line parser reads it."""
    from rasa.__main__ import create_argument_parser

    return create_argument_parser().parse_args(command[1:])


def test_a_token_that_starts_with_a_dash_reaches_rasa_whole(tmp_path):
    # secrets.token_urlsafe starts with "-" once in 64 tokens; "--auth-token -x…" failed.
    from bot.tools.serve import ServerSettings, rasa_command

    settings = ServerSettings(model=tmp_path / "m.tar.gz", api_token="-starts-with-a-dash")
    assert rasa_arguments(rasa_command(settings)).auth_token == "-starts-with-a-dash"
