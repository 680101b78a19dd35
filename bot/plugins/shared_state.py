"""What the workers and replicas of one deployment share besides conversations and locks.

Two things must hold for the whole assistant, not per process: the rate limits (a
conversation allowed 30 messages a minute gets 30, however many Sanic workers or
replicas take turns answering it) and the list of running workers with the model each
one serves (``make publish`` waits until every one answers with the new model). Both
are kept where the locks are, as ``endpoints.yml``'s ``lock_store`` says:

* ``bot.plugins.lock_store.*`` (``make run``): the same SQLite file as the locks
  (``var/locks.db``), so the workers of one machine share it without a server;
* ``redis`` (``make run-cluster``, production): the same Redis database, under the
  lock store's key prefix.

A rate-limit bucket is a token bucket updated atomically (one ``BEGIN IMMEDIATE``
transaction in SQLite, one Lua script in Redis), so two workers never both spend the
last token.
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

BUSY_TIMEOUT_S = 10.0
# Buckets idle for longer than this are full again and may be dropped.
IDLE_BUCKET_S = 3600.0
PRUNE_EVERY = 1000  # takes between two prunings of idle buckets (SQLite)


class SharedState(ABC):
    """Rate-limit buckets and the worker registry of one deployment."""

    @abstractmethod
    def take(self, key: str, per_second: float, burst: float) -> float:
        """Spend one token of ``key``'s bucket: 0 when allowed, else the seconds until one is back."""

    @abstractmethod
    def report(self, worker: str, info: Mapping[str, Any]) -> None:
        """Record (or refresh) what ``worker`` serves; ``seen`` is set to now."""

    @abstractmethod
    def forget(self, worker: str) -> None:
        """Remove ``worker`` (it stopped)."""

    @abstractmethod
    def workers(self, max_age: float) -> Dict[str, Dict[str, Any]]:
        """The workers that reported within ``max_age`` seconds, by name."""


def refill(tokens: float, last: float, now: float, per_second: float, burst: float) -> float:
    """The tokens of a bucket that held ``tokens`` at ``last``, at ``now``."""
    return min(burst, tokens + max(0.0, now - last) * per_second)


class SQLiteSharedState(SharedState):
    """In the lock store's SQLite file, for the workers of one machine."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db: Optional[sqlite3.Connection] = None
        self._pid = -1
        self._takes = 0

    def _connection(self) -> sqlite3.Connection:
        """One connection per process (a forked worker opens its own)."""
        if self._db is None or self._pid != os.getpid():
            db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS rate_buckets (key TEXT PRIMARY KEY, tokens REAL, updated REAL)")
            db.execute("CREATE TABLE IF NOT EXISTS workers (worker TEXT PRIMARY KEY, info TEXT, seen REAL)")
            self._db, self._pid = db, os.getpid()
        return self._db

    def take(self, key: str, per_second: float, burst: float) -> float:
        db = self._connection()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT tokens, updated FROM rate_buckets WHERE key = ?", (key,)).fetchone()
            tokens = refill(row[0], row[1], now, per_second, burst) if row else burst
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / per_second
            db.execute(
                "INSERT INTO rate_buckets (key, tokens, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated = excluded.updated",
                (key, tokens - 1.0 if wait == 0.0 else tokens, now),
            )
            self._takes += 1
            if self._takes % PRUNE_EVERY == 0:
                db.execute("DELETE FROM rate_buckets WHERE updated < ?", (now - IDLE_BUCKET_S,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return wait

    def report(self, worker: str, info: Mapping[str, Any]) -> None:
        now = time.time()
        self._connection().execute(
            "INSERT INTO workers (worker, info, seen) VALUES (?, ?, ?) "
            "ON CONFLICT (worker) DO UPDATE SET info = excluded.info, seen = excluded.seen",
            (worker, json.dumps({**info, "seen": now}), now),
        )

    def forget(self, worker: str) -> None:
        self._connection().execute("DELETE FROM workers WHERE worker = ?", (worker,))

    def workers(self, max_age: float) -> Dict[str, Dict[str, Any]]:
        rows = (
            self._connection()
            .execute("SELECT worker, info FROM workers WHERE seen >= ?", (time.time() - max_age,))
            .fetchall()
        )
        return {worker: json.loads(info) for worker, info in rows}


# KEYS[1]: the bucket; ARGV: tokens per second, burst. Redis's own clock, so replicas
# on machines whose clocks differ still agree. Returns the wait as a string (Lua
# numbers become integers on the way out).
TAKE_SCRIPT = """
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local per_second, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local tokens = tonumber(bucket[1]) or burst
local updated = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * per_second)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / per_second end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / per_second) + 1)
return tostring(wait)
"""


class RedisSharedState(SharedState):
    """In the lock store's Redis database, for replicas on any number of machines."""

    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._take = client.register_script(TAKE_SCRIPT)

    def _key(self, *parts: str) -> str:
        return ":".join((self._prefix, *parts))

    def take(self, key: str, per_second: float, burst: float) -> float:
        return float(self._take(keys=[self._key("rate", key)], args=[repr(per_second), repr(burst)]))

    def report(self, worker: str, info: Mapping[str, Any]) -> None:
        self._client.hset(self._key("workers"), worker, json.dumps({**info, "seen": time.time()}))

    def forget(self, worker: str) -> None:
        self._client.hdel(self._key("workers"), worker)

    def workers(self, max_age: float) -> Dict[str, Dict[str, Any]]:
        oldest = time.time() - max_age
        found = {}
        for worker, raw in self._client.hgetall(self._key("workers")).items():
            info = json.loads(raw)
            if info.get("seen", 0) >= oldest:
                found[worker.decode() if isinstance(worker, bytes) else worker] = info
        return found


DEFAULT_LOCKS_DB = "locks.db"


def from_lock_store(config: Mapping[str, Any], var_dir: Path) -> SharedState:
    """The shared state that goes with ``endpoints.yml``'s ``lock_store`` block.

    ``redis`` (Rasa's or ours): that database and key prefix. Anything else (our SQLite lock stores, or
    none): the lock store's SQLite file, ``var_dir/locks.db`` unless it names one.
    """
    kind = str(config.get("type") or "").lower()
    if kind == "redis" or kind.endswith(".redislockstore"):
        import redis

        client = redis.Redis(
            host=config.get("url") or "localhost",
            port=int(config.get("port") or 6379),
            db=int(config.get("db") or 1),
            password=config.get("password") or None,
            socket_timeout=5,
            socket_connect_timeout=5,
        )
        return RedisSharedState(client, str(config.get("key_prefix") or "lock"))
    return SQLiteSharedState(Path(config.get("db") or var_dir / DEFAULT_LOCKS_DB))


def worker_name(port: Optional[int] = None) -> str:
    """``host:port:pid``: unique among the workers of a deployment."""
    return f"{socket.gethostname()}:{port or ''}:{os.getpid()}"


def seconds_to_wait(wait: float) -> Optional[int]:
    """What ``Retry-After`` says: None when allowed, else whole seconds (at least 1)."""
    return None if wait <= 0 else max(1, math.ceil(wait))
