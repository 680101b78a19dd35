"""Serves the knowledge base and reloads it when a content file changes.

Organisers edit files while the assistant runs. Each request checks the files'
modification times (a few ``stat`` calls, microseconds); a changed set is loaded
and validated as a whole. An invalid set is rejected with a log line naming the
file and entry, and the last good knowledge base keeps being served.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional, Tuple

from bot.content.loader import CONTENT_DIR, ContentError, load_content
from bot.content.model import KnowledgeBase

logger = logging.getLogger(__name__)

Signature = Tuple[Tuple[str, int, int], ...]


class ContentStore:
    """Thread-safe holder of the current knowledge base."""

    def __init__(self, directory: Path = CONTENT_DIR) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._kb: Optional[KnowledgeBase] = None
        self._signature: Optional[Signature] = None
        self._rejected: Optional[Signature] = None
        self.last_error: Optional[ContentError] = None

    def _current_signature(self) -> Signature:
        entries = []
        for path in sorted(self._directory.glob("*.yml")):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    def get(self) -> KnowledgeBase:
        """The newest valid knowledge base; raises ContentError only if none ever loaded."""
        signature = self._current_signature()
        if signature == self._signature or (signature == self._rejected and self._kb):
            return self._kb  # type: ignore[return-value]
        with self._lock:
            if signature != self._signature and signature != self._rejected:
                self._reload(signature)
            if self._kb is None:
                raise self.last_error or ContentError([f"{self._directory}: not loaded"])
            return self._kb

    def _reload(self, signature: Signature) -> None:
        try:
            kb = load_content(self._directory)
        except ContentError as error:
            self._rejected = signature
            self.last_error = error
            state = "keeping the last good content" if self._kb else "no content to serve"
            logger.error("Content in %s rejected (%s):\n%s", self._directory, state, error)
            return
        self._kb, self._signature, self._rejected, self.last_error = kb, signature, None, None
        logger.info("Loaded %d answers from %s", kb.answer_count(), self._directory)
