"""A worker follows its model file and reports what it serves (bot/plugins/model_sync.py);
publish waits for every worker (bot/tools/publish.py ``wait_for_workers``)."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from bot.plugins.model_sync import ModelSync
from bot.plugins.shared_state import SQLiteSharedState
from bot.tools.publish import PublishError, PublishSettings, wait_for_workers


class Agent:
    """What ModelSync uses of Rasa's Agent: ``model_id`` and ``load_model``."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.loaded_in = []

    def load_model(self, path: str) -> None:
        content = Path(path).read_text()
        if content == "broken":
            raise ValueError("not a model")
        self.loaded_in.append(threading.current_thread().name)
        self.model_id = content


def replace(path: Path, content: str) -> None:
    """As publish installs a model: a new file renamed over the old one."""
    temporary = path.with_name(".tmp")
    temporary.write_text(content)
    os.replace(temporary, path)


@pytest.fixture
def model(tmp_path) -> Path:
    path = tmp_path / "current.tar.gz"
    path.write_text("old")
    return path


def test_a_worker_loads_a_replaced_model_file_off_the_event_loop_and_reports_it(model, tmp_path):
    agent = Agent("old")
    shared = SQLiteSharedState(tmp_path / "locks.db")
    sync = ModelSync(lambda: agent, model, shared, "host:5005:1", ("validator",))

    async def rounds():
        await sync.step()
        before = shared.workers(10)["host:5005:1"]
        replace(model, "new")
        await sync.step()
        await sync.step()  # nothing changed since: no second load
        return before

    before = asyncio.run(rounds())
    assert before["model_id"] == "old" and before["patches"] == ["validator"]
    assert shared.workers(10)["host:5005:1"]["model_id"] == "new"
    assert len(agent.loaded_in) == 1 and agent.loaded_in[0] != threading.main_thread().name


def test_a_broken_model_file_keeps_the_worker_on_its_model(model, tmp_path, caplog):
    agent = Agent("old")
    shared = SQLiteSharedState(tmp_path / "locks.db")
    sync = ModelSync(lambda: agent, model, shared, "w", ())
    replace(model, "broken")
    asyncio.run(sync.step())
    assert agent.model_id == "old" and shared.workers(10)["w"]["model_id"] == "old"
    assert "could not load" in caplog.text


def settings(shared, wait_s=0.3) -> PublishSettings:
    return PublishSettings(shared=shared, wait_s=wait_s, log=lambda line: None)


def test_publish_waits_until_every_worker_serves_the_new_model(tmp_path):
    shared = SQLiteSharedState(tmp_path / "locks.db")
    shared.report("a", {"model_id": "new"})
    shared.report("b", {"model_id": "old"})
    checks = []

    def clock() -> float:
        checks.append(1)
        if len(checks) == 3:  # worker b catches up while publish waits
            shared.report("b", {"model_id": "new"})
        return 0.0

    assert wait_for_workers(settings(shared, wait_s=60), "new", clock=clock, pause=0) == ["a", "b"]


def test_publish_names_a_worker_that_keeps_the_old_model(tmp_path):
    shared = SQLiteSharedState(tmp_path / "locks.db")
    shared.report("a", {"model_id": "new"})
    shared.report("b", {"model_id": "old"})
    with pytest.raises(PublishError, match=r"(?s)not every worker.*b: still serves model old") as error:
        wait_for_workers(settings(shared), "new", pause=0.05)
    assert "a:" not in str(error.value)


def test_publish_names_a_worker_that_stopped_reporting(tmp_path, monkeypatch):
    import bot.tools.publish as publish

    shared = SQLiteSharedState(tmp_path / "locks.db")
    shared.report("gone", {"model_id": "old"})
    monkeypatch.setattr(publish, "ALIVE_WITHIN_S", 0.01)
    with pytest.raises(PublishError, match="gone: not answering"):
        wait_for_workers(settings(shared), "new", pause=0.05)


def test_with_no_worker_running_publish_has_nobody_to_wait_for(tmp_path):
    assert wait_for_workers(settings(SQLiteSharedState(tmp_path / "locks.db")), "new") == []
