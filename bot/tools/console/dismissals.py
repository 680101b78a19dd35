"""Inbox questions an organiser dismissed (not worth an answer), per language and wording."""

from __future__ import annotations

import time
from typing import Callable, Iterable, Set, Tuple

from bot.conversation.text import normalise
from bot.tools.console.database import ConsoleDatabase

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS inbox_dismissed (language TEXT NOT NULL, wording TEXT NOT NULL, "
    "user TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (language, wording))",
)


def wording_key(language: str, text: str) -> Tuple[str, str]:
    """How a wording is compared: per language, normalised (case, accents, punctuation)."""
    return language, normalise(text)


class Dismissals:
    def __init__(self, database: ConsoleDatabase, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock

    def all(self) -> Set[Tuple[str, str]]:
        rows = self._db.query("SELECT language, wording FROM inbox_dismissed")
        return {(language, wording) for language, wording in rows}

    def add(self, user: str, language: str, wordings: Iterable[str]) -> None:
        with self._db.transaction() as db:
            for text in wordings:
                db.execute(
                    "INSERT OR REPLACE INTO inbox_dismissed (language, wording, user, at) VALUES (?, ?, ?, ?)",
                    (*wording_key(language, text), user, self._clock()),
                )
