"""Serves FAQ answers to the action server and reloads them when the store changes.

``faq import`` replaces ``data/faq/store.json`` by an atomic rename, so a reader sees
either the old or the new file, never half of one. Each request compares the file's
modification time and size (bot/reloading.py); a change is loaded at once, so an edited
answer is live on the next question. A file that cannot be read keeps the last good
answers and is logged; with none yet (a missing or broken store at start) no intent
has an entry.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional

from bot.faq.model import INTENT_PREFIX, FaqEntry
from bot.faq.project import FaqPaths, load_store
from bot.languages import DEFAULT_LANGUAGE
from bot.reloading import HotReloaded, file_signature

# What reading a missing, unreadable or malformed store.json raises.
UNREADABLE = (OSError, ValueError, KeyError, TypeError)


def default_store_path() -> Path:
    """``BOT_FAQ_STORE`` if set (tests, deployments), else the project's store."""
    return Path(os.environ.get("BOT_FAQ_STORE", FaqPaths().store))


def _entries_by_intent(path: Path) -> Dict[str, FaqEntry]:
    return {entry.intent: entry for entry in load_store(path)}


class AnswerStore:
    """Thread-safe holder of the current FAQ entries, by intent."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self._entries = HotReloaded("FAQ answers", path or default_store_path(), file_signature,
                                    _entries_by_intent, UNREADABLE, lambda entries: f"{len(entries)} FAQ entries")

    def entry(self, intent: Optional[str]) -> Optional[FaqEntry]:
        """The current entry for ``faq_<id>``, or None if the FAQ has no such entry."""
        if not intent or not intent.startswith(INTENT_PREFIX):
            return None
        try:
            return self._entries.get().get(intent)
        except UNREADABLE:  # no good answers yet; the rejection was logged
            return None


def render(entry: FaqEntry, language: Optional[str], source_label: Optional[str]) -> str:
    """The answer in ``language`` (English if missing), with its source when it is a web page."""
    code = language if entry.answers.get(language or "") else DEFAULT_LANGUAGE
    text = entry.answers[code]
    if source_label and entry.source.startswith(("http://", "https://")):
        text = f"{text}\n{source_label}: {entry.source}"
    return text


__all__ = ["AnswerStore", "render", "default_store_path"]
