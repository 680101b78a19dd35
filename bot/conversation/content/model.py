"""Typed view of the content files (see docs/content.md for the file format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Answer:
    """One answer, in every language, with where its facts come from."""

    id: str
    text: Mapping[str, str]
    sources: Sequence[str]
    subject: Optional[str] = None
    facet: Optional[str] = None
    unconfirmed: bool = False


@dataclass(frozen=True)
class Topic:
    """A topic file: the intent it answers, what it can be asked about, its answers."""

    name: str
    intent: str
    file: str
    subject_aliases: Mapping[str, str] = field(default_factory=dict)  # alias → subject
    facet_keywords: Mapping[str, str] = field(default_factory=dict)  # keyword → facet
    answers: Mapping[Tuple[Optional[str], Optional[str]], Answer] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the actions answer from, as loaded at one moment."""

    topics_by_intent: Dict[str, Topic]
    strings: Mapping[str, Mapping[str, str]]

    def answer_count(self) -> int:
        return sum(len(topic.answers) for topic in self.topics_by_intent.values())
