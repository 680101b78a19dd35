"""Serves FAQ answers to the action server and reloads them when the store changes.

``faq import`` replaces ``data/faq/answers.json`` by an atomic rename, so a reader sees
either the old or the new file, never half of one. Each request compares the file's
modification time and size (bot/conversation/reloading.py); a change is loaded at once, so an edited
answer is live on the next question. A file that cannot be read keeps the last good
answers and is logged; with none yet (a missing or broken store at start) no intent
has an entry.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Optional

from bot import PROJECT_ROOT
from bot.conversation.content.model import Source
from bot.conversation.faq.model import INTENT_PREFIX, FaqEntry
from bot.conversation.languages import DEFAULT_LANGUAGE
from bot.conversation.reloading import HotReloaded, file_signature

ANSWERS_FILE = PROJECT_ROOT / "data" / "faq" / "answers.json"
# What reading a missing, unreadable or malformed answers file raises.
UNREADABLE = (OSError, ValueError, KeyError, TypeError)


def default_answers_path() -> Path:
    """``BOT_FAQ_ANSWERS`` if set (tests, deployments), else the project's answers file."""
    return Path(os.environ.get("BOT_FAQ_ANSWERS", ANSWERS_FILE))


def load_answers(path: Path) -> List[FaqEntry]:
    """The imported entries, in spreadsheet order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [FaqEntry.from_dict(item) for item in data["entries"]]


def _entries_by_intent(path: Path) -> Dict[str, FaqEntry]:
    return {entry.intent: entry for entry in load_answers(path)}


class LiveFaqAnswers:
    """Thread-safe holder of the current FAQ entries, by intent."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self._entries = HotReloaded(
            "FAQ answers",
            path or default_answers_path(),
            file_signature,
            _entries_by_intent,
            UNREADABLE,
            lambda entries: f"{len(entries)} FAQ entries",
        )

    def entry(self, intent: Optional[str]) -> Optional[FaqEntry]:
        """The current entry for ``faq_<id>``, or None if the FAQ has no such entry."""
        if not intent or not intent.startswith(INTENT_PREFIX):
            return None
        try:
            return self._entries.get().get(intent)
        except UNREADABLE:  # no good answers yet; the rejection was logged
            return None


def render(
    entry: FaqEntry,
    language: Optional[str],
    source_label: Optional[str],
    source: Optional[Source] = None,
    after_event: bool = False,
) -> str:
    """The answer in ``language`` (English if missing) for the conference clock's side of the event
    (``after_event``: the conference is over), with its source (``entry.source`` looked up in the
    source registry; none for an 'unconfirmed' entry)."""
    texts = entry.answer_for(after_event)
    code = language if language is not None and texts.get(language) else DEFAULT_LANGUAGE
    text = texts[code]
    if source_label and source is not None:
        text = f"{text}\n{source_label}: {source.display(code)}"
    return text


__all__ = ["ANSWERS_FILE", "LiveFaqAnswers", "load_answers", "render", "default_answers_path"]
