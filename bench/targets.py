"""What the benchmark runs against: the stock ``rasa init`` assistant, the embedded
default (``make run``) and the cluster (``make run-cluster``), each started the way a
user starts it, with its readiness time and the peak memory of each of its processes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import yaml

from bot import PROJECT_ROOT
from bot.tools.cluster import Cluster, ClusterSettings
from bot.tools.serve import ServerSettings, Servers, VENV_BIN, stop_process, wait_until_ready


@dataclass
class Target:
    """A running assistant: where to send messages and which processes make it up."""

    name: str
    url: str
    ready_s: float
    processes: Dict[str, subprocess.Popen]
    extra: Dict[str, float] = field(default_factory=dict)

    def peak_memory_mb(self) -> Dict[str, float]:
        """Peak resident memory (VmHWM) per process, forked workers included, in MB."""
        return {role: round(sum(_peak_rss_kb(pid) for pid in _tree(process.pid)) / 1024, 1)
                for role, process in self.processes.items() if process.poll() is None}

    def pss_mb(self) -> Dict[str, float]:
        """Proportional set size per process tree now, in MB: shared pages (a library, a
        model loaded before the Sanic workers fork) are divided among the processes
        sharing them, so the sum over roles is what the assistant costs the machine."""
        return {role: round(sum(_pss_kb(pid) for pid in _tree(process.pid)) / 1024, 1)
                for role, process in self.processes.items() if process.poll() is None}

    def cpu_seconds(self) -> Dict[str, float]:
        """CPU time used so far per process (user + system, forked workers included).

        CPU per message is far less disturbed by other load on the machine than
        latency, so it is what docs/performance.md uses to compare changes.
        """
        return {role: sum(_cpu_ticks(pid) for pid in _tree(process.pid)) / os.sysconf("SC_CLK_TCK")
                for role, process in self.processes.items() if process.poll() is None}


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _tree(pid: int) -> List[int]:
    """``pid`` and its descendants (Sanic forks workers when SANIC_WORKERS > 1)."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _proc_kb(pid: int, file: str, field: str) -> int:
    """A ``field: N kB`` line of ``/proc/<pid>/<file>``; 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_rss_kb(pid: int) -> int:
    return _proc_kb(pid, "status", "VmHWM")


def _pss_kb(pid: int) -> int:
    return _proc_kb(pid, "smaps_rollup", "Pss")


@contextlib.contextmanager
def stock_assistant(workdir: Path, port: int) -> Iterator[Target]:
    """``rasa init --no-prompt`` in ``workdir`` (it trains), then one ``rasa run``."""
    workdir.mkdir(parents=True, exist_ok=True)
    settings = ServerSettings(model=workdir / "models", rasa_port=port, log_dir=workdir)
    started = time.monotonic()
    subprocess.run([str(VENV_BIN / "rasa"), "init", "--no-prompt"], cwd=workdir, check=True,
                   stdout=open(workdir / "init.log", "wb"), stderr=subprocess.STDOUT)
    train_s = time.monotonic() - started
    started = time.monotonic()
    # cwd matters: rasa run finds models/, credentials.yml (REST) and endpoints.yml there.
    process = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--port", str(port), "--interface", "127.0.0.1"],
        cwd=workdir, stdout=open(workdir / "rasa.log", "wb"), stderr=subprocess.STDOUT,
        start_new_session=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    try:
        wait_until_ready(f"{settings.rasa_url}/", process)
        yield Target("stock rasa init", settings.rasa_url, time.monotonic() - started,
                     {"rasa": process}, {"train_s": round(train_s, 1)})
    finally:
        stop_process(process)


def embedded_endpoints(workdir: Path, actions_port: int, tracker_store_type: str = "",
                       send_domain: bool = False, lock_store_type: str = "") -> Path:
    """The project's endpoints.yml, with its own action port, tracker and lock files."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    if send_domain:
        endpoints["action_endpoint"]["enable_selective_domain"] = False
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints["tracker_store"]["db"] = str(workdir / "tracker.db")
    endpoints["lock_store"]["db"] = str(workdir / "locks.db")
    if tracker_store_type:
        endpoints["tracker_store"]["type"] = tracker_store_type
    if lock_store_type:
        endpoints["lock_store"]["type"] = lock_store_type
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@contextlib.contextmanager
def embedded_default(model: Path, workdir: Path, rasa_port: int, actions_port: int,
                     name: str = "embedded default", tracker_store_type: str = "",
                     env: Dict[str, str] | None = None, workers: int = 1,
                     send_domain: bool = False, lock_store_type: str = "") -> Iterator[Target]:
    """What ``make run`` starts: one action server, one Rasa server, SQLite; with
    ``workers`` > 1 what ``make run`` starts on 2+ CPUs (Sanic workers sharing the port).

    ``tracker_store_type``, ``lock_store_type``, ``env`` and ``send_domain`` make the
    variants compared in bench/ablation.py.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    endpoints = embedded_endpoints(workdir, actions_port, tracker_store_type, send_domain, lock_store_type)
    settings = ServerSettings(model=model, rasa_port=rasa_port, actions_port=actions_port,
                              endpoints=endpoints, var_dir=workdir, log_dir=workdir, workers=workers,
                              extra_env=dict(env or {}))
    servers = Servers(settings)
    started = time.monotonic()
    with servers:
        yield Target(name, settings.rasa_url, time.monotonic() - started,
                     {"rasa": servers.rasa, "actions": servers.actions})


@contextlib.contextmanager
def cluster(model: Path, workdir: Path, replicas: int, action_servers: int, sanic_workers: int,
            ports: Dict[str, int], redis_db: str) -> Iterator[Target]:
    """What ``make run-cluster`` starts, on a database of its own that is dropped after."""
    settings = ClusterSettings(
        model=model, replicas=replicas, action_servers=action_servers,
        sanic_workers=sanic_workers, port=ports["lb"], actions_port=ports["lb_actions"],
        first_rasa_port=ports["rasa"], first_actions_port=ports["actions"], run_dir=workdir,
        env={"DB_NAME": f"bot_cluster_bench_{uuid.uuid4().hex[:8]}", "REDIS_DB": redis_db,
             "REDIS_KEY_PREFIX": f"botbench{uuid.uuid4().hex[:8]}"})
    running = Cluster(settings)
    started = time.monotonic()
    try:
        with running:
            name = f"cluster {replicas}×rasa" + (f" ({sanic_workers} workers)" if sanic_workers > 1 else "")
            yield Target(f"{name} + {action_servers}×actions", running.url,
                         time.monotonic() - started, running.processes())
    finally:
        settings.drop_stores()
