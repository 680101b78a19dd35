"""``python -m bot publish``: the organisers' one command to make new FAQ entries live.

Steps, each of which stops the publish with a reason an organiser can act on:

1. validate the training data and domain (``rasa data validate --fail-on-warnings``);
2. train a candidate model next to the current one (Rasa reuses its cache in
   ``.rasa/cache`` for every component whose inputs did not change);
3. regression tests on the candidate: the conversation tests (``tests/stories``) and
   the held-out NLU sets, which must reach the accuracy and macro-F1 floors in every
   language;
4. install the candidate as ``models/current.tar.gz`` (an atomic rename). Every worker
   of the running assistant — both Sanic workers of ``make run``, every replica of
   ``make run-cluster`` — follows that file and loads the new model within seconds
   (bot/plugins/model_sync.py); conversations live in the tracker store, so none is
   dropped. Publish then waits until every worker in the deployment's registry
   (bot/plugins/shared_state.py) reports the new model, and fails naming any that
   does not. (Rasa's ``PUT /model`` is not used: it reaches one worker of several.)

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

from bot import PROJECT_ROOT
from bot.plugins.model_sync import ALIVE_WITHIN_S
from bot.plugins.shared_state import SharedState
from bot.tools.evaluation import MIN_ACCURACY, MIN_MACRO_F1
from bot.tools.serve import VENV_BIN

# Workers that reported within this long are expected to take the new model; one
# that reported earlier than ALIVE_WITHIN_S ago but within this is counted as unreachable.
RECENT_WORKERS_S = 120.0
DEFAULT_WAIT_S = 300.0


class PublishError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class PublishSettings:
    """What to publish (a project root) and where the running server is."""

    root: Path = PROJECT_ROOT
    # The running deployment's registry of workers (None: the endpoints file's, see main).
    shared: Optional[SharedState] = None
    floor: Tuple[float, float] = (MIN_ACCURACY, MIN_MACRO_F1)
    log: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    wait_s: float = DEFAULT_WAIT_S

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
    for name, value in (
        ("RASA_TELEMETRY_ENABLED", "false"),
        ("TF_CPP_MIN_LOG_LEVEL", "2"),
        ("SQLALCHEMY_SILENCE_UBER_WARNING", "1"),
    ):
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
    _run(
        settings,
        "Train the candidate model",
        _rasa("train", *data_arguments(), "--out", "models", "--fixed-model-name", name),
    )
    return settings.root / "models" / f"{name}.tar.gz"


def regression_tests(settings: PublishSettings, candidate: Path) -> None:
    """Conversation tests and the per-language accuracy gate; raises when below the floor."""
    from bot.tools.evaluation import evaluate

    _run(
        settings,
        "Conversation tests",
        _rasa(
            "test",
            "core",
            "--stories",
            "tests/stories",
            "--model",
            str(candidate),
            "--out",
            str(settings.reports / "stories"),
            "--fail-on-prediction-errors",
            "--no-plot",
        ),
    )
    results = settings.reports / "nlu"
    _run(
        settings,
        "Held-out NLU tests",
        _rasa(
            "test",
            "nlu",
            "--nlu",
            "tests/nlu",
            "--model",
            str(candidate),
            "--out",
            str(results),
            "--successes",
            "--no-plot",
        ),
    )
    passed = evaluate(
        results,
        settings.root / "tests" / "nlu",
        settings.reports / "evaluation.json",
        settings.reports / "evaluation.md",
        settings.root / "config.yml",
        floor=settings.floor,
    )
    if not passed:
        raise PublishError(
            f"Not published: held-out accuracy or macro-F1 fell below {settings.floor[0]} / {settings.floor[1]} "
            "in at least one language (table above). Add more example questions, worded differently, to the "
            "entries you changed, import and publish again. The assistant keeps the previous model."
        )


def model_id(model: Path) -> str:
    """The id Rasa gives a trained model (what each worker reports it serves)."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return str(LocalModelStorage.metadata_from_archive(model).model_id)


def wait_for_workers(
    settings: PublishSettings, expected: str, clock: Callable[[], float] = time.monotonic, pause: float = 1.0
) -> List[str]:
    """Wait until every recent worker serves ``expected``; their names, or [] when no
    assistant is running. PublishError naming the workers that did not, after ``wait_s``."""
    assert settings.shared is not None
    deadline = clock() + settings.wait_s
    while True:
        recent = settings.shared.workers(RECENT_WORKERS_S)
        if not recent:
            return []
        alive = settings.shared.workers(ALIVE_WITHIN_S)
        lagging = sorted(name for name, info in recent.items() if name not in alive or info.get("model_id") != expected)
        if not lagging:
            return sorted(recent)
        if clock() >= deadline:
            lines = [
                f"  {name}: "
                + (
                    f"not answering (no report for {time.time() - recent[name].get('seen', 0):.0f} s)"
                    if name not in alive
                    else f"still serves model {recent[name].get('model_id')}"
                )
                for name in lagging
            ]
            raise PublishError(
                f"Installed, but not every worker took the new model within {settings.wait_s:.0f} s:\n"
                + "\n".join(lines)
                + "\nSee the server logs (var/log/rasa.log); a worker that is "
                "restarted loads the new model."
            )
        time.sleep(pause)


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
    expected = model_id(candidate)
    model = install(settings, candidate)
    settings.log(f"-- Installed {model} (model {expected})")
    if settings.shared is None:
        settings.log("-- No running assistant to tell; `make run` will use the new model.")
    else:
        settings.log("-- Waiting for every worker of the running assistant to load it …")
        workers = wait_for_workers(settings, expected)
        if workers:
            settings.log(f"-- Every worker now answers with the new model ({len(workers)}: {', '.join(workers)}).")
        else:
            settings.log("-- No assistant is running; `make run` will use the new model.")
    settings.log(f"Published in {time.monotonic() - started:.0f} s.")


def main(root: Path, endpoints: Path, floor: Tuple[float, float] = (MIN_ACCURACY, MIN_MACRO_F1)) -> int:
    from bot.plugins.endpoints import EndpointsError, shared_state_for

    try:
        shared = shared_state_for(endpoints)
    except EndpointsError as error:
        print(f"\nNOT PUBLISHED: {error}", file=sys.stderr)
        return 1
    settings = PublishSettings(root=root, shared=shared, floor=floor)
    try:
        publish(settings)
    except PublishError as error:
        print(f"\nNOT PUBLISHED: {error}", file=sys.stderr)
        return 1
    return 0
