"""Keeps a set of server processes running until it is told to stop.

``make run`` (Rasa + action server) and ``make run-cluster`` (replicas, action
servers, nginx) both run under one: a process that exits on its own — a crash, an
out-of-memory kill, someone's ``kill`` — is started again after a back-off (1 s, then
doubling up to ``MAX_BACKOFF_S``; back to 1 s once it has stayed up for
``STABLE_AFTER_S``), and each restart is logged. Only Ctrl+C or SIGTERM stops the
whole. The current process ids are written to ``state_file`` (JSON, role → pid), so an
operator (or a test) can find each process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0
POLL_S = 0.5


@dataclass
class Child:
    """One supervised process: how to start it, and its current incarnation."""

    name: str
    start: Callable[[], subprocess.Popen]
    process: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    backoff: float = 1.0
    restart_at: Optional[float] = None
    restarts: int = 0


def _say(message: str) -> None:
    """On the supervisor's standard error, where `make run` shows it (one line each)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


@dataclass
class Supervisor:
    """Starts children, restarts those that exit, records their pids."""

    state_file: Optional[Path] = None
    children: Dict[str, Child] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic

    def add(
        self, name: str, start: Callable[[], subprocess.Popen], process: Optional[subprocess.Popen] = None
    ) -> Child:
        """Supervise ``name``; ``process`` if it was started already, else started now."""
        child = Child(name, start, process, self.clock())
        if child.process is None:
            child.process = start()
        self.children[name] = child
        self._write_state()
        return child

    def pids(self) -> Dict[str, int]:
        return {
            name: child.process.pid
            for name, child in self.children.items()
            if child.process is not None and child.process.poll() is None
        }

    def _write_state(self) -> None:
        if self.state_file is None:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.pids(), indent=1), encoding="utf-8")
        os.replace(temporary, self.state_file)

    def check(self) -> None:
        """Notice exits and restart what is due (call every ``POLL_S``)."""
        now = self.clock()
        for child in self.children.values():
            process = child.process
            if child.restart_at is None and process is not None and process.poll() is not None:
                if now - child.started_at >= STABLE_AFTER_S:
                    child.backoff = 1.0
                child.restart_at = now + child.backoff
                _say(f"{child.name} exited with code {process.returncode}; restarting in {child.backoff:.0f} s")
                child.backoff = min(MAX_BACKOFF_S, child.backoff * 2)
                self._write_state()
            elif child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                child.restarts += 1
                try:
                    child.process = child.start()
                except Exception as error:  # try again after the next back-off
                    _say(f"{child.name} could not be restarted: {error}")
                    child.process = None
                    child.restart_at = now + child.backoff
                    continue
                child.started_at = now
                _say(f"{child.name} restarted (pid {child.process.pid}, restart {child.restarts})")
                self._write_state()

    def run_forever(self) -> None:
        """Until interrupted (KeyboardInterrupt or SystemExit from a signal handler)."""
        while True:
            self.check()
            time.sleep(POLL_S)

    def processes(self) -> List[subprocess.Popen]:
        return [child.process for child in self.children.values() if child.process is not None]
