"""N Rasa replicas and M action servers behind nginx, sharing PostgreSQL and Redis.

``make run-cluster`` / ``python -m bot cluster`` on one machine; the same shape as the
docker-compose file and the Helm values in ``deploy/`` (docs/deployment.md). Rasa
itself is stateless here: every replica reads and writes conversations in PostgreSQL
(``bot.plugins.tracker_store.sql.ResilientSQLTrackerStore``) and takes the per-conversation lock in Redis,
so nginx may send any message to any replica.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import PROJECT_ROOT
from bot.tools.serve import (
    PROCESSES_FILE,
    ServerSettings,
    actions_command,
    api_token,
    rasa_command,
    spawn,
    stop_process,
    wait_until_ready,
)
from bot.tools.supervisor import Supervisor

DEPLOY = PROJECT_ROOT / "deploy"
PRODUCTION_ENDPOINTS = DEPLOY / "endpoints.production.yml"
NGINX_TEMPLATE = DEPLOY / "nginx.conf.template"
CLUSTER_ENV = DEPLOY / "cluster.env"


def read_env_file(path: Path) -> Dict[str, str]:
    """``KEY=value`` lines; blank lines and ``#`` comments ignored."""
    values: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def find_nginx() -> str:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if nginx is None:
        raise RuntimeError("nginx is not installed (Debian/Ubuntu: apt-get install nginx-light)")
    return nginx


