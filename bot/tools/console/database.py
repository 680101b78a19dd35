"""The console's own SQLite file (``console.db`` in the var folder), shared by the workers.

Both Sanic workers of ``make run`` serve the console, so a session opened on one must
be known to the other, and five wrong passwords must lock an account whichever worker
counted them. One file under the var folder does that without a server, as the locks
and rate limits do (bot/plugins/shared_state.py). Each process opens its own
connection; changes that read before they write run in ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterator, Optional, Sequence

BUSY_TIMEOUT_S = 10.0
DATABASE_NAME = "console.db"


class ConsoleDatabase:
    """One SQLite file; ``schema`` holds the CREATE statements of every table used."""

    def __init__(self, path: Path, schema: Sequence[str]) -> None:
        self.path = Path(path)
        self._schema = tuple(schema)
        self._db: Optional[sqlite3.Connection] = None
        self._pid = -1
        self._lock = threading.RLock()  # one connection, used from the executor's threads

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for statement in self._schema:
                db.execute(statement)
            os.chmod(self.path, 0o600)  # password hashes and session ids
            self._db, self._pid = db, os.getpid()
        return self._db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken before reading, so two workers never interleave."""
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def query(self, sql: str, parameters: Sequence[object] = ()) -> list:
        with self._lock:
            return self._connection().execute(sql, tuple(parameters)).fetchall()


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing): one writer at a time across
    the workers and their threads, so two saves never read the same file and both write it."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
