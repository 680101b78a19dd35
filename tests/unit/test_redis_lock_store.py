"""bot.plugins.redis_lock_store against the real Redis of this machine: Rasa's ticket locks,
taken with redis.asyncio, atomic across replicas, readable by stock Rasa."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.plugins.redis_lock_store import RedisLockStore

REDIS = {"host": os.environ.get("REDIS_HOST", "127.0.0.1"), "port": int(os.environ.get("REDIS_PORT", "6379")),
         "db": int(os.environ.get("TEST_REDIS_DB", "7"))}


@pytest.fixture
def prefix():
    client = redis.Redis(**REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"needs Redis on {REDIS['host']}:{REDIS['port']}")
    name = f"locktest{uuid.uuid4().hex[:8]}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def replica(prefix: str) -> RedisLockStore:
    """What a replica builds from deploy/endpoints.production.yml."""
    return LockStore.create(EndpointConfig(url=REDIS["host"], type="bot.plugins.redis_lock_store.RedisLockStore",
                                           port=REDIS["port"], db=REDIS["db"], key_prefix=prefix))


def stock(prefix: str) -> RasaRedisLockStore:
    return RasaRedisLockStore(host=REDIS["host"], port=REDIS["port"], db=REDIS["db"], key_prefix=prefix)


class NoBlockingCalls:
    """Stands in for redis-py's blocking client: any use fails the test."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the blocking Redis client was used ({name})")


def test_messages_of_one_conversation_on_two_replicas_run_one_at_a_time(prefix):
    first, second = replica(prefix), replica(prefix)
    first.red = second.red = NoBlockingCalls()  # the lock never stops the event loop
    inside, log = [], []

    async def message(store: RedisLockStore, number: int) -> None:
        async with store.lock("alice", wait_time_in_seconds=0.01):
            inside.append(number)
            assert len(inside) == 1, f"two messages inside the lock: {inside}"
            await asyncio.sleep(0.005)
            log.append(number)
            inside.remove(number)

    async def burst() -> None:
        tasks = []
        for number in range(20):
            tasks.append(asyncio.ensure_future(message(first if number % 2 else second, number)))
            await asyncio.sleep(0.001)
        await asyncio.gather(*tasks)

    asyncio.run(burst())
    assert sorted(log) == list(range(20))  # each once, never two at a time (asserted inside)
    assert stock(prefix).get_lock("alice") is None  # the last one out deleted the lock


def test_replicas_drawing_tickets_at_once_never_get_the_same_number(prefix):
    stores = [replica(prefix) for _ in range(4)]

    async def draw() -> list:
        taken = await asyncio.gather(*(s._take_ticket("bob", 60) for s in stores for _ in range(25)))
        return [ticket for ticket, _ in taken]

    numbers = asyncio.run(draw())
    assert sorted(numbers) == list(range(100))
    assert len(stock(prefix).get_lock("bob").tickets) == 100


def test_stock_rasa_reads_the_lock_and_waits_its_turn(prefix):
    ours, rasa = replica(prefix), stock(prefix)

    async def both() -> list:
        order = []

        async def hold() -> None:
            async with ours.lock("carol", wait_time_in_seconds=0.01):
                order.append("ours in")
                await asyncio.sleep(0.2)
                order.append("ours out")

        held = asyncio.ensure_future(hold())
        await asyncio.sleep(0.05)
        lock = rasa.get_lock("carol")
        assert lock is not None and lock.last_issued == 0 and lock.is_locked(1)
        async with rasa.lock("carol", wait_time_in_seconds=0.05):
            order.append("rasa in")
        await held
        return order

    assert asyncio.run(both()) == ["ours in", "ours out", "rasa in"]
    assert rasa.get_lock("carol") is None


def test_the_expired_lock_of_a_dead_replica_is_taken(prefix):
    dead = stock(prefix)
    dead.issue_ticket("dan", lock_lifetime=0.3)  # a replica died holding the lock
    time.sleep(0.05)
    queued = stock(prefix)
    queued.issue_ticket("dan", lock_lifetime=0.3)  # and one queued behind it died too

    async def next_message() -> float:
        started = time.monotonic()
        async with replica(prefix).lock("dan", lock_lifetime=5, wait_time_in_seconds=0.4):
            return time.monotonic() - started

    waited = asyncio.run(asyncio.wait_for(next_message(), timeout=5))
    assert 0.2 < waited < 2  # waited for the dead tickets to expire, then went ahead
    assert stock(prefix).get_lock("dan") is None


def test_a_live_earlier_ticket_keeps_a_message_waiting(prefix):
    stock(prefix).issue_ticket("eve", lock_lifetime=60)

    async def next_message() -> None:
        async with replica(prefix).lock("eve", wait_time_in_seconds=0.05):
            pass

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(next_message(), timeout=0.5))


def test_redis_unreachable_is_a_lock_error():
    unreachable = LockStore.create(EndpointConfig(url="127.0.0.1", type="bot.plugins.redis_lock_store.RedisLockStore",
                                                  port=1, db=0, key_prefix="none"))

    async def message() -> None:
        async with unreachable.lock("fay"):
            pass

    with pytest.raises(LockError):
        asyncio.run(message())


def test_one_store_serves_event_loops_one_after_another(prefix):
    """Tests and tools run several loops in turn; each gets its own connections."""
    store = replica(prefix)

    async def message() -> int:
        async with store.lock("gus") as lock:
            return lock.last_issued

    assert asyncio.run(message()) == 0
    assert asyncio.run(message()) == 0  # the lock was deleted after the first


def test_the_lock_as_written_is_rasa_s_with_any_conversation_id(prefix):
    """The Lua scripts write the TicketLock JSON that Rasa reads: the same id (any
    characters), Rasa's ticket numbers and expiry times, stock Rasa's tickets kept as they were."""
    conversation = 'Ana/ünïcödé "quoted" 会话'
    rasa = stock(prefix)
    rasa.issue_ticket(conversation, lock_lifetime=60)
    ours = replica(prefix)
    before = time.time()

    async def take() -> int:
        ticket, _ = await ours._take_ticket(conversation, 30)
        return ticket

    assert asyncio.run(take()) == 1
    lock = rasa.get_lock(conversation)
    assert lock.conversation_id == conversation
    assert [t.number for t in lock.tickets] == [0, 1]
    assert before + 30 <= lock.tickets[1].expires <= time.time() + 30
    asyncio.run(ours._return_ticket(conversation, 1))
    assert [t.number for t in rasa.get_lock(conversation).tickets] == [0]
    asyncio.run(ours._return_ticket(conversation, 0))
    assert rasa.get_lock(conversation) is None
