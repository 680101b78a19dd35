"""Starts the action server and the Rasa server, waits until both answer, keeps them up.

Used by ``make run`` / ``make shell`` and by every test suite that talks to a server,
so that what the tests exercise is exactly what a user starts: the project's
``endpoints.yml`` and ``credentials.yml``, Rasa through ``bot.plugins.launcher`` (the
patches and the workers' model sync), and ``default_workers()`` Sanic workers. A suite
changes only the ports and ``var_dir`` (its own databases, token and logs; the
endpoints file names its databases as ``${BOT_VAR_DIR}/…``), unless it says why.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import PROJECT_ROOT
from bot.plugins.endpoints import DEFAULT_ENDPOINTS, ENDPOINTS_ENV, VAR_DIR_ENV
from bot.tools.supervisor import Supervisor

VENV_BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 180.0
# How often a starting server is asked whether it answers: a local request costs about a
# millisecond, and `make run` (and the benchmark's readiness) should not lag by half a second.
POLL_S = 0.1
API_TOKEN_ENV = "BOT_API_TOKEN"
API_TOKEN_NAME = "api-token"
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
WORKERS_ENV = "SANIC_WORKERS"
# Where Rasa calls the actions (endpoints.yml); a test may put a proxy in between.
ACTION_SERVER_URL_ENV = "BOT_ACTION_SERVER_URL"


def default_workers() -> int:
    """Sanic workers of one Rasa server: two where there are two CPUs or more (one
    process uses one CPU; docs/performance.md), else one."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


# Joined to the token with "=": a URL-safe token can start with "-", which argparse would
# otherwise take for an option ("expected one argument") and the server would not start.
AUTH_TOKEN_OPTION = "--auth-token="


@dataclass
class ServerSettings:
    """Where the two servers listen and what they load."""

    model: Path
    rasa_port: int = 5005
    actions_port: int = 5055
    # BOT_ENDPOINTS=deploy/endpoints.production.yml selects PostgreSQL + Redis (docs/deployment.md).
    endpoints: Path = field(default_factory=lambda: Path(os.environ.get(ENDPOINTS_ENV) or DEFAULT_ENDPOINTS))
    credentials: Path = PROJECT_ROOT / "credentials.yml"
    # Databases, the API token and logs (BOT_VAR_DIR for the servers).
    var_dir: Path = DEFAULT_VAR_DIR
    workers: int = field(default_factory=default_workers)
    log_dir: Optional[Path] = None  # var_dir/log
    extra_env: Dict[str, str] = field(default_factory=dict)
    # Rasa's HTTP API (model, conversations) needs this token; see api_token().
    # Rasa listens on 127.0.0.1 only; `public` ("host:port") starts the gateway that
    # exposes the channels alone (bot/tools/gateway.py, docs/reliability.md).
    api_token: Optional[str] = None
    api_token_file: Optional[Path] = None  # var_dir/api-token
    public: Optional[str] = None

    def __post_init__(self) -> None:
        self.var_dir = Path(self.var_dir)
        self.log_dir = Path(self.log_dir or self.var_dir / "log")
        self.api_token_file = Path(self.api_token_file or self.var_dir / API_TOKEN_NAME)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"


def api_token(settings: ServerSettings) -> str:
    """The HTTP API token: given, or ``BOT_API_TOKEN``, or a new random one.

    A generated token is written to ``settings.api_token_file`` (mode 600), so that
    tools on the same machine can read it. It is never logged.
    """
    assert settings.api_token_file is not None
    if settings.api_token is None:
        settings.api_token = os.environ.get(API_TOKEN_ENV) or secrets.token_urlsafe(32)
        if not os.environ.get(API_TOKEN_ENV):
            settings.api_token_file.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(settings.api_token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(settings.api_token + "\n")
    return settings.api_token


def _redacted(args: List[str]) -> str:
    """A command line fit for logs: the token hidden."""
    return " ".join(AUTH_TOKEN_OPTION + "***" if a.startswith(AUTH_TOKEN_OPTION) else a for a in args)


def _environment(settings: ServerSettings) -> Dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env[ENDPOINTS_ENV] = str(Path(settings.endpoints).resolve())
    env[VAR_DIR_ENV] = str(Path(settings.var_dir).resolve())
    env[WORKERS_ENV] = str(settings.workers)
    env.setdefault(ACTION_SERVER_URL_ENV, f"{settings.actions_url}/webhook")
    env.update(settings.extra_env)
    return env


def actions_command(settings: ServerSettings) -> List[str]:
    return [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)]


def rasa_command(settings: ServerSettings, shell: bool = False) -> List[str]:
    """Rasa through the launcher (patches, model sync), with Rasa's own arguments."""
    command = [
        sys.executable,
        "-m",
        "bot.plugins.launcher",
        "shell" if shell else "run",
        "--model",
        str(settings.model),
        "--endpoints",
        str(settings.endpoints),
    ]
    if not shell:
        command += [
            "--port",
            str(settings.rasa_port),
            "--credentials",
            str(settings.credentials),
            "--interface",
            "127.0.0.1",
            "--enable-api",
            AUTH_TOKEN_OPTION + api_token(settings),
        ]
    return command


