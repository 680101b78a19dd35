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
  ``synchronous=NORMAL`` so saving a turn does not wait for two fsyncs, and a cache of
  each conversation's stored events (current session, as stored), so a turn needs no
  read query and no count query — a third of the server's CPU per message went there.
  With one Sanic worker this process is the only writer and the cache is the truth.
  With several (``SANIC_WORKERS`` > 1) another worker may have written or deleted the
  conversation since, so each entry carries the stamp of the stored rows (how many,
  the highest id, the latest timestamp), checked by one query (answered from an index
  of its own, ``STAMP_INDEX``); when another worker only appended rows, just those are
  read. Off for PostgreSQL, where replicas take turns on conversations.
  A conversation the cache does not hold is known to be new from one count, without
  Rasa's read.
* **Writing a turn:** the same rows as Rasa's ``save``, inserted with one
  ``executemany`` instead of an ORM object and flush per event (any database); with
  SQLite and the conversation cached, as plain SQL on the kept connection.
  Numbers: docs/performance.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, Iterator, List, Optional, Text, Tuple, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.plugins import fastjson
from bot.plugins.lock_store import sanic_workers

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
# The columns Rasa's SQLTrackerStore.save fills (the id is the database's).
EVENT_COLUMNS = ("sender_id", "type_name", "timestamp", "action_name", "intent_name", "data")


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


Stamp = Tuple[Any, ...]
Entry = Tuple[List[str], Optional[Stamp]]
NO_ROWS: Stamp = (0, None, None)  # the stamp of a conversation with no stored events


