"""The tracker store's queries as plain SQL on a DBAPI connection, prepared once per connection.

Used by :class:`bot.plugins.tracker_store.sql.ResilientSQLTrackerStore` on SQLite and
PostgreSQL. Through SQLAlchemy's ORM a read or a save costs far more in building the
statement and the row objects than the database needs to answer it (a third of a
replica's CPU per message read and wrote the conversation that way). These are Rasa's
``SQLTrackerStore`` queries written out, on Rasa's table: the same rows read, the same
rows written (tests/unit/test_tracker_store_equivalence.py compares them with Rasa's on
both databases), so stock Rasa and these replicas can share the database.

* **PostgreSQL:** every statement is ``PREPARE``d when the connection opens (the server
  parses and plans each once per connection) and run with ``EXECUTE`` in autocommit
  mode: one round trip per statement, no BEGIN/COMMIT. A turn's rows go in as one
  ``INSERT … SELECT FROM unnest(arrays)``, so one prepared statement takes any number of
  rows, atomically.
* **SQLite:** Python's sqlite3 keeps each statement compiled per connection; the rows go
  in as one multi-row ``INSERT``, committed at once.

Both return the new rows' ids (``RETURNING``), from which the store knows the stamp of
the stored rows without asking again.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from rasa.shared.core.events import SessionStarted

# The columns Rasa's SQLTrackerStore.save fills (the id is the database's).
EVENT_COLUMNS = ("sender_id", "type_name", "timestamp", "action_name", "intent_name", "data")
Row = Tuple[Any, ...]  # values of EVENT_COLUMNS
Stamp = Tuple[Any, ...]  # (how many rows, highest id, latest timestamp)

# {name: SQL with :parameters}; PostgreSQL's forms are derived from these.
QUERIES = {
    # How many rows the conversation has, its highest id and latest timestamp: a write or
    # a delete by anyone else changes it (ids alone can be reused in SQLite).
    "stamp": "SELECT count(*), max(id), max(timestamp) FROM {table} WHERE sender_id = :sender",
    # The same for the rows up to a highest id: still the ones a cache holds?
    "prefix": "SELECT count(*), max(timestamp) FROM {table} WHERE sender_id = :sender AND id <= :highest",
    "appended": "SELECT data FROM {table} WHERE sender_id = :sender AND id > :highest ORDER BY id",
    # Rasa's SQLTrackerStore._event_query for the latest session (events from the latest
    # session_started's timestamp on, all when there is none, by id), up to a highest id
    # so that it matches a stamp read just before.
    "session": (
        "SELECT data FROM {table}, (SELECT max(timestamp) AS session_start FROM {table} "
        "WHERE sender_id = :sender AND type_name = '" + SessionStarted.type_name + "' AND id <= :highest) AS latest "
        "WHERE sender_id = :sender AND id <= :highest "
        "AND (timestamp >= latest.session_start OR latest.session_start IS NULL) ORDER BY id"
    ),
}
# PostgreSQL: the parameter types of each prepared statement, in order.
PG_PARAMETERS = {
    "stamp": ("sender", "text"),
    "prefix": ("sender", "text", "highest", "integer"),
    "appended": ("sender", "text", "highest", "integer"),
    "session": ("sender", "text", "highest", "integer"),
}
PG_INSERT = (
    "PREPARE bot_events_insert (text, text[], float8[], text[], text[], text[]) AS "
    "INSERT INTO {table} (" + ", ".join(EVENT_COLUMNS) + ") SELECT $1, * FROM unnest($2, $3, $4, $5, $6) RETURNING id"
)
SQLITE_ROWS_PER_INSERT = 500  # 6 parameters each, far below SQLite's limit of 32,766


class PlainQueries:
    """The store's statements for one dialect and table, run on DBAPI cursors."""

    def __init__(self, dialect: str, table: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"no plain SQL for {dialect}")
        self.dialect = dialect
        self.table = table
        self._run: Dict[str, str] = {}
        self._prepare: List[str] = []
        for name, template in QUERIES.items():
            sql = template.format(table=table)
            if dialect == "sqlite":
                self._run[name] = sql
            else:
                names, types = PG_PARAMETERS[name][::2], PG_PARAMETERS[name][1::2]
                for position, parameter in enumerate(names, start=1):
                    sql = sql.replace(f":{parameter}", f"${position}")
                self._prepare.append(f"PREPARE bot_events_{name} ({', '.join(types)}) AS {sql}")
                self._run[name] = f"EXECUTE bot_events_{name} ({', '.join(f'%({p})s' for p in names)})"
        if dialect == "postgresql":
            self._prepare.append(PG_INSERT.format(table=table))

    def prepare(self, dbapi_connection: Any, _record: Any = None) -> None:
        """Prepare every statement on a new PostgreSQL connection (a pool's ``connect``
        event); nothing to do for SQLite."""
        if self._prepare:
            cursor = dbapi_connection.cursor()
            for statement in self._prepare:
                cursor.execute(statement)
            cursor.close()

    def statement(self, name: str) -> str:
        """What is executed for query ``name`` (for error messages and tests)."""
        return self._run[name]

    def rows(self, connection: Any, name: str, **parameters: Any) -> List[Tuple[Any, ...]]:
        cursor = connection.cursor()
        try:
            cursor.execute(self._run[name], parameters)
            return cursor.fetchall()
        finally:
            cursor.close()

    def stamp(self, connection: Any, sender_id: str) -> Stamp:
        return tuple(self.rows(connection, "stamp", sender=sender_id)[0])

    def prefix(self, connection: Any, sender_id: str, highest_id: int) -> Tuple[Any, ...]:
        """How many rows up to ``highest_id``, and their latest timestamp."""
        return tuple(self.rows(connection, "prefix", sender=sender_id, highest=highest_id)[0])

    def appended(self, connection: Any, sender_id: str, highest_id: int) -> List[str]:
        """The serialised events after ``highest_id``, in storage order."""
        return [data for (data,) in self.rows(connection, "appended", sender=sender_id, highest=highest_id)]

    def session(self, connection: Any, sender_id: str, highest_id: int) -> List[str]:
        """The serialised events of the latest session (Rasa's read) up to ``highest_id``."""
        return [data for (data,) in self.rows(connection, "session", sender=sender_id, highest=highest_id)]

    def insert(self, connection: Any, sender_id: str, rows: Sequence[Row]) -> List[int]:
        """Insert ``rows`` in order, committed; returns their ids."""
        cursor = connection.cursor()
        try:
            if self.dialect == "postgresql":  # autocommit: one statement, atomic
                columns = list(zip(*rows, strict=True))[1:]
                cursor.execute("EXECUTE bot_events_insert (%s, %s, %s, %s, %s, %s)", (sender_id, *map(list, columns)))
                return [row_id for (row_id,) in cursor.fetchall()]
            ids: List[int] = []
            for start in range(0, len(rows), SQLITE_ROWS_PER_INSERT):
                chunk = rows[start : start + SQLITE_ROWS_PER_INSERT]
                values = ", ".join(["(" + ", ".join("?" * len(EVENT_COLUMNS)) + ")"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {self.table} ({', '.join(EVENT_COLUMNS)}) VALUES {values} RETURNING id",
                    [value for row in chunk for value in row],
                )
                ids.extend(row_id for (row_id,) in cursor.fetchall())
            connection.commit()
            return ids
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()


def stamp_after(stamp: Stamp, rows: Sequence[Row], ids: Sequence[int]) -> Stamp:
    """The stamp of the stored rows after inserting ``rows`` (given ``ids``) where the
    rows had ``stamp``: what the stamp query would answer, without asking it."""
    count, highest_id, latest = stamp
    known_ids = [*ids, *([] if highest_id is None else [highest_id])]
    timestamps = [row[2] for row in rows if row[2] is not None] + ([] if latest is None else [latest])
    return count + len(rows), max(known_ids, default=None), max(timestamps, default=None)
