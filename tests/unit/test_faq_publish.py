"""`python -m bot publish` without training: the accuracy gate and the install the workers follow;
the server's API token."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import bot.tools.publish as publish
from bot.plugins.shared_state import SQLiteSharedState
from bot.tools.publish import PublishError, PublishSettings
from tests.conftest import ROOT

TESTS = 'nlu:\n- intent: faq_wifi\n  examples: |\n    - wifi code?\n    - internet password?\n'


def fake_steps(tmp: Path, predicted: str, monkeypatch) -> list:
    """Replace the rasa subprocesses: training writes a candidate, `rasa test nlu` writes results."""
    steps = []

    def run(settings, step, parts):
        for part in parts:
            part, command = part.name, part.command
            steps.append(part)
            if part.startswith("Train"):
                name = command[command.index("--fixed-model-name") + 1]
                (settings.root / "models" / f"{name}.tar.gz").write_bytes(b"new model")
            if part.startswith("Held-out"):
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


def test_refuses_to_publish_below_the_accuracy_floor(project, monkeypatch, tmp_path):
    steps = fake_steps(project, predicted="ask_venue", monkeypatch=monkeypatch)
    shared = SQLiteSharedState(tmp_path / "locks.db")
    shared.report("worker", {"model_id": "old"})
    settings = PublishSettings(root=project, shared=shared, log=lambda line: None)
    with pytest.raises(PublishError, match="Not published: held-out accuracy"):
        publish.publish(settings)
    assert steps == ["Validate training data", "Train the candidate model", "Conversation tests", "Held-out NLU tests"]
    assert (project / "models" / "current.tar.gz").read_bytes() == b"old model"


def test_publishes_by_replacing_the_model_file_the_workers_follow(project, monkeypatch, tmp_path):
    fake_steps(project, predicted="faq_wifi", monkeypatch=monkeypatch)
    monkeypatch.setattr(publish, "model_id", lambda path: "candidate-id")
    shared = SQLiteSharedState(tmp_path / "locks.db")
    shared.report("worker-1", {"model_id": "old"})
    logged = []

    def log(line: str) -> None:
        logged.append(line)
        if line.startswith("-- Installed"):  # the worker notices the file and loads it
            shared.report("worker-1", {"model_id": "candidate-id"})

    publish.publish(PublishSettings(root=project, shared=shared, log=log, wait_s=30))
    assert (project / "models" / "current.tar.gz").read_bytes() == b"new model"
    assert any("Every worker now answers with the new model (1: worker-1)" in line for line in logged)


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

    assert command[1:4] == ["-m", "bot.plugins.launcher", "run"]  # Rasa through the launcher
    return create_argument_parser().parse_args(command[3:])


def test_a_token_that_starts_with_a_dash_reaches_rasa_whole(tmp_path):
    # secrets.token_urlsafe starts with "-" once in 64 tokens; "--auth-token -x…" failed.
    from bot.tools.serve import ServerSettings, rasa_command

    settings = ServerSettings(model=tmp_path / "m.tar.gz", api_token="-starts-with-a-dash")
    assert rasa_arguments(rasa_command(settings)).auth_token == "-starts-with-a-dash"


def test_a_failing_part_of_a_step_stops_the_parts_beside_it(tmp_path):
    """The parts of a step run side by side; the first to fail ends the step at once with its
    log's tail, and the other (here a ten-minute sleep) is stopped rather than waited for."""
    import sys
    import time

    settings = PublishSettings(root=tmp_path, shared=None, log=lambda line: None)
    started = time.monotonic()
    with pytest.raises(PublishError, match=r"Validate training data failed .*\n.*the domain is broken"):
        publish._run(settings, "Validate and train", [
            publish.Part("Train the candidate model", [sys.executable, "-c", "import time; time.sleep(600)"]),
            publish.Part("Validate training data", [sys.executable, "-c", "import sys; print('the domain is broken'); sys.exit(1)"]),
        ])
    assert time.monotonic() - started < 60
    assert (tmp_path / "reports" / "publish" / "validate.log").read_text() == "the domain is broken\n"


def test_the_training_starts_from_the_current_model_when_there_is_one(project, monkeypatch):
    monkeypatch.setattr(publish, "model_id", lambda path: "current-id")
    path, warm = publish.training_config(PublishSettings(root=project, log=lambda line: None))
    assert warm
    config = yaml.safe_load(path.read_text())
    warm = {c["name"].rsplit(".", 1)[-1]: c.get("warm_start") for c in config["pipeline"]}
    expected = {"model": str(project / "models" / "current.tar.gz"), "model_id": "current-id"}
    assert warm["LogCountLogisticRegression"] == expected
    assert warm["SentenceCountVectorsFeaturizer"] == expected
    assert warm["LanguageAwareTokenizer"] == expected
    assert warm["LanguageDetector"] is None


def test_without_a_readable_current_model_the_training_starts_from_zero(project):
    logged = []
    path, warm = publish.training_config(PublishSettings(root=project, log=logged.append))  # "old model" is no archive
    assert not warm
    assert yaml.safe_load(path.read_text()) == yaml.safe_load((project / "config.yml").read_text())
    assert "training from zero" in logged[0]
