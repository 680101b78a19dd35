"""The knowledge base: topic files in ``data/content/``, validated and hot-reloaded.

No Rasa imports here: the action server carries only ``rasa-sdk``.
"""

from bot.conversation.content.live import LiveContent
from bot.conversation.content.loader import ContentError, load_content
from bot.conversation.content.model import Answer, KnowledgeBase, Source, SourceRef, Topic
from bot.conversation.content.select import render_answer, select_answer

__all__ = [
    "Answer",
    "ContentError",
    "LiveContent",
    "KnowledgeBase",
    "Source",
    "SourceRef",
    "Topic",
    "load_content",
    "render_answer",
    "select_answer",
]
