"""Signed-in sessions and their CSRF tokens.

The browser holds a random session id in a cookie the page's JavaScript cannot read
(HttpOnly), sent only to this site's own requests (SameSite=Strict) and only over
HTTPS when the console is reached through HTTPS (Secure). The database keeps a hash
of the id, so a copy of ``console.db`` opens no session.

Every change (any method but GET/HEAD) must also carry the session's CSRF token in the
``X-CSRF-Token`` header: the page reads it from ``/admin/api/session`` (same-origin
only), another site cannot. The token is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Optional

from bot.tools.console.database import ConsoleDatabase

COOKIE_NAME = "console_session"
CSRF_HEADER = "X-CSRF-Token"
IDLE_TIMEOUT_S = 8 * 3600  # a working day without a click signs out
MAX_AGE_S = 24 * 3600

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL, "
    "created REAL NOT NULL, seen REAL NOT NULL)",
)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    user: str
    csrf: str

    def allows(self, token: Optional[str]) -> bool:
        """Whether ``token`` (from the request header) is this session's CSRF token."""
        return token is not None and hmac.compare_digest(token.encode("utf-8"), self.csrf.encode("utf-8"))


class SessionStore:
    def __init__(self, database: ConsoleDatabase, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock

    def open(self, user: str) -> str:
        """A new session for ``user``; returns the id for the cookie (stored only hashed)."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._db.transaction() as db:
            db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?", (now - IDLE_TIMEOUT_S, now - MAX_AGE_S))
            db.execute(
                "INSERT INTO sessions (id_hash, user, csrf, created, seen) VALUES (?, ?, ?, ?, ?)",
                (_hash(session_id), user, secrets.token_urlsafe(32), now, now),
            )
        return session_id

    def get(self, session_id: Optional[str]) -> Optional[Session]:
        """The live session of a cookie (its idle time restarts), or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._db.transaction() as db:
            row = db.execute(
                "SELECT user, csrf, created, seen FROM sessions WHERE id_hash = ?", (_hash(session_id),)
            ).fetchone()
            if row is None:
                return None
            user, csrf, created, seen = row
            if seen < now - IDLE_TIMEOUT_S or created < now - MAX_AGE_S:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))
                return None
            db.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, _hash(session_id)))
        return Session(user, csrf)

    def close(self, session_id: Optional[str]) -> None:
        if session_id:
            with self._db.transaction() as db:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))

    def close_all(self, user: str) -> None:
        """Sign ``user`` out everywhere (account removed or password changed)."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM sessions WHERE user = ?", (user,))
