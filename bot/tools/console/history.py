"""Every change made in the console: who, when, what, and the version before and after.

The files (the FAQ sheet, the content and programme files) stay the source of truth;
the history is the console's record of its own changes, kept in ``console.db``, so an
earlier version of an entry can be put back (through the same checks as any save).
Changes made outside the console (git, the CLI) are not in it; a restore replaces
whatever the file holds at that moment, and is itself recorded.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from bot.tools.console.database import ConsoleDatabase

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, "
    "user TEXT NOT NULL, area TEXT NOT NULL, item TEXT NOT NULL, action TEXT NOT NULL, "
    "before TEXT, after TEXT)",
    "CREATE INDEX IF NOT EXISTS changes_item ON changes (area, item, id)",
)


@dataclass(frozen=True)
class Change:
    """One recorded change; ``before``/``after`` are None for a creation/deletion."""

    id: int
    at: float
    user: str
    area: str  # 'faq', 'content', 'programme'
    item: str  # the entry id or the file name
    action: str  # 'create', 'edit', 'delete', 'restore', 'import'
    before: Any
    after: Any

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "at": self.at,
            "user": self.user,
            "area": self.area,
            "item": self.item,
            "action": self.action,
            "before": self.before,
            "after": self.after,
        }


def _change(row: tuple) -> Change:
    number, at, user, area, item, action, before, after = row
    return Change(
        number,
        at,
        user,
        area,
        item,
        action,
        json.loads(before) if before is not None else None,
        json.loads(after) if after is not None else None,
    )


COLUMNS = "id, at, user, area, item, action, before, after"


class History:
    def __init__(self, database: ConsoleDatabase, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock

    def record(self, user: str, area: str, item: str, action: str, before: Any, after: Any) -> int:
        """Store one change; its id."""
        encoded = [None if value is None else json.dumps(value, ensure_ascii=False) for value in (before, after)]
        with self._db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO changes (at, user, area, item, action, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._clock(), user, area, item, action, *encoded),
            )
        return int(cursor.lastrowid or 0)

    def changes(self, area: Optional[str] = None, item: Optional[str] = None, limit: int = 200) -> List[Change]:
        """The newest first, of one area and item if given."""
        where, parameters = [], []
        for column, value in (("area", area), ("item", item)):
            if value is not None:
                where.append(f"{column} = ?")
                parameters.append(value)
        sql = f"SELECT {COLUMNS} FROM changes" + (f" WHERE {' AND '.join(where)}" if where else "")
        return [_change(row) for row in self._db.query(sql + " ORDER BY id DESC LIMIT ?", [*parameters, limit])]

    def get(self, number: int) -> Optional[Change]:
        rows = self._db.query(f"SELECT {COLUMNS} FROM changes WHERE id = ?", (number,))
        return _change(rows[0]) if rows else None

    def since(self, area: str, at: float) -> List[Change]:
        """Changes of ``area`` after the time ``at``, oldest first."""
        rows = self._db.query(f"SELECT {COLUMNS} FROM changes WHERE area = ? AND at > ? ORDER BY id", (area, at))
        return [_change(row) for row in rows]