def gateway_command(settings: ServerSettings) -> List[str]:
    return [sys.executable, "-m", "bot", "gateway", "--listen", str(settings.public), "--upstream", settings.rasa_url]


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll ``url`` until it answers; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            arguments = process.args if isinstance(process.args, (list, tuple)) else [process.args]
            raise RuntimeError(f"{_redacted([str(arg) for arg in arguments])} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(POLL_S)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def spawn(command: List[str], settings: ServerSettings, log_name: str) -> subprocess.Popen:
    """Start ``command`` in its own process group, output appended to ``log_name``."""
    log_dir = Path(settings.log_dir or settings.var_dir / "log")
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / log_name, "ab")  # noqa: SIM115 - the child process owns it
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=_environment(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_process(process: Optional[subprocess.Popen]) -> None:
    """SIGTERM the process group, SIGKILL after 20 s."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Servers:
    """The action server and the Rasa server as child processes."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None
        self.gateway: Optional[subprocess.Popen] = None

    def _spawn(self, command: List[str], log_name: str) -> subprocess.Popen:
        return spawn(command, self.settings, log_name)

    def respawn_actions(self) -> subprocess.Popen:
        """Start the action server without waiting for it (the supervisor's restart)."""
        self.actions = self._spawn(actions_command(self.settings), "actions.log")
        return self.actions

    def respawn_rasa(self) -> subprocess.Popen:
        self.rasa = self._spawn(rasa_command(self.settings), "rasa.log")
        return self.rasa

    def start_actions(self) -> None:
        wait_until_ready(f"{self.settings.actions_url}/health", self.respawn_actions())

    def start_rasa(self) -> None:
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        wait_until_ready(f"{self.settings.rasa_url}/", self.respawn_rasa())

    def respawn_gateway(self) -> subprocess.Popen:
        self.gateway = self._spawn(gateway_command(self.settings), "gateway.log")
        return self.gateway

    def start_gateway(self) -> None:
        host, _, port = str(self.settings.public).rpartition(":")
        wait_until_ready(
            f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/webhooks/rest/", self.respawn_gateway()
        )

    def start(self) -> "Servers":
        """Both servers at once, so start-up takes as long as the slower one (the Rasa
        server, loading its model), not the two one after the other; then the gateway."""
        try:
            actions = self.respawn_actions()
            self.settings.var_dir.mkdir(parents=True, exist_ok=True)
            rasa = self.respawn_rasa()
            wait_until_ready(f"{self.settings.actions_url}/health", actions)
            wait_until_ready(f"{self.settings.rasa_url}/", rasa)
            if self.settings.public:
                self.start_gateway()
        except BaseException:  # e.g. no model: do not leave the other server running
            self.stop()
            raise
        return self

    _stop = staticmethod(stop_process)

    def stop_rasa(self) -> None:
        self._stop(self.rasa)

    def stop(self) -> None:
        self._stop(self.gateway)
        self._stop(self.rasa)
        self._stop(self.actions)

    def __enter__(self) -> "Servers":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


PROCESSES_FILE = "processes.json"


def serve(settings: ServerSettings, shell: bool = False) -> int:
    """Run until interrupted (``make run``), or chat in the terminal (``make shell``).

    A server that exits by itself is started again (bot/tools/supervisor.py); the pids
    are in ``var_dir/processes.json``.
    """
    # SIGTERM (e.g. from a process manager) must also stop both child servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    servers = Servers(settings)
    try:
        if shell:
            print("Starting the action server …", flush=True)
            servers.start_actions()
            settings.var_dir.mkdir(parents=True, exist_ok=True)
            return subprocess.call(rasa_command(settings, shell=True), cwd=PROJECT_ROOT, env=_environment(settings))
        print(
            f"Starting the action server and the Rasa server ({settings.workers} worker(s)) …",
            flush=True,
        )
        servers.start()
        supervisor = Supervisor(settings.var_dir / PROCESSES_FILE)
        supervisor.add("action server", servers.respawn_actions, servers.actions)
        supervisor.add("Rasa server", servers.respawn_rasa, servers.rasa)
        if settings.public:
            supervisor.add("gateway", servers.respawn_gateway, servers.gateway)
        print(
            "\nThe assistant is ready.\n"
            f"  Web:   {settings.rasa_url}/chat/  (the conference page with the chat)\n"
            f"  REST:  curl -s -X POST {settings.rasa_url}/webhooks/rest/webhook "
            "-H 'Content-Type: application/json' "
            '-d \'{"sender": "me", "message": "Where does the conference take place?"}\'\n'
            + (f"  Public (channels only): http://{settings.public}/\n" if settings.public else "")
            + f"  Logs:  {settings.log_dir}/rasa.log, {settings.log_dir}/actions.log\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )
        supervisor.run_forever()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        servers.stop()
