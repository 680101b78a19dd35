"""The assistant as the test suites run it: ``make run``, on the suite's own ports and folder.

``Assistant.start`` runs ``make run PORT=… ACTIONS_PORT=… VAR_DIR=… PUBLIC=…``: the
project's endpoints.yml and credentials.yml, Rasa through the launcher, the default
worker count, the supervisor, the public gateway — what a user starts. Only ports and
the folder of databases, token and logs are the suite's own, so a test run never
touches a developer's running assistant. What else a suite changes, it passes as
environment variables and says why (``SharedAssistant`` below).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import requests

from bot.tools.serve import PROCESSES_FILE, wait_until_ready
from tests.conftest import ROOT

READY_TIMEOUT_S = 240.0
RESTART_TIMEOUT_S = 120.0
# The supervisor's names for the two servers of `make run` (bot/tools/serve.py).
RASA = "Rasa server"
ACTIONS = "action server"


def interrupt(process: Optional[subprocess.Popen], processes_file: Path, timeout: float) -> None:
    """Ctrl+C to a ``make run`` or ``make run-cluster`` started in a session of its own; after
    ``timeout`` seconds SIGKILL, also to the servers its supervisor recorded in
    ``processes_file``: each runs in a session of its own, so killing the group does not
    reach them, and they would hold their ports against the next suite (seen in CI)."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        recorded = json.loads(processes_file.read_text(encoding="utf-8")) if processes_file.is_file() else {}
        for pid in recorded.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def trained_model() -> Path:
    """``BOT_MODEL`` or models/current.tar.gz. Tests never train one: without a model they
    fail at once, saying how to make one, rather than with a server that does not start."""
    model = Path(os.environ.get("BOT_MODEL", ROOT / "models" / "current.tar.gz"))
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run `make train` first")
    return model


@dataclass
class Assistant:
    """One ``make run`` in the background."""

    work: Path
    port: int
    actions_port: int
    public_port: Optional[int] = None
    model: Path = field(default_factory=trained_model)
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None

    @property
    def var_dir(self) -> Path:
        return self.work / "var"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def token(self) -> str:
        return (self.var_dir / "api-token").read_text(encoding="utf-8").strip()

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    @property
    def logs(self) -> Path:
        return self.var_dir / "log"

    def command(self) -> List[str]:
        # -o: the tests never train; they run the model they are given (trained_model()).
        command = ["make", "--no-print-directory", "-o", str(self.model), "run", f"MODEL={self.model}", f"PORT={self.port}",
                   f"ACTIONS_PORT={self.actions_port}", f"VAR_DIR={self.var_dir}"]
        if self.public_port:
            command.append(f"PUBLIC=127.0.0.1:{self.public_port}")
        return command

    def start(self) -> "Assistant":
        self.work.mkdir(parents=True, exist_ok=True)
        log = open(self.work / "make-run.log", "ab")
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env={**os.environ, **self.env},
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for url in (f"{self.rasa_url}/", f"{self.actions_url}/health") + (
                    (f"{self.public_url}/webhooks/rest/",) if self.public_port else ()):
                wait_until_ready(url, self.process, READY_TIMEOUT_S)
            self.wait_for_workers()
            self.wait_for_record()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Ctrl+C, as a user stops it (SIGKILL after 30 s, see ``interrupt``)."""
        interrupt(self.process, self.var_dir / PROCESSES_FILE, 30)

    def pids(self) -> Dict[str, int]:
        """The supervisor's record: ``Rasa server``, ``action server`` → pid."""
        return json.loads((self.var_dir / PROCESSES_FILE).read_text(encoding="utf-8"))

    def workers(self) -> Dict[str, dict]:
        """The Sanic workers that reported in the last few seconds (bot/plugins/model_sync.py)."""
        from bot.plugins.model_sync import ALIVE_WITHIN_S
        from bot.plugins.shared_state import SQLiteSharedState

        return SQLiteSharedState(self.var_dir / "locks.db").workers(ALIVE_WITHIN_S)

    def wait_for_workers(self, timeout: float = READY_TIMEOUT_S) -> Dict[str, dict]:
        """Until every worker of ``make run`` has reported (they answer before they report)."""
        from bot.tools.serve import default_workers

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            workers = {name: info for name, info in self.workers().items()
                       if f":{self.port}:" in name and _alive(info["pid"])}
            if len(workers) >= default_workers():
                return workers
            time.sleep(0.5)
        raise TimeoutError(f"workers of {self.rasa_url} did not report within {timeout:.0f} s")

    def wait_for_record(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Until the supervisor has recorded the pids: it does once it has seen both servers
        answer, which it checks every 0.5 s, so a test may see them answer first."""
        deadline = time.monotonic() + timeout
        while not (self.var_dir / PROCESSES_FILE).is_file():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.var_dir / PROCESSES_FILE} not written within {timeout:.0f} s")
            time.sleep(0.1)

    def crash(self, role: str = RASA) -> int:
        """SIGKILL a server (``RASA`` or ``ACTIONS``) as a crash would; its pid."""
        pid = self.pids()[role]
        os.killpg(pid, signal.SIGKILL)  # the server and, for Rasa, its Sanic workers
        return pid

    def recovered(self, role: str, old_pid: int, timeout: float = RESTART_TIMEOUT_S) -> int:
        """Until the supervisor has restarted ``role`` and it answers; the new pid."""
        ready_url = f"{self.rasa_url}/" if role == RASA else f"{self.actions_url}/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.pids().get(role)
            if pid and pid != old_pid:
                try:
                    if requests.get(ready_url, timeout=2).status_code < 500:
                        if role == RASA:
                            self.wait_for_workers(deadline - time.monotonic())
                        return pid
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        raise TimeoutError(f"{role} was not restarted within {timeout:.0f} s")

    def restart_rasa(self) -> None:
        """A crash of the Rasa server and the supervisor's restart."""
        self.recovered(RASA, self.crash(RASA))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class ActionServer:
    """A second action server with other settings (``BOT_CLOCK`` …), for the shared
    assistant to call through its action proxy while a test needs it."""

    def __init__(self, work: Path, port: int, env: Dict[str, str]) -> None:
        from bot.tools.serve import ServerSettings, Servers

        self.servers = Servers(ServerSettings(model=trained_model(), actions_port=port, var_dir=work,
                                              extra_env=env))

    def __enter__(self) -> "ActionServer":
        self.servers.start_actions()
        return self

    def __exit__(self, *exc: object) -> None:
        self.servers.stop()


class Chat:
    """One conversation over the REST channel of ``base_url``."""

    def __init__(self, base_url: str, metadata: Optional[dict] = None, sender: Optional[str] = None) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = sender or f"test-{uuid.uuid4().hex[:12]}"
        self.metadata = metadata

    def send(self, message: str) -> list:
        body: dict = {"sender": self.sender, "message": message}
        if self.metadata:
            body["metadata"] = self.metadata
        response = requests.post(self.url, json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def say(self, message: str) -> str:
        """All reply texts to ``message``, joined."""
        return "\n".join(m.get("text", "") for m in self.send(message))
