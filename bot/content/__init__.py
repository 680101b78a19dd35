"""The knowledge base: topic files in ``data/content/``, validated and hot-reloaded.

No Rasa imports here: the action server carries only ``rasa-sdk``.
"""

from bot.content.loader import ContentError, load_content
from bot.content.model import Answer, KnowledgeBase, Topic
from bot.content.select import render_answer, select_answer
from bot.content.store import ContentStore

__all__ = [
    "Answer",
    "ContentError",
    "ContentStore",
    "KnowledgeBase",
    "Topic",
    "load_content",
    "render_answer",
    "select_answer",
]
