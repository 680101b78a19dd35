"""Reads user messages from Rasa's SQL tracker store (SQLite or PostgreSQL).

The connection comes from ``endpoints.yml`` (any SQL-based tracker store: Rasa's
``SQL`` or the project's ``PrivacyTrackerStore``), so the reports read exactly the
conversations the assistant stored. Only the ``events``
table Rasa writes is read; nothing is modified.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set

import sqlalchemy as sa

from bot import PROJECT_ROOT
from bot.plugins.endpoints import EndpointsError, read_endpoint


@dataclass(frozen=True)
class UserMessage:
    """One user message as the assistant understood it."""

    sender: str
    text: str
    intent: str
    confidence: float
    language: str  # the conversation language chosen for the reply ('' if unknown)
    timestamp: float
    # Sent to the organisers during a hand-off that none of them answered (docs/handoff.md).
    awaits_person: bool = False

    @property
    def day(self) -> str:
        return day(self.timestamp)


def day(timestamp: float) -> str:
    """The UTC date of a tracker timestamp, as YYYY-MM-DD."""
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


class TrackerStoreError(RuntimeError):
    """The tracker store is not configured as SQL or cannot be read."""


def store_class(config: Dict[str, Any], endpoints: Path) -> type:
    """The tracker store class ``config`` names, if it keeps conversations in SQL: Rasa's
    ``SQL`` or any subclass of Rasa's ``SQLTrackerStore`` (such as the project's
    ``PrivacyTrackerStore``); TrackerStoreError otherwise."""
    from rasa.core.tracker_store import SQLTrackerStore

    name = str(config.get("type") or "")
    if name.lower() == "sql":
        return SQLTrackerStore
    module_name, _, class_name = name.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name) if module_name else None
    except (ImportError, AttributeError):
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, SQLTrackerStore)):
        raise TrackerStoreError(
            f"{endpoints}: tracker_store {name or '(none)'!r} is not an SQL store; the reports "
            "and the purge need one (SQLite or PostgreSQL)"
        )
    return cls


def tracker_store_config(endpoints: Path) -> Dict[str, Any]:
    """The ``tracker_store`` block of ``endpoints`` (``${VAR}`` replaced), checked to be SQL."""
    try:
        config = read_endpoint("tracker_store", endpoints)
    except EndpointsError as error:
        raise TrackerStoreError(str(error)) from None
    store_class(config, endpoints)
    return config


def database_url(endpoints: Path, root: Path = PROJECT_ROOT) -> sa.engine.URL:
    """The SQLAlchemy URL of the tracker store configured in ``endpoints``."""
    config = tracker_store_config(endpoints)
    dialect = config.get("dialect", "sqlite")
    database = str(config.get("db", "rasa.db"))
    if dialect == "sqlite":
        path = Path(database)
        return sa.engine.URL.create("sqlite", database=str(path if path.is_absolute() else root / path))
    driver = "postgresql+psycopg2" if dialect in ("postgresql", "postgres") else dialect
    return sa.engine.URL.create(
        driver,
        username=config.get("username"),
        password=config.get("password") or None,
        host=config.get("url"),
        port=int(config["port"]) if config.get("port") else None,
        database=database,
    )


def _intent(parse: Dict[str, Any]) -> tuple[str, float]:
    intent = parse.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def read_messages(url: sa.engine.URL, since: Optional[float] = None) -> List[UserMessage]:
    """Every user message, in order, with the language the reply was given in."""
    if url.drivername == "sqlite" and not Path(url.database or "").exists():
        raise TrackerStoreError(
            f"No conversations stored yet: {url.database} does not exist "
            "(the assistant creates it on the first message)."
        )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []
            query = sa.text(
                "SELECT sender_id, type_name, timestamp, data FROM events "
                "WHERE type_name IN ('user', 'slot') ORDER BY sender_id, id"
            )
            rows = connection.execute(query).fetchall()
    except sa.exc.SQLAlchemyError as error:
        raise TrackerStoreError(f"cannot read the tracker store: {error.__class__.__name__}: {error}") from None
    finally:
        engine.dispose()
    return [m for m in _messages(rows) if since is None or m.timestamp >= since]


HANDOFF_SLOT = "handoff"  # bot/plugins/components/handoff_policy.py


def _handoff_id(value: Any) -> Optional[str]:
    return str(value["id"]) if isinstance(value, dict) and value.get("id") else None


def _answered_handoffs(rows: List[Any]) -> Set[str]:
    """The hand-offs an organiser replied to (their slot records a reply time)."""
    answered = set()
    for _, type_name, _, raw in rows:
        if type_name == "slot" and HANDOFF_SLOT in (raw or ""):
            data = json.loads(raw)
            value = data.get("value")
            if data.get("name") == HANDOFF_SLOT and _handoff_id(value) and value.get("answered"):
                answered.add(str(value["id"]))
    return answered


def _messages(rows: List[Any]) -> Iterator[UserMessage]:
    """User events, each with the ``language`` slot set right after it (if any), and
    whether it went to a hand-off nobody answered."""
    answered = _answered_handoffs(rows)
    pending: Optional[Dict[str, Any]] = None
    current: Dict[str, str] = {}  # sender → conversation language so far
    handoff: Dict[str, Optional[str]] = {}  # sender → the open hand-off, if any
    for sender, type_name, timestamp, raw in rows:
        data = json.loads(raw or "{}")
        if pending and (type_name == "user" or sender != pending["sender"]):
            yield _message(pending, answered)
            pending = None
        if type_name == "user":
            parse = data.get("parse_data") or {}
            detected = (parse.get("language") or {}).get("code") or ""
            pending = {
                "sender": sender,
                "text": data.get("text") or "",
                "parse": parse,
                "language": current.get(sender) or detected,
                "timestamp": timestamp or data.get("timestamp") or 0.0,
                "handoff": handoff.get(sender),
            }
        elif data.get("name") == "language" and data.get("value"):
            current[sender] = str(data["value"])
            if pending:
                pending["language"] = current[sender]
        elif data.get("name") == HANDOFF_SLOT:
            handoff[sender] = _handoff_id(data.get("value"))
            if pending and handoff[sender] is None:
                pending["handoff"] = None  # the message that closed it ("back to the assistant")
    if pending:
        yield _message(pending, answered)


def _message(pending: Dict[str, Any], answered: Set[str]) -> UserMessage:
    intent, confidence = _intent(pending["parse"])
    awaits_person = bool(pending["handoff"]) and pending["handoff"] not in answered
    return UserMessage(
        pending["sender"],
        pending["text"],
        intent,
        confidence,
        pending["language"],
        float(pending["timestamp"]),
        awaits_person,
    )
