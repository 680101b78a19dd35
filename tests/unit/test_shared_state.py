"""The shared state of a deployment (bot/plugins/shared_state.py): rate-limit buckets that
hold across processes, and the worker registry, in SQLite and in Redis."""

from __future__ import annotations

import multiprocessing
import time
import uuid

import pytest
import redis

from bot.plugins.channels.rate_limit import RateLimiter, SharedBuckets
from bot.plugins.endpoints import EndpointsError, read_endpoint, shared_state_for
from bot.plugins.shared_state import RedisSharedState, SQLiteSharedState, from_lock_store
from tests.conftest import ROOT

REDIS_DB = 5


@pytest.fixture
def sqlite_state(tmp_path):
    return SQLiteSharedState(tmp_path / "locks.db")


@pytest.fixture
def redis_state():
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    prefix = f"test{uuid.uuid4().hex[:8]}"
    yield RedisSharedState(client, prefix)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["sqlite", "redis"])
def state(request, sqlite_state, redis_state):
    return sqlite_state if request.param == "sqlite" else redis_state


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait(state):
    per_second = 1 / 10  # six a minute
    assert [state.take("a", per_second, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = state.take("a", per_second, 3)
    assert 9.0 < wait <= 10.0
    assert state.take("b", per_second, 3) == 0.0  # keys are independent


def test_a_bucket_refills_with_time(state):
    per_second = 20.0
    for _ in range(2):
        state.take("fast", per_second, 2)
    assert state.take("fast", per_second, 2) > 0
    time.sleep(0.12)  # 2.4 tokens' worth, capped at the burst of 2
    assert [state.take("fast", per_second, 2) for _ in range(2)] == [0.0, 0.0]
    assert state.take("fast", per_second, 2) > 0


def _spend(kind: str, location: str, key: str, attempts: int, results) -> None:
    if kind == "sqlite":
        state = SQLiteSharedState(location)
    else:
        state = RedisSharedState(redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB), location)
    results.put(sum(state.take(key, 1 / 3600, 25) == 0.0 for _ in range(attempts)))


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_processes_spending_one_bucket_together_get_exactly_its_burst(kind, tmp_path, redis_state):
    """Four processes, 20 tries each at a bucket of 25: 25 allowed in all, not 25 each."""
    location = str(tmp_path / "locks.db") if kind == "sqlite" else redis_state._prefix
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_spend, args=(kind, location, "shared", 20, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sum(results.get(timeout=5) for _ in workers) == 25


def test_the_registry_lists_recent_workers_and_forgets_stopped_ones(state):
    state.report("host:5005:1", {"model_id": "a"})
    state.report("host:5005:2", {"model_id": "b"})
    workers = state.workers(max_age=5)
    assert {name: info["model_id"] for name, info in workers.items()} == {"host:5005:1": "a", "host:5005:2": "b"}
    assert all(time.time() - info["seen"] < 5 for info in workers.values())
    state.forget("host:5005:1")
    assert list(state.workers(max_age=5)) == ["host:5005:2"]
    time.sleep(0.05)
    assert state.workers(max_age=0.01) == {}


def test_the_rate_limiter_counts_in_the_shared_buckets(sqlite_state, tmp_path):
    one = RateLimiter(per_minute=60, burst=2, buckets=SharedBuckets(lambda: sqlite_state))
    other = RateLimiter(per_minute=60, burst=2, buckets=SharedBuckets(lambda: SQLiteSharedState(tmp_path / "locks.db")))
    assert [one.allow("s"), other.allow("s")] == [None, None]
    assert one.allow("s") == 1 and other.allow("s") == 1


def test_an_unavailable_shared_state_lets_messages_through(caplog):
    def broken():
        raise redis.ConnectionError("Redis is down")

    limiter = RateLimiter(per_minute=1, burst=1, buckets=SharedBuckets(broken))
    assert [limiter.allow("s") for _ in range(3)] == [None, None, None]
    assert "Rate limit not counted" in caplog.text


def test_the_state_goes_where_the_endpoints_put_the_locks(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    embedded = shared_state_for(ROOT / "endpoints.yml")
    assert isinstance(embedded, SQLiteSharedState) and embedded.path == tmp_path / "locks.db"
    monkeypatch.delenv("ACTION_SERVER_URL", raising=False)  # another section's: not needed here
    for key, value in {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "5", "REDIS_PASSWORD": "",
                       "REDIS_KEY_PREFIX": "conference"}.items():
        monkeypatch.setenv(key, value)
    production = shared_state_for(ROOT / "deploy" / "endpoints.production.yml")
    assert isinstance(production, RedisSharedState) and production._prefix == "conference"
    assert isinstance(from_lock_store({}, tmp_path), SQLiteSharedState)


def test_an_unset_variable_in_the_endpoints_is_named(monkeypatch):
    monkeypatch.delenv("REDIS_HOST", raising=False)
    with pytest.raises(EndpointsError, match="endpoints.production.yml: .*REDIS_HOST is not set"):
        read_endpoint("lock_store", ROOT / "deploy" / "endpoints.production.yml")
