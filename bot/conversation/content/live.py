"""Serves the knowledge base and reloads it when a content file changes.

Organisers edit files while the assistant runs. Each request checks the files'
modification times and sizes (bot/conversation/reloading.py); a changed set is loaded and validated
as a whole. An invalid set is rejected with a log line naming the file and entry, and
the last good knowledge base keeps being served.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bot.conversation.content.loader import CONTENT_DIR, ContentError, load_content
from bot.conversation.content.model import KnowledgeBase
from bot.conversation.reloading import HotReloaded, directory_signature


class LiveContent(HotReloaded[KnowledgeBase]):
    """Thread-safe holder of the current knowledge base.

    ``get()`` is the newest valid knowledge base; it raises ContentError only if none ever loaded.
    """

    def __init__(self, directory: Path = CONTENT_DIR) -> None:
        yml_files = partial(directory_signature, pattern="*.yml")  # the files load_content reads
        super().__init__(
            "content", directory, yml_files, load_content, (ContentError,), lambda kb: f"{kb.answer_count()} answers"
        )
