"""bot.plugins.lock_store: Rasa's ticket locks shared through a SQLite file by several processes."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import sqlite3

import pytest
from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot import PROJECT_ROOT
from bot.plugins.lock_store import ServedAfterExpiry, SQLiteLockStore, WorkersLockStore


def store(path) -> SQLiteLockStore:
    return LockStore.create(EndpointConfig(type="bot.plugins.lock_store.SQLiteLockStore", db=str(path)))


def test_rasa_builds_it_from_endpoints_and_allows_sanic_workers_with_it(tmp_path, monkeypatch):
    config = EndpointConfig(type="bot.plugins.lock_store.SQLiteLockStore", db=str(tmp_path / "locks.db"))
    assert isinstance(LockStore.create(config), SQLiteLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(config) == 2


def test_one_sanic_worker_keeps_locks_in_memory_and_several_share_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    # What `python -m bot serve` sets for Rasa (bot/tools/serve.py).
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BOT_ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    project = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "lock_store")
    assert project.kwargs["db"] == f"{tmp_path}/var/locks.db"
    assert type(LockStore.create(project)) is InMemoryLockStore  # what `make run` gets
    path = tmp_path / "locks.db"
    config = EndpointConfig(type="bot.plugins.lock_store.WorkersLockStore", db=str(path))
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert type(LockStore.create(config)) is InMemoryLockStore
    assert not path.exists()
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(config) == 2  # Rasa still starts the workers
    shared = LockStore.create(config)
    assert isinstance(shared, WorkersLockStore) and shared.path == path
    shared.issue_ticket("alice")
    assert store(path).get_lock("alice").last_issued == 0  # another worker sees the ticket


def test_a_second_process_waits_for_the_first_and_the_lock_is_gone_after(tmp_path):
    path = tmp_path / "locks.db"
    first, second = store(path), store(path)  # two connections, as two workers have
    order = []

    async def handle(lock_store: SQLiteLockStore, name: str, pause: float) -> None:
        async with lock_store.lock("alice", wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    async def both() -> None:
        first_turn = asyncio.ensure_future(handle(first, "first", 0.1))
        await asyncio.sleep(0.02)
        await asyncio.gather(first_turn, handle(second, "second", 0))

    asyncio.run(both())
    assert order == ["first in", "first out", "second in", "second out"]
    assert first.get_lock("alice") is None and second.get_lock("alice") is None


def _draw_tickets(path: str, count: int, queue: "multiprocessing.Queue[list]") -> None:
    lock_store = store(path)
    queue.put([lock_store.issue_ticket("alice") for _ in range(count)])


def test_processes_drawing_tickets_at_once_never_get_the_same_number(tmp_path):
    path = str(tmp_path / "locks.db")
    store(path)  # creates the table before the race
    context = multiprocessing.get_context("fork")  # as Sanic starts its workers
    queue = context.Queue()
    processes = [context.Process(target=_draw_tickets, args=(path, 50, queue)) for _ in range(3)]
    for process in processes:
        process.start()
    numbers = sorted(number for _ in processes for number in queue.get(timeout=60))
    for process in processes:
        process.join(timeout=60)
    assert numbers == list(range(150))  # Rasa numbers tickets from 0
    assert len(store(path).get_lock("alice").tickets) == 150


def test_locks_whose_tickets_all_expired_are_dropped_when_a_worker_starts(tmp_path):
    path = tmp_path / "locks.db"
    crashed = store(path)
    crashed.issue_ticket("alice", lock_lifetime=-1)  # its holder died long ago
    crashed.issue_ticket("bob")  # still being served
    restarted = store(path)
    assert restarted.get_lock("alice") is None
    assert restarted.get_lock("bob").is_someone_waiting()


def test_a_failed_step_leaves_no_half_written_lock(tmp_path, monkeypatch):
    path = tmp_path / "locks.db"
    lock_store = store(path)
    lock_store.issue_ticket("alice")

    def broken_save(lock: TicketLock) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(lock_store, "save_lock", broken_save)
    with pytest.raises(LockError):
        lock_store.issue_ticket("alice")
    with sqlite3.connect(path) as connection:
        (serialised,) = connection.execute("SELECT lock FROM locks").fetchone()
    assert len(json.loads(serialised)["tickets"]) == 1


class _Served(ServedAfterExpiry, InMemoryLockStore):
    pass


def test_a_request_whose_ticket_expired_while_a_dead_server_s_lock_ran_out_goes_ahead():
    """A server died holding the lock (ticket 0); a request queued behind it (ticket 1) a
    moment later. Both expire before the request looks again: Rasa waits for ever, ours
    goes ahead. Rasa's rule holds otherwise: a live earlier ticket still makes it wait."""
    import asyncio
    import time

    from rasa.core.lock_store import InMemoryLockStore as RasaStore

    async def wait_behind_a_dead_ticket(store) -> bool:
        store.issue_ticket("c", lock_lifetime=0.2)  # the dead server's
        time.sleep(0.05)
        ticket = store.issue_ticket("c", lock_lifetime=0.2)
        try:
            await asyncio.wait_for(store._acquire_lock("c", ticket, wait_time_in_seconds=0.3), timeout=2)
            return True
        except asyncio.TimeoutError:
            return False

    assert asyncio.run(wait_behind_a_dead_ticket(RasaStore())) is False
    assert asyncio.run(wait_behind_a_dead_ticket(_Served())) is True

    async def behind_a_live_ticket() -> bool:
        store = _Served()
        store.issue_ticket("c", lock_lifetime=60)
        ticket = store.issue_ticket("c", lock_lifetime=0.1)
        try:
            await asyncio.wait_for(store._acquire_lock("c", ticket, wait_time_in_seconds=0.2), timeout=1)
            return True
        except asyncio.TimeoutError:
            return False

    assert asyncio.run(behind_a_live_ticket()) is False


def test_the_production_endpoints_build_the_redis_lock_store(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    from bot.plugins.redis_lock_store import RedisLockStore

    for key, value in {"ACTION_SERVER_URL": "http://a", "DB_HOST": "h", "DB_PORT": "5432", "DB_NAME": "n",
                       "DB_USER": "u", "DB_PASSWORD": "", "DB_LOGIN_DB": "p", "REDIS_HOST": "127.0.0.1",
                       "REDIS_PORT": "6379", "REDIS_DB": "5", "REDIS_PASSWORD": "", "REDIS_KEY_PREFIX": "t"}.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "deploy" / "endpoints.production.yml"))
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, RedisLockStore) and store.key_prefix == "t:lock:"
    assert store.red.connection_pool.connection_kwargs["db"] == 5
