"""Serves the knowledge base and reloads it when a content file or the source registry changes.

Organisers edit files while the assistant runs. Each request checks the files'
modification times and sizes (bot/conversation/reloading.py); a changed set is loaded and validated
as a whole. An invalid set is rejected with a log line naming the file and entry, and
the last good knowledge base keeps being served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Hashable

from bot.conversation.content.loader import CONTENT_DIR, ContentError, load_content, sources_file_for
from bot.conversation.content.model import KnowledgeBase
from bot.conversation.reloading import HotReloaded, directory_signature, file_signature


def content_signature(directory: Path) -> Hashable:
    """The files load_content reads: the topic files and the source registry."""
    return directory_signature(directory, "*.yml"), file_signature(sources_file_for(directory))


class LiveContent(HotReloaded[KnowledgeBase]):
    """Thread-safe holder of the current knowledge base.

    ``get()`` is the newest valid knowledge base; it raises ContentError only if none ever loaded.
    """

    def __init__(self, directory: Path = CONTENT_DIR, recheck_after: float = 0.0) -> None:
        super().__init__(
            "content",
            directory,
            content_signature,
            load_content,
            (ContentError,),
            lambda kb: f"{kb.answer_count()} answers, {len(kb.sources)} sources",
            recheck_after,
        )
