"""The console's Publish button: ``python -m bot publish`` in the background, followed live.

The job is the command organisers run in a terminal (bot/tools/publish.py: validate,
train, test with the per-language gate, install, wait for every worker), started as a
process of its own, so it survives the worker that started it and neither worker's event
loop waits for it. Its output, exit code and start are files under
``var/console/publish/``, so both workers (and a page reloaded on either) show the same
progress: the steps so far, the per-language gate table, and why it stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import PROJECT_ROOT
from bot.tools.console.database import exclusive
from bot.tools.console.guard import Console, blocking, error, ok, signed_in
from bot.tools.console.sessions import Session
from bot.tools.evaluation import MIN_ACCURACY, MIN_MACRO_F1
from bot.tools.publish import STEPS

# The gate's floors; a deployment (or a test's smaller project) may set its own.
MIN_ACCURACY_ENV = "BOT_PUBLISH_MIN_ACCURACY"
MIN_F1_ENV = "BOT_PUBLISH_MIN_F1"
STEP_MARK = "-- "
FAILED_MARK = "NOT PUBLISHED: "


def floors() -> Tuple[float, float]:
    return float(os.environ.get(MIN_ACCURACY_ENV) or MIN_ACCURACY), float(os.environ.get(MIN_F1_ENV) or MIN_MACRO_F1)


@dataclass(frozen=True)
class JobFiles:
    folder: Path

    @property
    def state(self) -> Path:
        return self.folder / "job.json"

    @property
    def log(self) -> Path:
        return self.folder / "publish.log"

    @property
    def exit_code(self) -> Path:
        return self.folder / "exit-code"

    @property
    def lock(self) -> Path:
        return self.folder / "start.lock"


def read_steps(log: str) -> Tuple[List[Dict[str, str]], str]:
    """The steps the log shows (each 'done', 'running' or 'failed', with the key of its title
    in ``publish.STEPS`` for the page to translate) and the reason it stopped."""
    steps: List[Dict[str, str]] = []
    reason_lines: List[str] = []
    failed = False
    for line in log.splitlines():
        if line.startswith(STEP_MARK):
            if steps and steps[-1]["state"] == "running":
                steps[-1]["state"] = "done"
            title = line[len(STEP_MARK) :].strip()
            key = next((key for key, start in STEPS.items() if title.startswith(start)), "")
            steps.append({"step": title, "key": key, "state": "running", "took": ""})
        elif line.strip().startswith("done in ") and steps:
            steps[-1].update(state="done", took=line.strip()[len("done in ") :])
        elif line.startswith(FAILED_MARK) or failed:
            failed = True
            reason_lines.append(line[len(FAILED_MARK) :] if line.startswith(FAILED_MARK) else line)
    if failed and steps and steps[-1]["state"] == "running":
        steps[-1]["state"] = "failed"
    return steps, "\n".join(reason_lines).strip()


def gate_table(root: Path, since: float, floor: Tuple[float, float]) -> List[dict]:
    """Per language: accuracy and macro-F1 of this job's held-out tests, against the floors."""
    path = root / "reports" / "publish" / "evaluation.json"
    if not path.exists() or path.stat().st_mtime < since:
        return []
    return [
        {
            "language": score["language"],
            "examples": score["examples"],
            "accuracy": score["accuracy"],
            "macro_f1": score["macro_f1"],
            "passed": score["accuracy"] >= floor[0] and score["macro_f1"] >= floor[1],
        }
        for score in json.loads(path.read_text(encoding="utf-8"))
    ]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class Publisher:
    def __init__(self, console: Console) -> None:
        self.root = console.settings.root
        self.files = JobFiles(console.settings.var_dir / "console" / "publish")

    def state(self) -> Optional[dict]:
        try:
            return json.loads(self.files.state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def status(self) -> dict:
        """The last job: who started it, when, its steps, gate table, outcome."""
        job = self.state()
        if job is None:
            return {"job": None}
        log = self.files.log.read_text(encoding="utf-8", errors="replace") if self.files.log.exists() else ""
        steps, reason = read_steps(log)
        code = self.files.exit_code.read_text().strip() if self.files.exit_code.exists() else ""
        if code:
            outcome = "published" if code == "0" else "failed"
        elif _alive(job["pid"]):
            outcome = "running"
        else:
            outcome, reason = "failed", reason or "the publish process stopped without a result (server restarted?)"
        if outcome == "published":  # the last step has no "done in" line of its own
            for step in steps:
                step["state"] = "done"
        finished = self.files.exit_code.stat().st_mtime if code else None
        return {
            "job": {**job, "outcome": outcome, "finished": finished},
            "steps": steps,
            "reason": reason,
            "gate": gate_table(self.root, job["started"], (job["floor"][0], job["floor"][1])),
            "log_tail": "\n".join(log.splitlines()[-12:]),
        }

    def start(self, user: str) -> Optional[dict]:
        """Start a job, or None when one is running already."""
        with exclusive(self.files.lock):
            job = self.state()
            if job and not self.files.exit_code.exists() and _alive(job["pid"]):
                return None
            for path in (self.files.log, self.files.exit_code):
                path.unlink(missing_ok=True)
            floor = floors()
            command = [
                sys.executable,
                "-m",
                "bot",
                "publish",
                "--root",
                str(self.root),
                "--min-accuracy",
                str(floor[0]),
                "--min-f1",
                str(floor[1]),
            ]
            # The shell writes the exit code when the command ends, whoever is left to read it.
            shell = 'python="$1"; shift; "$python" "$@" > "$LOG" 2>&1; echo $? > "$EXIT_CODE"'
            env = {**os.environ, "LOG": str(self.files.log), "EXIT_CODE": str(self.files.exit_code)}
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
            process = subprocess.Popen(
                ["/bin/sh", "-c", shell, "sh", *command],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            job = {"user": user, "started": time.time(), "pid": process.pid, "floor": list(floor)}
            self.files.state.write_text(json.dumps(job), encoding="utf-8")
        return job


def routes(page: Blueprint, console: Console) -> None:
    publisher = Publisher(console)
    guard = signed_in(console)

    @page.route("/api/publish", methods=["GET"])
    @guard
    async def status(_: Request, __: Session) -> HTTPResponse:
        return ok(await blocking(publisher.status))

    @page.route("/api/publish", methods=["POST"])
    @guard
    async def start(_: Request, session: Session) -> HTTPResponse:
        job = await blocking(publisher.start, session.user)
        if job is None:
            return error("a publish is running already", 409, job=await blocking(publisher.status))
        return ok(await blocking(publisher.status), status=202)
