"""The console's stores in one var folder: accounts, sessions, history, inbox dismissals (one SQLite file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.tools.console import accounts, dismissals, history, sessions
from bot.tools.console.database import DATABASE_NAME, ConsoleDatabase


@dataclass(frozen=True)
class Stores:
    accounts: accounts.AccountStore
    sessions: sessions.SessionStore
    history: history.History
    dismissals: dismissals.Dismissals

    @classmethod
    def in_folder(cls, var_dir: Path) -> "Stores":
        schema = accounts.SCHEMA + sessions.SCHEMA + history.SCHEMA + dismissals.SCHEMA
        database = ConsoleDatabase(Path(var_dir) / DATABASE_NAME, schema)
        return cls(
            accounts.AccountStore(database),
            sessions.SessionStore(database),
            history.History(database),
            dismissals.Dismissals(database),
        )
