"""Processes in a network namespace of their own: no interface but ``lo``, so no
connection can leave the machine (no DNS, no route). What a container without internet
sees, without a container engine.

The namespace is held by a ``sleep`` started with ``unshare --net`` (root needed, as in
CI); servers and the test's HTTP client join it with ``nsenter``. Files, and with them
unix sockets such as PostgreSQL's in /var/run/postgresql, are shared with the host.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from bot.tools.serve import stop_process

# The test's HTTP client inside the namespace: prints status and body as JSON.
_CLIENT = """
import json, sys, urllib.request, urllib.error
url, body = sys.argv[1], sys.argv[2]
request = urllib.request.Request(url, data=body.encode() if body else None,
                                 headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=float(sys.argv[3])) as response:
        print(json.dumps([response.status, response.read().decode()]))
except urllib.error.HTTPError as error:
    print(json.dumps([error.code, error.read().decode()]))
except Exception as error:
    print(json.dumps([0, repr(error)]))
"""


class OfflineNamespace:
    """A network namespace with only loopback, and the processes started in it."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.holder: Optional[subprocess.Popen] = None
        self.processes: List[subprocess.Popen] = []

    def start(self) -> "OfflineNamespace":
        try:
            self.holder = subprocess.Popen(
                ["unshare", "--net", "--", "sh", "-c", "ip link set lo up && exec sleep infinity"],
                start_new_session=True,
            )
        except FileNotFoundError:
            pytest.skip("unshare (util-linux) is not installed")
        deadline = time.monotonic() + 10
        while self._interfaces() != ["lo"]:
            if self.holder.poll() is not None:
                pytest.skip("cannot create a network namespace here (unshare --net needs root)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the namespace has interfaces {self._interfaces()}, not only lo up")
            time.sleep(0.1)
        return self

    def _interfaces(self) -> List[str]:
        """The interfaces that are up in the namespace (``lo`` only, once started)."""
        result = subprocess.run(self.enter(["ip", "-o", "link", "show", "up"]), capture_output=True, text=True)
        return [line.split(":")[1].strip() for line in result.stdout.splitlines() if ":" in line]

    def enter(self, command: List[str]) -> List[str]:
        assert self.holder is not None, "start() first"
        return ["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "--", *command]

    def spawn(self, name: str, command: List[str], cwd: Path, env: Dict[str, str]) -> subprocess.Popen:
        """``command`` in the namespace, its output in ``log_dir/name.log``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        process = subprocess.Popen(
            self.enter(command), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def request(self, url: str, body: Optional[dict] = None, timeout: float = 60) -> tuple:
        """(status, text) of a GET, or of a POST of ``body`` as JSON, from inside; status
        0 when nothing answers."""
        payload = json.dumps(body) if body is not None else ""
        result = subprocess.run(
            self.enter([sys.executable, "-c", _CLIENT, url, payload, str(timeout)]),
            capture_output=True,
            text=True,
            timeout=timeout + 10,
        )
        status, text = json.loads(result.stdout)
        return status, text

    def wait_until_ready(self, url: str, process: subprocess.Popen, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited with {process.returncode}; see {self.log_dir}")
            if self.request(url, timeout=2)[0] == 200:
                return
            time.sleep(1)
        raise TimeoutError(f"{url} did not answer within {timeout:.0f} s; see {self.log_dir}")

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM to every process group started here (SIGKILL after 20 s), then the holder."""
        for process in [*reversed(self.processes), self.holder]:
            stop_process(process)