@dataclass
class ClusterSettings:
    """How many of each process, on which ports, and which database and Redis."""

    model: Path
    replicas: int = 2
    action_servers: int = 1
    port: int = 5005  # nginx: REST and socket.io, what clients use
    actions_port: int = 5055  # nginx: the action servers, what replicas use
    first_rasa_port: int = 5010  # replicas listen on first_rasa_port + i
    first_actions_port: int = 5060  # action servers on first_actions_port + j
    sanic_workers: int = 1  # per replica (SANIC_WORKERS; needs the Redis lock store)
    listen_host: str = "127.0.0.1"
    run_dir: Path = PROJECT_ROOT / "var" / "cluster"
    env: Dict[str, str] = field(default_factory=dict)  # overrides deploy/cluster.env

    def rasa_ports(self) -> List[int]:
        return [self.first_rasa_port + i for i in range(self.replicas)]

    def action_ports(self) -> List[int]:
        return [self.first_actions_port + j for j in range(self.action_servers)]

    def store_env(self) -> Dict[str, str]:
        """deploy/cluster.env, then the process environment, then ``env``."""
        values = read_env_file(CLUSTER_ENV)
        values.update({k: os.environ[k] for k in values if k in os.environ})
        values.update(self.env)
        values["ACTION_SERVER_URL"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        values["SANIC_WORKERS"] = str(self.sanic_workers)
        return values

    def drop_stores(self) -> None:
        """Delete this cluster's database and Redis keys (tests and benchmarks clean up)."""
        import psycopg2
        import redis

        env = self.store_env()
        connection = psycopg2.connect(
            host=env["DB_HOST"],
            port=int(env["DB_PORT"]),
            user=env["DB_USER"],
            password=env["DB_PASSWORD"] or None,
            dbname=env["DB_LOGIN_DB"],
            connect_timeout=5,
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{env["DB_NAME"]}" WITH (FORCE)')
        connection.close()
        client = redis.Redis(
            host=env["REDIS_HOST"],
            port=int(env["REDIS_PORT"]),
            db=int(env["REDIS_DB"]),
            password=env["REDIS_PASSWORD"] or None,
        )
        for key in client.scan_iter(f"{env['REDIS_KEY_PREFIX']}:*"):
            client.delete(key)

    def server_settings(self, rasa_port: int, actions_port: int, token: Optional[str] = None) -> ServerSettings:
        """One replica's (or action server's) settings; files under ``run_dir``, so a
        cluster never touches the token or databases of a ``make run`` beside it."""
        return ServerSettings(
            model=self.model,
            rasa_port=rasa_port,
            actions_port=actions_port,
            endpoints=PRODUCTION_ENDPOINTS,
            var_dir=self.run_dir,
            workers=self.sanic_workers,
            extra_env=self.store_env(),
            api_token=token,
        )


def render_nginx_config(settings: ClusterSettings) -> str:
    def servers(ports: List[int]) -> str:
        return "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in ports)

    replacements = {
        "@@RUN_DIR@@": str(settings.run_dir),
        "@@RASA_SERVERS@@": servers(settings.rasa_ports()),
        "@@ACTION_SERVERS@@": servers(settings.action_ports()),
        "@@LISTEN_HOST@@": settings.listen_host,
        "@@RASA_PORT@@": str(settings.port),
        "@@ACTIONS_PORT@@": str(settings.actions_port),
    }
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


class Cluster:
    """Starts and stops the whole set; ``replicas[i]`` is the Rasa process on port i."""

    def __init__(self, settings: ClusterSettings) -> None:
        self.settings = settings
        self.actions: List[Optional[subprocess.Popen]] = [None] * settings.action_servers
        self.replicas: List[Optional[subprocess.Popen]] = [None] * settings.replicas
        self.nginx: Optional[subprocess.Popen] = None
        # One API token for every replica (run_dir/api-token), made once.
        self.token = api_token(settings.server_settings(0, 0))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_ports()[index]}"

    def _settings_for(self, rasa_port: int, actions_port: int) -> ServerSettings:
        return self.settings.server_settings(rasa_port, actions_port, self.token)

    def start_replica(self, index: int) -> subprocess.Popen:
        """(Re)start replica ``index`` without waiting for it."""
        port = self.settings.rasa_ports()[index]
        settings = self._settings_for(port, self.settings.actions_port)
        process = self.replicas[index] = spawn(rasa_command(settings), settings, f"rasa-{port}.log")
        return process

    def start_action_server(self, index: int) -> subprocess.Popen:
        """(Re)start action server ``index`` without waiting for it."""
        port = self.settings.action_ports()[index]
        settings = self._settings_for(0, port)
        process = self.actions[index] = spawn(actions_command(settings), settings, f"actions-{port}.log")
        return process

    def start_nginx(self) -> subprocess.Popen:
        run = self.settings.run_dir
        run.mkdir(parents=True, exist_ok=True)
        (run / "nginx.conf").write_text(render_nginx_config(self.settings), encoding="utf-8")
        command = [
            find_nginx(),
            "-p",
            str(run),
            "-c",
            str(run / "nginx.conf"),
            "-e",
            str(run / "nginx-error.log"),
            "-g",
            "daemon off;",
        ]
        self.nginx = spawn(command, self._settings_for(0, 0), "nginx.log")
        return self.nginx

    def supervisor(self) -> Supervisor:
        """A supervisor of every process, as started (``run_dir/processes.json``)."""
        supervisor = Supervisor(self.settings.run_dir / PROCESSES_FILE)
        for index, port in enumerate(self.settings.action_ports()):
            supervisor.add(f"actions-{port}", functools.partial(self.start_action_server, index), self.actions[index])
        for index, port in enumerate(self.settings.rasa_ports()):
            supervisor.add(f"rasa-{port}", functools.partial(self.start_replica, index), self.replicas[index])
        supervisor.add("nginx", self.start_nginx, self.nginx)
        return supervisor

    def start(self) -> "Cluster":
        """Everything at once (model loading overlaps), then wait for each to answer."""
        try:
            actions = [self.start_action_server(index) for index in range(self.settings.action_servers)]
            replicas = [self.start_replica(index) for index in range(self.settings.replicas)]
            nginx = self.start_nginx()
            for port, process in zip(self.settings.action_ports(), actions, strict=True):
                wait_until_ready(f"http://127.0.0.1:{port}/health", process)
            for index, process in enumerate(replicas):
                wait_until_ready(f"{self.replica_url(index)}/", process)
            wait_until_ready(f"{self.url}/", nginx)
        except BaseException:
            self.stop()
            raise
        return self

    def processes(self) -> Dict[str, subprocess.Popen]:
        """Every live process by role, e.g. ``rasa-5010``, ``actions-5060``, ``nginx``."""
        named = {f"rasa-{p}": proc for p, proc in zip(self.settings.rasa_ports(), self.replicas, strict=True) if proc}
        named.update(
            {f"actions-{p}": proc for p, proc in zip(self.settings.action_ports(), self.actions, strict=True) if proc}
        )
        if self.nginx:
            named["nginx"] = self.nginx
        return named

    def stop(self) -> None:
        for process in [self.nginx, *self.replicas, *self.actions]:
            stop_process(process)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_cluster(settings: ClusterSettings) -> int:
    """Run until interrupted (``make run-cluster``); a process that dies is restarted
    (bot/tools/supervisor.py) while nginx routes around it."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(
        f"Starting {settings.replicas} Rasa replica(s), {settings.action_servers} action "
        f"server(s) and nginx (loading the model takes a little while) …",
        flush=True,
    )
    cluster = Cluster(settings)
    try:
        cluster.start()
        env = settings.store_env()
        print(
            f"\nThe assistant is ready behind nginx: {cluster.url}/webhooks/rest/webhook\n"
            f"  Conversations: PostgreSQL {env['DB_HOST']}/{env['DB_NAME']}; "
            f"locks: Redis {env['REDIS_HOST']} db {env['REDIS_DB']}\n"
            f"  Logs: {settings.run_dir / 'log'}\nPress Ctrl+C to stop.",
            flush=True,
        )
        cluster.supervisor().run_forever()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()
