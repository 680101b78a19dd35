"""Serves the programme and reloads it when the file changes.

Each request compares the file's modification time and size (one ``stat``, microseconds)
with those of the version in memory, so a saved edit is live on the next question. An
invalid file is rejected with a log line naming the entry at fault, and the last good
programme keeps being served.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional, Tuple

from bot.agenda.loader import PROGRAMME_FILE, ProgrammeError, load_programme
from bot.agenda.model import Programme

logger = logging.getLogger(__name__)

Signature = Optional[Tuple[int, int]]


class ProgrammeStore:
    """Thread-safe holder of the current programme."""

    def __init__(self, path: Path = PROGRAMME_FILE) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._programme: Optional[Programme] = None
        self._loaded: Signature = None
        self._rejected: Signature = None
        self.last_error: Optional[ProgrammeError] = None

    def _signature(self) -> Signature:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def get(self) -> Programme:
        """The newest valid programme; raises ProgrammeError only if none ever loaded."""
        signature = self._signature()
        with self._lock:
            if self._programme is None or signature not in (self._loaded, self._rejected):
                self._reload(signature)
            if self._programme is None:
                raise self.last_error or ProgrammeError([f"{self.path}: not loaded"])
            return self._programme

    def _reload(self, signature: Signature) -> None:
        try:
            programme = load_programme(self.path)
        except ProgrammeError as error:
            self._rejected, self.last_error = signature, error
            state = "keeping the last good programme" if self._programme else "no programme to serve"
            logger.error("Programme %s rejected (%s):\n%s", self.path, state, error)
            return
        self._programme, self._loaded, self._rejected, self.last_error = programme, signature, None, None
        logger.info("Loaded %d sessions from %s", len(programme.sessions), self.path)
