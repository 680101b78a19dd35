"""A lock store that Sanic workers on one machine share, without Redis.

Rasa serialises the messages of one conversation with a ticket lock per conversation
(``rasa.core.lock_store``). Its default ``InMemoryLockStore`` lives inside one process,
so Rasa refuses ``SANIC_WORKERS`` > 1 with it, and its ``RedisLockStore`` needs a Redis
server. This store keeps the same serialised ``TicketLock`` in a SQLite file, so every
worker process on the machine sees the same tickets::

    lock_store:
      type: bot.plugins.lock_store.SQLiteLockStore
      db: var/locks.db

Rasa's lock protocol reads a lock, changes it and writes it back; with Redis two
processes can interleave there (RasaHQ/rasa#9213). Here each read-modify-write runs in
one ``BEGIN IMMEDIATE`` transaction, so issuing and returning tickets is atomic across
processes. The file is in WAL mode with ``synchronous=NORMAL`` (a lock is worthless
after a crash anyway: tickets expire after ``TICKET_LOCK_LIFETIME``), so a transaction
costs no fsync. For several machines use the Redis lock store
(``bot.plugins.redis_lock_store``, docs/deployment.md).

With one Sanic worker nobody else needs to see the tickets, and a lock and release
costs ~0.07 ms of CPU with the file against ~0.01 ms in memory (``python -m bench.micro
locks``), so endpoints.yml names ``bot.plugins.lock_store.WorkersLockStore``: this store with several
workers, Rasa's ``InMemoryLockStore`` with one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Text

from rasa.constants import DEFAULT_SANIC_WORKERS, ENV_SANIC_WORKERS
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_DB = "var/locks.db"
BUSY_TIMEOUT_S = 10.0  # another worker holds the write lock for microseconds per ticket


def sanic_workers() -> int:
    """The number of Sanic worker processes ``SANIC_WORKERS`` asks Rasa for (default 1)."""
    try:
        return int(os.environ.get(ENV_SANIC_WORKERS) or DEFAULT_SANIC_WORKERS)
    except ValueError:  # Rasa logs it and starts its default
        return DEFAULT_SANIC_WORKERS


def first_in_line(lock: TicketLock, ticket: int) -> bool:
    """Whether ``ticket`` may be served: no unexpired ticket older than it is left.

    Rasa serves the first unexpired ticket. When a server dies holding a conversation's
    lock, its ticket expires after ``TICKET_LOCK_LIFETIME``; a request that queued behind
    it a moment later holds a ticket that expires a moment later. If Rasa's
    once-a-second check falls between the two expiries, no ticket is left to be served
    and the request waits forever (seen after killing a replica of ``make run-cluster``
    under load: the retried messages hung until the client gave up). This rule is
    Rasa's whenever the request's own ticket is still there, and lets it go ahead when
    it is not.
    """
    return not any(t.number < ticket and not t.has_expired() for t in lock.tickets)


class ServedAfterExpiry:
    """Rasa's wait for a conversation's lock, with :func:`first_in_line` as the rule."""

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        store: Any = self
        while True:
            lock = store.get_lock(conversation_id)
            if not lock:
                break
            if first_in_line(lock, ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            store.update_lock(conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


class SQLiteLockStore(ServedAfterExpiry, LockStore):
    """Rasa's ticket locks in a SQLite file shared by the processes of one machine."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, db: Text = DEFAULT_DB) -> None:
        if endpoint_config is not None:
            db = endpoint_config.kwargs.get("db", db)
        self.path = Path(db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit; the read-modify-write steps open their own transactions.
        self._db = sqlite3.connect(
            str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)")
        self._drop_expired()
        super().__init__()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Hold the file's write lock, so no other process changes a lock in between."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _drop_expired(self) -> None:
        """Locks left by a process that died while serving: all their tickets expired."""
        with self._transaction():
            for conversation_id, serialised in self._db.execute("SELECT conversation_id, lock FROM locks").fetchall():
                lock = TicketLock.from_dict(json.loads(serialised))
                lock.remove_expired_tickets()
                if not lock.is_someone_waiting():
                    self.delete_lock(conversation_id)

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        row = self._db.execute("SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def delete_lock(self, conversation_id: Text) -> None:
        deleted = self._db.execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))
        self._log_deletion(conversation_id, deleted.rowcount > 0)

    def save_lock(self, lock: TicketLock) -> None:
        self._db.execute(
            "INSERT INTO locks (conversation_id, lock) VALUES (?, ?) "
            "ON CONFLICT (conversation_id) DO UPDATE SET lock = excluded.lock",
            (lock.conversation_id, lock.dumps()),
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """As Rasa's, in one transaction: two workers never draw the same number."""
        try:
            with self._transaction():
                return super().issue_ticket(conversation_id, lock_lifetime)
        except sqlite3.Error as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        with self._transaction():
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Return the ticket and delete the lock if nobody waits, in one transaction."""
        with self._transaction():
            super().cleanup(conversation_id, ticket_number)


class WorkersLockStore(SQLiteLockStore):
    """``SQLiteLockStore`` when Sanic runs several workers, Rasa's in-memory store for one.

    Rasa lets ``SANIC_WORKERS`` > 1 start because the endpoint's type is not
    ``in_memory``, and every worker then builds its own lock store with the same
    environment, so all of them choose the shared file. With one worker the tickets
    need not leave the process.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None, db: Text = DEFAULT_DB) -> LockStore:
        if sanic_workers() <= 1:
            return InMemoryLockStore()  # not an instance of cls: Python skips __init__
        return super().__new__(cls)