class EventCache:
    """Serialised events of the current session per conversation, least recently used out,
    each with the stamp of the stored rows it was taken at (None: not needed)."""

    def __init__(self, size: int = CACHED_CONVERSATIONS, idle: float = CACHE_IDLE_S) -> None:
        self._size = size
        self._idle = idle
        self._events: "OrderedDict[str, Entry]" = OrderedDict()
        self._used: Dict[str, float] = {}

    def get(self, sender_id: str, update: Optional[Callable[..., Optional[Entry]]] = None) -> Optional[List[str]]:
        """The cached events. ``update``, given an entry, returns it as the stored rows now
        are (the same, or with rows others appended), or None when it cannot tell."""
        entry = self._events.get(sender_id)
        if entry is None:
            return None
        if time.monotonic() - self._used[sender_id] > self._idle:
            self.forget(sender_id)
            return None
        if update is not None:
            current = update(*entry)
            if current is None:
                self.forget(sender_id)
                return None
            entry = self._events[sender_id] = current
        self._events.move_to_end(sender_id)
        self._used[sender_id] = time.monotonic()
        return entry[0]

    def forget(self, sender_id: str) -> None:
        """Drop one conversation, e.g. after it was deleted."""
        self._events.pop(sender_id, None)
        self._used.pop(sender_id, None)

    def remember(
        self,
        sender_id: str,
        stored_before: Optional[List[str]],
        written: List[str],
        session: Callable[[], List[str]],
        stamp: Optional[Stamp] = None,
    ) -> None:
        """After a successful save that wrote ``written`` after ``stored_before`` (what
        ``get`` returned before it; None: not cached, then ``session()`` serialises
        the whole session as stored); ``stamp``: of the stored rows after the save."""
        events = stored_before + written if stored_before is not None else session()
        self._events[sender_id] = (session_tail(events), stamp)
        self._events.move_to_end(sender_id)
        self._used[sender_id] = time.monotonic()
        while len(self._events) > self._size:
            oldest, _ = self._events.popitem(last=False)
            self._used.pop(oldest, None)


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
        wanted = os.environ.get(CACHE_ENV, "").lower() not in {"off", "0", "false", "no"}
        self._cache: Optional[EventCache] = EventCache() if dialect == "sqlite" and wanted else None
        # Other processes write the same file: cache entries are checked against the rows
        # (plain SQLite SQL; without the cache, e.g. on PostgreSQL, nothing is checked).
        self._shared_file = self._cache is not None and sanic_workers() > 1
        table = self.SQLEvent.__table__
        # Plain SQL on the SQLite connection: through SQLAlchemy's session the three stamps
        # per message cost ~6 % of the server's CPU (statement set-up, not the query).
        self._stamp_sql = f"SELECT count(*), max(id), max(timestamp) FROM {table.name} WHERE sender_id = ?"
        self._prefix_sql = f"SELECT count(*), max(timestamp) FROM {table.name} WHERE sender_id = ? AND id <= ?"
        self._appended_sql = f"SELECT data FROM {table.name} WHERE sender_id = ? AND id > ? ORDER BY id"
        self._insert_sql = (
            f"INSERT INTO {table.name} ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
        )
        if self._cache is not None and self._shared_file:
            # Answers the stamp from the index alone: Rasa's index on sender_id leaves the
            # timestamps in the rows, which lie on as many pages as the conversation has
            # events (conversations are written interleaved). Rasa's queries do not mind it.
            with self.engine.begin() as connection:
                connection.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS {STAMP_INDEX} ON {table.name} (sender_id, timestamp)"
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
    def _raised_as_sqlalchemy(self, statement: str, parameters: Any) -> Iterator[None]:
        """Errors of plain SQL on a DBAPI connection raised as SQLAlchemy's, so an outage
        is retried and a failure reported like those of every other query."""
        dbapi = self.engine.dialect.dbapi
        try:
            yield
        except dbapi.Error as error:
            raise sqlalchemy.exc.DBAPIError.instance(statement, parameters, error, dbapi.Error) from error

    def _rows(self, connection: Any, statement: str, parameters: Tuple[Any, ...]) -> List[Tuple[Any, ...]]:
        """The rows of a plain SQL query on a DBAPI connection."""
        with self._raised_as_sqlalchemy(statement, parameters):
            return connection.cursor().execute(statement, parameters).fetchall()

    def _stamp(self, connection: Any, sender_id: Text) -> Stamp:
        """How many rows the conversation has, its highest id and latest timestamp (on a
        SQLite DBAPI connection): a write or delete by another process changes it (ids
        alone can be reused in SQLite)."""
        return tuple(self._rows(connection, self._stamp_sql, (sender_id,))[0])

    def _updated(self, connection: Any, sender_id: Text, events: List[str], stamp: Stamp) -> Optional[Entry]:
        """The cached entry as the rows are now: unchanged, or with the rows another worker
        appended since (read alone, when the rows up to the cached highest id are still the
        ones cached: same number, same latest timestamp); None otherwise."""
        now = self._stamp(connection, sender_id)
        if now == stamp:
            return events, stamp
        count, highest_id, latest = stamp
        if highest_id is None or now[0] <= count:
            return None
        if tuple(self._rows(connection, self._prefix_sql, (sender_id, highest_id))[0]) != (count, latest):
            return None
        appended = [data for (data,) in self._rows(connection, self._appended_sql, (sender_id, highest_id))]
        if len(appended) != now[0] - count:
            return None  # written meanwhile (outside the conversation's lock)
        return session_tail(events + appended), now

    def _cached(self, connection: Any, sender_id: Text) -> Optional[List[str]]:
        """The cached stored events of the conversation's session, brought up to date (on
        the SQLite DBAPI ``connection``) when other processes write."""
        if self._cache is None:
            return None
        if not self._shared_file:
            return self._cache.get(sender_id)
        return self._cache.get(sender_id, lambda *entry: self._updated(connection, sender_id, *entry))

    @contextlib.contextmanager
    def _kept_connection(self) -> Iterator[Any]:
        """The DBAPI connection SQLite's pool keeps (the cache is on for SQLite only)."""
        connection = self.engine.raw_connection()
        try:
            yield connection
        finally:
            connection.close()  # back to the pool, which keeps it (rolling back what is open)

    def _cached_or_new(self, sender_id: Text) -> Optional[List[str]]:
        """The cached stored events; [] for a conversation without stored events, which
        is then remembered as such (its first save needs no count query either); None
        when Rasa's read has to answer."""
        if self._cache is None:
            return None
        with self._kept_connection() as connection:
            cached = self._cached(connection, sender_id)
            if cached is not None:
                return cached
            stamp = self._stamp(connection, sender_id)
        if stamp[0]:
            return None
        self._cache.remember(sender_id, [], [], list, NO_ROWS if self._shared_file else None)
        return []

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        async def read() -> Optional[DialogueStateTracker]:
            cached = self._cached_or_new(sender_id) if self.domain else None
            if cached is not None:  # [] = known to have no events yet
                return (
                    DialogueStateTracker.from_dict(sender_id, [fastjson.loads(e) for e in cached], self.domain.slots)
                    if cached
                    else None
                )
            return await super(ResilientSQLTrackerStore, self).retrieve(sender_id)

        return await self._retrying(read, "read a conversation")

    def stored_data(self, event: Event) -> Dict[Text, Any]:
        """``event`` as it is written to the database (and streamed to an event broker).

        ``event.as_dict()`` here; a subclass may change what is stored (the privacy
        store redacts). Applied only to the events a save adds.
        """
        return event.as_dict()

    def _new_rows(
        self, tracker: DialogueStateTracker, count: int
    ) -> Tuple[List[Dict[Text, Any]], List[str], List[Tuple[Any, ...]]]:
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

    def _remember(
        self,
        tracker: DialogueStateTracker,
        stored_before: Optional[List[str]],
        count: int,
        written: List[str],
        stamp: Optional[Stamp],
    ) -> None:
        if self._cache is not None:
            self._cache.remember(
                tracker.sender_id,
                stored_before,
                written,
                lambda: (
                    [json.dumps(self.stored_data(event)) for event in itertools.islice(tracker.events, count)] + written
                ),
                stamp,
            )

    def _write(self, tracker: DialogueStateTracker) -> List[Dict[Text, Any]]:
        """Insert the events the database does not hold yet: the rows and columns Rasa's
        ``SQLTrackerStore.save`` writes, in one ``executemany`` instead of an ORM object
        and unit-of-work flush per event, each event serialised once. With SQLite, when
        the cache knows what is stored, as plain SQL on the kept connection (through an
        SQLAlchemy session a save cost ~5 % of the server's CPU in statement set-up).

        Returns the stored data of the events it inserted, for the event broker."""
        if self._cache is not None:
            with self._kept_connection() as connection:
                stored = self._cached(connection, tracker.sender_id)
                if stored is not None and len(stored) <= len(tracker.events):
                    return self._insert_plain(connection, tracker, stored)
        with self.session_scope() as session:
            count = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            data, written, rows = self._new_rows(tracker, count)
            if rows:
                session.execute(
                    self.SQLEvent.__table__.insert(), [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows]
                )
            stamp = self._stamp(session.connection().connection, tracker.sender_id) if self._shared_file else None
            session.commit()
        self._remember(tracker, None, count, written, stamp)
        return data

    def _insert_plain(self, connection: Any, tracker: DialogueStateTracker, stored: List[str]) -> List[Dict[Text, Any]]:
        """``_write`` on a SQLite DBAPI connection, after the ``stored`` events."""
        data, written, rows = self._new_rows(tracker, len(stored))
        with self._raised_as_sqlalchemy(self._insert_sql, rows):
            try:
                if rows:
                    connection.cursor().executemany(self._insert_sql, rows)
                stamp = self._stamp(connection, tracker.sender_id) if self._shared_file else None
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        self._remember(tracker, stored, len(stored), written, stamp)
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
