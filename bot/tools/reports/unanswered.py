"""The unanswered-questions inbox: what attendees asked that the assistant did not know.

A message counts as unanswered when the model fell back (``nlu_fallback``) or its
confidence was below ``min_confidence``, or when it went to the organisers in a hand-off
that none of them answered (docs/handoff.md). Messages are grouped per language by
similar wording (shared words after normalisation), so twenty people asking
"wifi password?" become one line with a count — and one spreadsheet row, in the
FAQ format, ready to be completed into a new entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List

from bot.conversation.faq.model import COLUMNS, LANGUAGES, questions_column
from bot.conversation.text import normalise
from bot.tools.reports.tracker import UserMessage, day

FALLBACK_INTENT = "nlu_fallback"
DEFAULT_MIN_CONFIDENCE = 0.6
SIMILARITY = 0.5  # share of words two wordings must have in common to be grouped
# Words too common to say two questions are alike ("is there a …").
_IGNORED = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "there",
        "i",
        "you",
        "it",
        "do",
        "does",
        "can",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "my",
        "me",
        "what",
        "where",
        "how",
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "est",
        "il",
        "y",
        "a",
        "je",
        "de",
        "du",
        "en",
        "et",
        "ce",
        "qui",
        "quoi",
        "où",
        "comment",
        "de",
        "het",
        "een",
        "is",
        "er",
        "ik",
        "je",
        "wat",
        "waar",
        "hoe",
        "van",
        "op",
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "es",
        "hay",
        "yo",
        "de",
        "en",
        "que",
        "qué",
        "dónde",
        "cómo",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "ist",
        "gibt",
        "es",
        "ich",
        "du",
        "was",
        "wo",
        "wie",
        "zu",
        "im",
        "في",
        "من",
        "على",
        "هل",
        "ما",
        "أين",
        "كيف",
    ]
)


@dataclass
class Group:
    """Similar unanswered messages in one language."""

    language: str
    words: FrozenSet[str]
    wordings: Dict[str, int] = field(default_factory=dict)  # text as typed → count
    first: float = 0.0
    last: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.wordings.values())

    @property
    def example(self) -> str:
        return max(self.wordings, key=lambda text: (self.wordings[text], -len(text)))


def is_unanswered(message: UserMessage, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> bool:
    """Not understood, or sent to the organisers in a hand-off none of them answered
    (outside staffed hours, or nobody replied before it closed: docs/handoff.md)."""
    return message.intent == FALLBACK_INTENT or message.confidence < min_confidence or message.awaits_person


def _words(text: str) -> FrozenSet[str]:
    words = frozenset(normalise(text).split())
    return (words - _IGNORED) or words


def _similar(a: FrozenSet[str], b: FrozenSet[str]) -> bool:
    return bool(a | b) and len(a & b) / len(a | b) >= SIMILARITY


def group_unanswered(messages: List[UserMessage], min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> List[Group]:
    """Groups of unanswered messages, largest first, per language."""
    groups: List[Group] = []
    for message in messages:
        if not message.text.strip() or message.text.startswith("/") or not is_unanswered(message, min_confidence):
            continue
        words = _words(message.text)
        language = message.language or "?"
        group = next((g for g in groups if g.language == language and _similar(g.words, words)), None)
        if group is None:
            group = Group(language, words, first=message.timestamp, last=message.timestamp)
            groups.append(group)
        text = " ".join(message.text.split())
        group.wordings[text] = group.wordings.get(text, 0) + 1
        group.first, group.last = min(group.first, message.timestamp), max(group.last, message.timestamp)
    return sorted(groups, key=lambda g: (g.language, -g.count, g.first))


# The FAQ columns, then how often and when the question was asked (`faq check` ignores these).
INBOX_COLUMNS = COLUMNS + ("asked", "first_asked", "last_asked")


def inbox_rows(groups: List[Group]) -> List[Dict[str, str]]:
    """One FAQ spreadsheet row per group: the wordings as questions, the rest to fill in."""
    rows = []
    for number, group in enumerate(groups, start=1):
        row = {column: "" for column in INBOX_COLUMNS}
        row.update(
            id=f"new_{number}",
            topic="inbox",
            asked=str(group.count),
            first_asked=day(group.first),
            last_asked=day(group.last),
        )
        if group.language in LANGUAGES:
            row[questions_column(group.language)] = "\n".join(sorted(group.wordings, key=lambda t: -group.wordings[t]))
        rows.append(row)
    return rows
