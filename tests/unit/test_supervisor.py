"""The supervisor (bot/tools/supervisor.py) restarts what exits, with back-off, and records pids."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.tools.supervisor import MAX_BACKOFF_S, STABLE_AFTER_S, Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def short_lived() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "pass"])


def long_lived() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_process_that_exits_is_restarted_after_a_growing_back_off(tmp_path, capsys):
    clock = Clock()
    supervisor = Supervisor(tmp_path / "processes.json", clock=clock)
    child = supervisor.add("action server", short_lived)
    child.process.wait()
    waits = []
    for _ in range(7):
        supervisor.check()  # notices the exit, schedules the restart
        waits.append(child.restart_at - clock.now)
        clock.now = child.restart_at
        supervisor.check()  # restarts
        child.process.wait()
    assert waits == [1, 2, 4, 8, 16, MAX_BACKOFF_S, MAX_BACKOFF_S]
    assert child.restarts == 7
    assert "action server exited with code 0; restarting in 1 s" in capsys.readouterr().err


def test_the_back_off_starts_over_after_a_stable_run(tmp_path):
    clock = Clock()
    supervisor = Supervisor(clock=clock)
    child = supervisor.add("rasa", short_lived)
    child.backoff = 16.0
    child.process.wait()
    clock.now += STABLE_AFTER_S
    supervisor.check()
    assert child.restart_at == clock.now + 1.0


def test_the_state_file_names_each_live_process(tmp_path):
    supervisor = Supervisor(tmp_path / "processes.json")
    first = supervisor.add("rasa-5010", long_lived)
    second = supervisor.add("nginx", long_lived)
    try:
        recorded = json.loads((tmp_path / "processes.json").read_text())
        assert recorded == {"rasa-5010": first.process.pid, "nginx": second.process.pid}
        first.process.kill()
        first.process.wait()
        supervisor.check()
        assert json.loads((tmp_path / "processes.json").read_text()) == {"nginx": second.process.pid}
    finally:
        for process in supervisor.processes():
            process.kill()
            process.wait()


def test_a_start_that_fails_is_tried_again(tmp_path, capsys):
    clock = Clock()
    attempts = []

    def flaky() -> subprocess.Popen:
        attempts.append(clock.now)
        if len(attempts) == 2:
            raise OSError("no such file")
        return short_lived()

    supervisor = Supervisor(clock=clock)
    child = supervisor.add("gateway", flaky)
    child.process.wait()
    supervisor.check()
    clock.now = child.restart_at
    supervisor.check()  # the restart fails
    assert child.process is None and "could not be restarted: no such file" in capsys.readouterr().err
    clock.now = child.restart_at
    supervisor.check()
    assert len(attempts) == 3 and child.process is not None
    child.process.wait()


def test_a_cluster_keeps_its_api_token_apart_from_make_run_s(tmp_path, monkeypatch):
    from bot.tools.cluster import Cluster, ClusterSettings
    from bot.tools.serve import ServerSettings, api_token

    monkeypatch.delenv("BOT_API_TOKEN", raising=False)
    run = ServerSettings(model=tmp_path / "m.tar.gz", var_dir=tmp_path / "var")
    run_token = api_token(run)
    cluster = Cluster(ClusterSettings(model=tmp_path / "m.tar.gz", run_dir=tmp_path / "var" / "cluster"))
    assert (tmp_path / "var" / "api-token").read_text().strip() == run_token
    assert (tmp_path / "var" / "cluster" / "api-token").read_text().strip() == cluster.token != run_token
    replica = cluster._settings_for(5010, 5055)
    assert replica.api_token == cluster.token  # every replica the same, none written again
