"""``python -m bot publish``: the organisers' one command to make new FAQ entries live.

Steps, each of which stops the publish with a reason an organiser can act on:

1. validate the training data and domain (``rasa data validate --fail-on-warnings``)
   and, side by side on the second CPU, train a candidate model next to the current one.
   The training starts from the current model (a warm start,
   bot/plugins/components/warm_start.py: its featurizers' vocabularies and the
   classifier's coefficients), so a new FAQ entry is learnt in a fraction of the
   classifier's full training; Rasa reuses its cache in ``.rasa/cache`` for every
   component whose inputs did not change;
2. regression tests on the candidate, side by side: the conversation tests
   (``tests/stories``) and the held-out NLU sets, which must reach the accuracy and
   macro-F1 floors in every language;
3. install the candidate as ``models/current.tar.gz`` (an atomic rename). Every worker
   of the running assistant — both Sanic workers of ``make run``, every replica of
   ``make run-cluster`` — follows that file and loads the new model within seconds
   (bot/plugins/model_sync.py); conversations live in the tracker store, so none is
   dropped. Publish then waits until every worker in the deployment's registry
   (bot/plugins/shared_state.py) reports the new model, and fails naming any that
   does not. (Rasa's ``PUT /model`` is not used: it reaches one worker of several.)

The current model stays untouched until step 3.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml

from bot import PROJECT_ROOT
from bot.conversation.handoff import SLACK_CHANNEL_ENV
from bot.plugins.components.warm_start import warm_config
from bot.plugins.model_sync import ALIVE_WITHIN_S
from bot.plugins.shared_state import SharedState
from bot.tools.evaluation import MIN_ACCURACY, MIN_MACRO_F1
from bot.tools.serve import VENV_BIN

# Workers that reported within this long are expected to take the new model; one
# that reported earlier than ALIVE_WITHIN_S ago but within this is counted as unreachable.
RECENT_WORKERS_S = 120.0
# Each step's line in the output begins with its title; the console shows a translation by
# the key (bot/tools/console/publishing.py, data/web/console.yml ``step_<key>``).
STEPS = {
    "train": "Validate the training data and train the candidate model",
    "tests": "Conversation tests and held-out NLU tests",
    "installed": "Installed",
    "waiting": "Waiting for every worker of the running assistant to load it",
    "loaded": "Every worker now answers with the new model",
    "no_assistant": "No assistant is running",
}
# The conversation tests include the hand-off's, which is offered only when the organisers'
# Slack channel is set (as `make stories` sets it).
STORIES_ENVIRONMENT = {SLACK_CHANNEL_ENV: "C0STORIES"}
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


@dataclass(frozen=True)
class Part:
    """One command of a step; its output goes to ``reports/publish/<first word>.log``."""

    name: str
    command: List[str]
    environment: Dict[str, str] = field(default_factory=dict)


def _run(settings: PublishSettings, step: str, parts: List[Part]) -> None:
    """Run the commands of one step side by side (each part's output in its own log); the
    first that fails stops the others and the step, with the tail of its log."""
    settings.log(f"-- {step}")
    started = time.monotonic()
    settings.reports.mkdir(parents=True, exist_ok=True)
    running = []
    for part in parts:
        log_path = settings.reports / f"{part.name.split()[0].lower()}.log"
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(
                part.command,
                cwd=settings.root,
                env={**_environment(), **part.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        running.append((part.name, log_path, process))
    try:
        while running:
            for entry in list(running):
                name, log_path, process = entry
                code = process.poll()
                if code is None:
                    continue
                running.remove(entry)
                if code != 0:
                    tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
                    raise PublishError(f"{name} failed (details in {log_path}):\n{tail}")
            time.sleep(0.2)
    finally:
        for _, _, process in running:
            process.terminate()
            process.wait()
    settings.log(f"   done in {time.monotonic() - started:.0f} s")


def _rasa(*args: str) -> List[str]:
    return [str(VENV_BIN / "rasa"), *args]


def _launched(*args: str) -> List[str]:
    """A Rasa command as the server runs it: through the launcher, with the speed-ups of
    bot/plugins/patches.py, and without TensorFlow when its ``--model`` needs none."""
    return [str(VENV_BIN / "python"), "-m", "bot.plugins.launcher", *args]


def data_arguments(config: str = "config.yml") -> List[str]:
    return ["--data", "data/nlu", "data/rules", "--domain", "domain", "--config", config]


def validation_command() -> List[str]:
    return _rasa("data", "validate", *data_arguments(), "--fail-on-warnings")


def training_config(settings: PublishSettings) -> Tuple[Path, bool]:
    """config.yml, set to start from the current model when there is one (a warm start:
    bot/plugins/components/warm_start.py), written next to the publish's logs; and
    whether it is set so."""
    config = yaml.safe_load((settings.root / "config.yml").read_text(encoding="utf-8"))
    warm = True
    try:
        config = warm_config(config, settings.model, model_id(settings.model))
    except (OSError, tarfile.TarError, ValueError, KeyError) as error:
        warm = False
        settings.log(f"   (no current model to start from, {type(error).__name__}: training from zero)")
    path = settings.reports / "config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, warm


def training(config: Path, name: str, warm: bool) -> Part:
    """``rasa train`` without its own validation (the step beside it validates) and, for a
    warm start, without Rasa's cache: with new examples no trained component's inputs are
    unchanged, so the cache could not help, and its fingerprint run, restoring and storing
    cost more than the policies' training it could save (with the cache off, the
    ``training_hook`` speed-up skips Rasa's fingerprints too)."""
    arguments = [*data_arguments(str(config)), "--out", "models", "--fixed-model-name", name, "--skip-validation"]
    command = _launched("train", *arguments)
    if not warm:
        return Part("Train the candidate model", command)
    return Part("Train the candidate model", [*command, "--force"], {"RASA_MAX_CACHE_SIZE": "0"})


def validate_and_train(settings: PublishSettings) -> Path:
    """Validation and training side by side (two CPUs); the candidate model's path."""
    name = f"candidate-{time.strftime('%Y%m%d-%H%M%S')}"
    config, warm = training_config(settings)
    _run(
        settings,
        STEPS["train"],
        [
            Part("Validate training data", validation_command()),
            training(config, name, warm),
        ],
    )
    return settings.root / "models" / f"{name}.tar.gz"


def regression_tests(settings: PublishSettings, candidate: Path) -> None:
    """Conversation tests and the per-language accuracy gate, side by side; raises when below the floor."""
    from bot.tools.evaluation import evaluate

    results = settings.reports / "nlu"
    _run(
        settings,
        STEPS["tests"],
        [
            Part(
                "Conversation tests",
                _launched(
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
                STORIES_ENVIRONMENT,
            ),
            Part(
                "Held-out NLU tests",
                _launched(
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
            ),
        ],
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
    candidate = validate_and_train(settings)
    regression_tests(settings, candidate)
    expected = model_id(candidate)
    model = install(settings, candidate)
    settings.log(f"-- {STEPS['installed']} {model} (model {expected})")
    workers: List[str] = []
    if settings.shared is not None:
        settings.log(f"-- {STEPS['waiting']} …")
        workers = wait_for_workers(settings, expected)
    if workers:
        settings.log(f"-- {STEPS['loaded']} ({len(workers)}: {', '.join(workers)}).")
    else:
        settings.log(f"-- {STEPS['no_assistant']}; `make run` will use the new model.")
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
