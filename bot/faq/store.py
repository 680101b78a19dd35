"""Serves FAQ answers to the action server and reloads them when the store changes.

``faq import`` replaces ``data/faq/store.json`` by an atomic rename, so a reader sees
either the old or the new file, never half of one. Each request compares the file's
modification time and size (one ``stat``); a change is loaded at once, so an edited
answer is live on the next question. A file that cannot be read keeps the last good
answers and is logged.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Dict, Optional, Tuple

from bot.faq.model import INTENT_PREFIX, FaqEntry
from bot.faq.project import FaqPaths, load_store
from bot.languages import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)


def default_store_path() -> Path:
    """``BOT_FAQ_STORE`` if set (tests, deployments), else the project's store."""
    return Path(os.environ.get("BOT_FAQ_STORE", FaqPaths().store))


class AnswerStore:
    """Thread-safe holder of the current FAQ entries, by intent."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self._path = path or default_store_path()
        self._lock = threading.Lock()
        self._entries: Dict[str, FaqEntry] = {}
        self._signature: Optional[Tuple[int, int]] = None

    def _stat(self) -> Optional[Tuple[int, int]]:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def entry(self, intent: Optional[str]) -> Optional[FaqEntry]:
        """The current entry for ``faq_<id>``, or None if the FAQ has no such entry."""
        signature = self._stat()
        if signature is not None and signature != self._signature:
            with self._lock:
                if signature != self._signature:
                    self._reload(signature)
        if not intent or not intent.startswith(INTENT_PREFIX):
            return None
        return self._entries.get(intent)

    def _reload(self, signature: Tuple[int, int]) -> None:
        try:
            entries = load_store(self._path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.error("FAQ store %s unreadable (%s); keeping the last good answers", self._path, error)
            self._signature = signature
            return
        self._entries = {entry.intent: entry for entry in entries}
        self._signature = signature
        logger.info("Loaded %d FAQ entries from %s", len(entries), self._path)


def render(entry: FaqEntry, language: Optional[str], source_label: Optional[str]) -> str:
    """The answer in ``language`` (English if missing), with its source when it is a web page."""
    code = language if entry.answers.get(language or "") else DEFAULT_LANGUAGE
    text = entry.answers[code]
    if source_label and entry.source.startswith(("http://", "https://")):
        text = f"{text}\n{source_label}: {entry.source}"
    return text


__all__ = ["AnswerStore", "render", "default_store_path"]
