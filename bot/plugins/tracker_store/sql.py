"""The SQL tracker store, made to fail fast at start and to ride out database restarts.

Imported by the Rasa server only (``tracker_store.type: bot.plugins.tracker_store.sql.ResilientSQLTrackerStore``
in ``endpoints.yml`` / ``deploy/endpoints.production.yml``). It is Rasa's own
``SQLTrackerStore`` — same tables, same queries, so replicas and stock Rasa can share
a database — with three changes, each for a problem seen with the stock store:

* **Start-up:** the stock constructor retries a failing connection forever, so a wrong
  database host leaves a server that never becomes ready and never says why. Here the
  database is probed for ``startup_timeout`` seconds (``BOT_DB_STARTUP_TIMEOUT``,
  default 30) and then start-up fails with a message naming the host and database.
* **Restarts:** after PostgreSQL restarts, every pooled connection is dead. The stock
  store then raises on the next message, and Rasa's ``FailSafeTrackerStore`` silently
  answers from an empty in-memory tracker (history lost) and keeps the events in
  memory only. Here pooled connections are pinged before use (``pool_pre_ping``) and a
  read or write that fails because the database is unreachable is retried for up to
  ``outage_timeout`` seconds (``BOT_DB_OUTAGE_TIMEOUT``, default 30): the message waits
  for the database instead of losing its history.
* **SQLite (the embedded default):** one kept connection, write-ahead logging with
  ``synchronous=NORMAL`` so saving a turn does not wait for two fsyncs.
* **Reading and writing a turn (SQLite and PostgreSQL):** Rasa's queries as plain SQL on
  a DBAPI connection, prepared once (``bot/plugins/tracker_store/plain_sql.py``): the same
  rows read and written as Rasa's ORM, a fraction of its CPU. PostgreSQL runs them on a
  kept autocommit connection of its own, one round trip each. (They run on the event
  loop, as Rasa's do: a turn waits ~1 ms for a local PostgreSQL; handing them to a thread
  cost more CPU than that freed here, docs/performance.md.)
* **The event cache:** each conversation's stored events (current session, as stored)
  are kept between turns, so a turn needs no read of the conversation and no count
  query — a third of the embedded server's CPU per message went there. Each entry
  carries the stamp of the stored rows (how many, the highest id, the latest
  timestamp). When others may write the same conversation — the replicas of a cluster
  on PostgreSQL, which take turns on a conversation, or several Sanic workers on one
  SQLite file — the stamp is checked by one indexed query before the entry is used;
  when others only appended rows, just those are read; anything else reads the session
  again. With one Sanic worker on SQLite this process is the only writer and the cache
  is trusted. ``BOT_TRACKER_CACHE=off`` reads every turn from the database.
* **Writing a turn:** the same rows as Rasa's ``save``, inserted with one statement
  instead of an ORM object and flush per event, each event serialised once; the new
  rows' ids give the stamp after the save without asking again. Numbers:
  docs/performance.md.

SQLite and PostgreSQL only (what ``make run`` and ``make run-cluster`` use); for another
database name Rasa's own ``type: SQL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import os
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, Iterator, List, Optional, Text, Tuple, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import LOCK_LIFETIME
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.plugins import fastjson
from bot.plugins.lock_store import sanic_workers
from bot.plugins.tracker_store.plain_sql import PlainQueries, Row, Stamp, stamp_after

logger = logging.getLogger(__name__)

T = TypeVar("T")

STARTUP_TIMEOUT_ENV = "BOT_DB_STARTUP_TIMEOUT"
OUTAGE_TIMEOUT_ENV = "BOT_DB_OUTAGE_TIMEOUT"
DEFAULT_STARTUP_TIMEOUT_S = 30.0
DEFAULT_OUTAGE_TIMEOUT_S = 30.0
# Per connection attempt, so an unroutable host cannot stall one attempt for minutes.
CONNECT_TIMEOUT_S = 5
RETRY_PAUSE_S = 0.5
CACHED_CONVERSATIONS = 10_000
CACHE_IDLE_S = 60.0  # purge deletes only conversations idle for far longer
CACHE_ENV = "BOT_TRACKER_CACHE"  # "off" to compare, or to rule the cache out
STAMP_INDEX = "ix_events_sender_id_timestamp"


class TrackerDatabaseUnreachable(RasaException):
    """The tracker database did not answer during start-up."""


def _seconds(env: str, default: float) -> float:
    return float(os.environ.get(env) or default)


def _describe(url: "sa.engine.url.URL") -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True) if hasattr(url, "render_as_string") else repr(url)


def _connect_args(url: "sa.engine.url.URL") -> Dict[str, Any]:
    return {"connect_timeout": CONNECT_TIMEOUT_S} if url.get_backend_name() == "postgresql" else {}


def wait_for_database(url: "sa.engine.url.URL", timeout: float) -> None:
    """Connect to ``url`` until it works or ``timeout`` seconds have passed.

    Raises TrackerDatabaseUnreachable with the last error, so a wrong host, port,
    password or database name is reported instead of retried forever.
    """
    engine = sa.create_engine(url, connect_args=_connect_args(url), poolclass=sa.pool.NullPool)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect():
                    return
            except sqlalchemy.exc.DBAPIError as error:
                if time.monotonic() >= deadline:
                    reason = str(error.orig or error).strip().splitlines()[0]
                    raise TrackerDatabaseUnreachable(
                        f"Cannot reach the tracker database {_describe(url)} within {timeout:.0f} s: "
                        f"{reason}. Check DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD "
                        f"(deploy/endpoints.production.yml)."
                    ) from error
                logger.warning("Tracker database not reachable yet (%s); retrying.", error.orig or error)
                time.sleep(1)
    finally:
        engine.dispose()


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_tail(events: List[str]) -> List[str]:
    """Serialised events from the latest ``session_started`` on: what ``retrieve`` returns."""
    for index in range(len(events) - 1, -1, -1):
        if '"event": "session_started"' in events[index]:
            return events[index:]
    return events


Entry = Tuple[List[str], Stamp]  # serialised events of the current session, stamp of all stored rows


class EventCache:
    """Stored events of the current session per conversation with the stamp of the stored
    rows they were taken at, least recently used out."""

    def __init__(
        self, size: int = CACHED_CONVERSATIONS, idle: float = CACHE_IDLE_S, trust: float = LOCK_LIFETIME
    ) -> None:
        self._size = size
        self._idle = idle
        self._trust = trust
        # sender id: (entry, when last used, when a read last checked it against the rows)
        self._entries: "OrderedDict[str, Tuple[Entry, float, float]]" = OrderedDict()

    def get(
        self, sender_id: str, update: Optional[Callable[..., Optional[Entry]]] = None, saving: bool = False
    ) -> Optional[Entry]:
        """The cached entry. ``update``, given it, returns it as the stored rows now are
        (the same, or with rows others appended), or None when it cannot tell.

        ``saving``: for a save, which needs no ``update`` when a read checked the entry
        less than ``trust`` seconds (a lock's lifetime) ago, once: Rasa reads and saves a
        conversation under its lock (a message, the hand-off desk's changes), and every
        other writer of it needs the lock too, so nobody wrote between the two. A second
        save, or one without a read before it, checks."""
        cached = self._entries.pop(sender_id, None)
        if cached is None:
            return None
        entry, used, checked = cached
        now = time.monotonic()
        if now - used > self._idle:
            return None
        if update is not None and not (saving and now - checked < self._trust):
            current = update(*entry)
            if current is None:
                return None
            entry, checked = current, now
        self._keep(sender_id, entry, now, -math.inf if saving else checked)
        return entry

    def forget(self, sender_id: str) -> None:
        """Drop one conversation, e.g. after it was deleted."""
        self._entries.pop(sender_id, None)

    def put(self, sender_id: str, entry: Entry, read: bool) -> None:
        """Remember what is stored now: ``read`` from the database (a check), or written
        by this process after ``get``."""
        now = time.monotonic()
        previous = self._entries.pop(sender_id, None)
        self._keep(sender_id, entry, now, now if read else previous[2] if previous else -math.inf)

    def _keep(self, sender_id: str, entry: Entry, used: float, checked: float) -> None:
        self._entries[sender_id] = (entry, used, checked)  # newest last
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


def _is_outage(error: sqlalchemy.exc.DBAPIError) -> bool:
    """True when the database is unreachable (not when a query is wrong)."""
    return bool(error.connection_invalidated) or isinstance(error, sqlalchemy.exc.OperationalError)


class ResilientSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with a bounded start-up check and outage retries."""

    engine: sa.engine.Engine  # Rasa's, replaced by _replace_engine

    def __init__(
        self,
        domain: Optional[Domain] = None,
        dialect: Text = "sqlite",
        host: Optional[Text] = None,
        port: Optional[int] = None,
        db: Text = "rasa.db",
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        login_db: Optional[Text] = None,
        query: Optional[Dict] = None,
        **kwargs: Any,
    ) -> None:
        # The probe goes to the database the stock constructor would open first.
        probe_url = self.get_db_url(dialect, host, port, db, username, password, login_db, query)
        if isinstance(probe_url, str):
            probe_url = sa.engine.make_url(probe_url)
        wait_for_database(probe_url, _seconds(STARTUP_TIMEOUT_ENV, DEFAULT_STARTUP_TIMEOUT_S))
        super().__init__(domain, dialect, host, port, db, username, password, event_broker, login_db, query, **kwargs)
        self.outage_timeout = _seconds(OUTAGE_TIMEOUT_ENV, DEFAULT_OUTAGE_TIMEOUT_S)
        self._replace_engine()
        backend = self.engine.url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise RasaException(
                f"{type(self).__name__} stores conversations in SQLite or PostgreSQL, not {backend}; "
                f"for another database use Rasa's tracker store 'type: SQL'."
            )
        self._queries = PlainQueries(backend, self.SQLEvent.__table__.name)
        self._plain_engine = self.engine if backend == "sqlite" else self._autocommit_engine()
        wanted = os.environ.get(CACHE_ENV, "").lower() not in {"off", "0", "false", "no"}
        self._cache: Optional[EventCache] = EventCache() if wanted else None
        # Others write the same conversations: replicas on PostgreSQL, Sanic workers on SQLite.
        self._checked = self._cache is not None and (backend == "postgresql" or sanic_workers() > 1)
        if self._checked and backend == "sqlite":
            # Answers the stamp from the index alone: Rasa's index on sender_id leaves the
            # timestamps in the rows, which lie on as many pages as the conversation has
            # events (conversations are written interleaved). Rasa's queries do not mind it.
            # (PostgreSQL reads a conversation's few heap pages through Rasa's index.)
            with self.engine.begin() as connection:
                connection.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS {STAMP_INDEX} ON {self._queries.table} (sender_id, timestamp)"
                )

    def _replace_engine(self) -> None:
        """Same URL and pool settings as Rasa's, plus pre-ping (and WAL for SQLite)."""
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            # One kept connection instead of a new one per read and per write (SQLAlchemy
            # 1.4 does not pool SQLite files); Rasa calls the store from one thread.
            self.engine = sa.create_engine(url, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _enable_sqlite_wal)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _autocommit_engine(self) -> sa.engine.Engine:
        """PostgreSQL connections for the plain queries: autocommit (no BEGIN and COMMIT
        round trips: each statement is atomic alone), statements prepared on connect, no
        ping before each use (a lost connection is dropped when a query fails, and the
        outage retry takes a new one). One is kept: Rasa calls the store from one thread."""
        url = self.engine.url
        options = create_engine_kwargs(url)
        options.update(pool_size=1, max_overflow=4, isolation_level="AUTOCOMMIT")
        options["connect_args"] = {**options.get("connect_args", {}), **_connect_args(url)}
        engine = sa.create_engine(url, **options)
        sa.event.listen(engine, "connect", self._queries.prepare)
        return engine

    async def _retrying(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        deadline = time.monotonic() + self.outage_timeout
        while True:
            try:
                return await operation()
            except sqlalchemy.exc.DBAPIError as error:
                if not _is_outage(error) or time.monotonic() >= deadline:
                    raise
                logger.warning(
                    "Tracker database unavailable while trying to %s (%s); retrying.", what, error.orig or error
                )
                await asyncio.sleep(RETRY_PAUSE_S)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """A DBAPI connection for the plain queries. Its errors are raised as SQLAlchemy's,
        so an outage is retried and a failure reported like those of every other query;
        a connection the database dropped is discarded."""
        connection = self._plain_engine.raw_connection()
        dbapi = self.engine.dialect.dbapi
        try:
            yield connection
        except dbapi.Error as error:
            lost = self.engine.dialect.is_disconnect(error, connection.dbapi_connection, None)
            if lost:
                connection.invalidate(error)
            raise sqlalchemy.exc.DBAPIError.instance(
                None, None, error, dbapi.Error, connection_invalidated=lost
            ) from error
        finally:
            connection.close()  # back to the pool, which keeps it

    def _updated(self, connection: Any, sender_id: Text, events: List[str], stamp: Stamp) -> Optional[Entry]:
        """A cached entry as the rows are now: unchanged, or with the rows others appended
        since (read alone, when the rows up to the cached highest id are still the ones
        cached: same number, same latest timestamp); None otherwise."""
        now = self._queries.stamp(connection, sender_id)
        if now == stamp:
            return events, stamp
        count, highest_id, latest = stamp
        if highest_id is None or now[0] <= count:
            return None
        if tuple(self._queries.rows(connection, "prefix", sender=sender_id, highest=highest_id)[0]) != (count, latest):
            return None
        appended = [
            data for (data,) in self._queries.rows(connection, "appended", sender=sender_id, highest=highest_id)
        ]
        if len(appended) != now[0] - count:
            return None  # written meanwhile (outside the conversation's lock)
        return session_tail(events + appended), now

    def _stored(self, connection: Any, sender_id: Text, saving: bool) -> Entry:
        """The conversation's stored session (serialised events) and the stamp of its rows:
        from the cache (checked against the rows when others write; for a save, see
        ``EventCache.get``), else read (Rasa's query for the latest session, up to the
        highest id of the stamp read just before) and cached."""
        if self._cache is not None:
            check = (lambda *entry: self._updated(connection, sender_id, *entry)) if self._checked else None
            cached = self._cache.get(sender_id, check, saving)
            if cached is not None:
                return cached
        stamp = self._queries.stamp(connection, sender_id)
        entry = (self._queries.session(connection, sender_id, stamp[1]) if stamp[0] else []), stamp
        if self._cache is not None:
            self._cache.put(sender_id, entry, read=True)
        return entry

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        if not self.domain:  # Rasa's store returns no tracker without a domain
            return None

        async def read() -> Optional[DialogueStateTracker]:
            with self._connection() as connection:
                events, _ = self._stored(connection, sender_id, saving=False)
            if not events:
                return None
            return DialogueStateTracker.from_dict(sender_id, [fastjson.loads(e) for e in events], self.domain.slots)

        return await self._retrying(read, "read a conversation")

    def stored_data(self, event: Event) -> Dict[Text, Any]:
        """``event`` as it is written to the database (and streamed to an event broker).

        ``event.as_dict()`` here; a subclass may change what is stored (the privacy
        store redacts). Applied only to the events a save adds.
        """
        return event.as_dict()

    def _new_rows(
        self, tracker: DialogueStateTracker, count: int
    ) -> Tuple[List[Dict[Text, Any]], List[str], List[Row]]:
        """For the events after the first ``count``: their stored data, its JSON, and the
        rows Rasa's ``SQLTrackerStore.save`` writes for them (``EVENT_COLUMNS``)."""
        new = list(itertools.islice(tracker.events, count, None))
        data = [self.stored_data(event) for event in new]
        written = [json.dumps(d) for d in data]
        rows = [
            (
                tracker.sender_id,
                event.type_name,
                d.get("timestamp"),
                d.get("name"),
                d.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                serialised,
            )
            for event, d, serialised in zip(new, data, written, strict=True)
        ]
        return data, written, rows

    def _write(self, tracker: DialogueStateTracker) -> List[Dict[Text, Any]]:
        """Insert the events the database does not hold yet (after the stored session's,
        as Rasa counts them): Rasa's rows, in one statement.

        Returns the stored data of the events it inserted, for the event broker."""
        with self._connection() as connection:
            stored, stamp = self._stored(connection, tracker.sender_id, saving=True)
            data, written, rows = self._new_rows(tracker, len(stored))
            if rows:
                stamp = stamp_after(stamp, rows, self._queries.insert(connection, tracker.sender_id, rows))
        if self._cache is not None:
            self._cache.put(tracker.sender_id, (session_tail(stored + written), stamp), read=False)
        return data

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying(
            lambda: SQLTrackerStore.retrieve_full_tracker(self, conversation_id), "read a conversation"
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events (retried through an outage), then stream them once.

        Rasa streams before writing, by reading the stored tracker back and diffing;
        retried together with the write, an attempt that failed would have published
        its events already, and the broker got them again. Here only the attempt that
        committed says which events were new, and they go to the broker as stored.
        (A commit that took effect but still reported an error would leave its events
        unstreamed: the retry finds them stored. Rasa's order errs the other way.)
        """

        async def write() -> List[Dict[Text, Any]]:
            return self._write(tracker)

        # Safe to repeat: only the events the database does not hold yet are written.
        written = await self._retrying(write, "save a conversation")
        if self.event_broker is not None:
            for data in written:
                self.event_broker.publish({"sender_id": tracker.sender_id, **data})

    async def keys(self) -> Iterable[Text]:
        return await self._retrying(lambda: super(ResilientSQLTrackerStore, self).keys(), "list conversations")
