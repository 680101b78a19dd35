"""``python -m bot publish``: the organisers' one command to make new FAQ entries live.

Steps, each of which stops the publish with a reason an organiser can act on:

1. validate the training data and domain (``rasa data validate --fail-on-warnings``);
2. train a candidate model next to the current one (Rasa reuses its cache in
   ``.rasa/cache`` for every component whose inputs did not change);
3. regression tests on the candidate: the conversation tests (``tests/stories``) and
   the held-out NLU sets, which must reach the accuracy and macro-F1 floors in every
   language;
4. install the candidate as ``models/current.tar.gz`` and load it into the running
   Rasa server through its token-protected HTTP API (``PUT /model``). Conversations
   live in the tracker store, so none is dropped.

The current model stays untouched until step 4.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import requests

from bot import PROJECT_ROOT
from bot.tools.evaluation import MIN_ACCURACY, MIN_MACRO_F1
from bot.tools.serve import API_TOKEN_ENV, API_TOKEN_FILE, VENV_BIN


class PublishError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class PublishSettings:
    """What to publish (a project root) and where the running server is."""

    root: Path = PROJECT_ROOT
    rasa_url: str = "http://127.0.0.1:5005"
    token: Optional[str] = None
    token_file: Path = API_TOKEN_FILE
    floor: Tuple[float, float] = (MIN_ACCURACY, MIN_MACRO_F1)
    log: Callable[[str], None] = field(default=lambda line: print(line, flush=True))

    @property
    def model(self) -> Path:
        return self.root / "models" / "current.tar.gz"

    @property
    def reports(self) -> Path:
        return self.root / "reports" / "publish"


def _environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    # A copy of the project (tests) still reuses the project's training cache.
    env.setdefault("RASA_CACHE_DIRECTORY", str(PROJECT_ROOT / ".rasa" / "cache"))
    for name, value in (("RASA_TELEMETRY_ENABLED", "false"), ("TF_CPP_MIN_LOG_LEVEL", "2"),
                        ("SQLALCHEMY_SILENCE_UBER_WARNING", "1")):
        env.setdefault(name, value)
    return env


def _run(settings: PublishSettings, step: str, command: List[str]) -> None:
    settings.log(f"-- {step}")
    started = time.monotonic()
    settings.reports.mkdir(parents=True, exist_ok=True)
    log_path = settings.reports / f"{step.split()[0].lower()}.log"
    with log_path.open("w", encoding="utf-8") as log:
        code = subprocess.call(command, cwd=settings.root, env=_environment(), stdout=log, stderr=subprocess.STDOUT)
    if code != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise PublishError(f"{step} failed (details in {log_path}):\n{tail}")
    settings.log(f"   done in {time.monotonic() - started:.0f} s")


def _rasa(*args: str) -> List[str]:
    return [str(VENV_BIN / "rasa"), *args]


def data_arguments() -> List[str]:
    return ["--data", "data/nlu", "data/rules", "--domain", "domain", "--config", "config.yml"]


def validate(settings: PublishSettings) -> None:
    _run(settings, "Validate training data", _rasa("data", "validate", *data_arguments(), "--fail-on-warnings"))


def train(settings: PublishSettings) -> Path:
    name = f"candidate-{time.strftime('%Y%m%d-%H%M%S')}"
    _run(settings, "Train the candidate model", _rasa("train", *data_arguments(), "--out", "models",
                                                      "--fixed-model-name", name))
    return settings.root / "models" / f"{name}.tar.gz"


def regression_tests(settings: PublishSettings, candidate: Path) -> None:
    """Conversation tests and the per-language accuracy gate; raises when below the floor."""
    from bot.tools.evaluation import evaluate

    _run(settings, "Conversation tests", _rasa("test", "core", "--stories", "tests/stories", "--model",
                                               str(candidate), "--out", str(settings.reports / "stories"),
                                               "--fail-on-prediction-errors", "--no-plot"))
    results = settings.reports / "nlu"
    _run(settings, "Held-out NLU tests", _rasa("test", "nlu", "--nlu", "tests/nlu", "--model", str(candidate),
                                               "--out", str(results), "--successes", "--no-plot"))
    passed = evaluate(results, settings.root / "tests" / "nlu", settings.reports / "evaluation.json",
                      settings.reports / "evaluation.md", settings.root / "config.yml", floor=settings.floor)
    if not passed:
        raise PublishError(
            f"Not published: held-out accuracy or macro-F1 fell below {settings.floor[0]} / {settings.floor[1]} "
            "in at least one language (table above). Add more example questions, worded differently, to the "
            "entries you changed, import and publish again. The assistant keeps the previous model.")


def api_token(settings: PublishSettings) -> str:
    token = settings.token or os.environ.get(API_TOKEN_ENV)
    if token:
        return token
    try:
        return settings.token_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise PublishError(f"No API token: set {API_TOKEN_ENV} or start the assistant (it writes "
                           f"{settings.token_file})") from None


def load_into_server(settings: PublishSettings, model: Path) -> bool:
    """PUT /model on the running server; False when no server is running."""
    url = f"{settings.rasa_url}/model"
    try:
        response = requests.put(url, params={"token": api_token(settings)},
                                json={"model_file": str(model.resolve())}, timeout=600)
    except requests.ConnectionError:
        return False
    if response.status_code in (401, 403):
        raise PublishError(f"The Rasa server at {settings.rasa_url} refused the API token ({response.status_code}).")
    if response.status_code != 204:
        raise PublishError(f"Loading the model failed: {response.status_code} {response.text[:300]}")
    return True


def install(settings: PublishSettings, candidate: Path) -> Path:
    """Make the candidate the current model (atomic rename; the candidate file is kept)."""
    temporary = settings.model.with_name(".current.tar.gz.tmp")
    shutil.copyfile(candidate, temporary)
    os.replace(temporary, settings.model)
    return settings.model


def publish(settings: PublishSettings) -> None:
    """Validate, train, test, install and load; raises PublishError with the reason."""
    started = time.monotonic()
    validate(settings)
    candidate = train(settings)
    regression_tests(settings, candidate)
    model = install(settings, candidate)
    settings.log(f"-- Installed {model}")
    if load_into_server(settings, candidate):
        settings.log(f"-- The running assistant at {settings.rasa_url} now uses the new model.")
    else:
        settings.log(f"-- No assistant running at {settings.rasa_url}; `make run` will use the new model.")
    settings.log(f"Published in {time.monotonic() - started:.0f} s.")


def main(root: Path, rasa_url: str, floor: Tuple[float, float] = (MIN_ACCURACY, MIN_MACRO_F1)) -> int:
    settings = PublishSettings(root=root, rasa_url=rasa_url, floor=floor)
    try:
        publish(settings)
    except PublishError as error:
        print(f"\nNOT PUBLISHED: {error}", file=sys.stderr)
        return 1
    return 0
