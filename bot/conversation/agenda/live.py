"""Serves the programme and reloads it when the file changes.

The file's modification time and size are compared on each request (bot/conversation/reloading.py),
so a saved edit is live on the next question. An invalid file is rejected with a log
line naming the entry at fault, and the last good programme keeps being served.
"""

from __future__ import annotations

from pathlib import Path

from bot.conversation.agenda.loader import PROGRAMME_FILE, ProgrammeError, load_programme
from bot.conversation.agenda.model import Programme
from bot.conversation.reloading import HotReloaded, file_signature


class LiveProgramme(HotReloaded[Programme]):
    """Thread-safe holder of the current programme.

    ``get()`` is the newest valid programme; it raises ProgrammeError only if none ever loaded.
    """

    def __init__(self, path: Path = PROGRAMME_FILE, recheck_after: float = 0.0) -> None:
        super().__init__(
            "programme",
            path,
            file_signature,
            load_programme,
            (ProgrammeError,),
            lambda programme: f"{len(programme.sessions)} sessions",
            recheck_after,
        )
        self.path = path
