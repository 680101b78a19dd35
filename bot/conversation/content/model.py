"""Typed view of the content files and the source registry (see docs/content.md for the format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

# How far a source can be trusted, best first. The displayed source of an answer is the best
# one it has; mirror, personal and hostile pages rank alike, below the press.
TAGS: Tuple[str, ...] = ("official", "press", "mirror", "personal", "hostile")
TAG_RANK: Mapping[str, int] = {"official": 0, "press": 1, "mirror": 2, "personal": 2, "hostile": 2}
WEAK_RANK = 2  # an answer shown with a source of this rank says whose claim it is ("according to …")


@dataclass(frozen=True)
class Source:
    """One page (or document) the facts come from, as listed in ``data/sources.yml``."""

    id: str
    title: Mapping[str, str]  # by language; the same text in every language when the title is not translated
    publisher: str
    tag: str
    url: Optional[str] = None

    @property
    def rank(self) -> int:
        return TAG_RANK[self.tag]

    def display(self, language: str) -> str:
        """What the "Source:" line shows: the address, or the title for a source without one."""
        if self.url:
            return self.url
        return self.title.get(language) or next(iter(self.title.values()))


@dataclass(frozen=True)
class SourceRef:
    """An answer's use of a source: which one, and what on that page supports the answer."""

    source: str  # id in the registry
    supports: str = ""


@dataclass(frozen=True)
class Answer:
    """One answer, in every language, with where its facts come from.

    ``sources[0]`` is the displayed source. ``after_event`` is the text once the conference
    is over (None: the same text before, during and after).
    """

    id: str
    text: Mapping[str, str]
    sources: Sequence[SourceRef]
    subject: Optional[str] = None
    facet: Optional[str] = None
    unconfirmed: bool = False
    after_event: Optional[Mapping[str, str]] = None
    practical: bool = False
    attributed: bool = False
    # Facets this answer (a subject's own) also answers: "when was it adopted?" is in the
    # Compact's overview, which is then its answer for the facet "when".
    covers: Tuple[str, ...] = ()

    def text_for(self, after_event: bool) -> Mapping[str, str]:
        """The texts for the conference clock's side of the event."""
        if after_event and self.after_event:
            return self.after_event
        return self.text


@dataclass(frozen=True)
class Topic:
    """A topic file: the intent it answers, what it can be asked about, its answers."""

    name: str
    intent: str
    file: str
    subject_aliases: Mapping[str, str] = field(default_factory=dict)  # alias → subject
    facet_keywords: Mapping[str, str] = field(default_factory=dict)  # keyword → facet
    answers: Mapping[Tuple[Optional[str], Optional[str]], Answer] = field(default_factory=dict)
    # subject → language → how replies name it ("About IOM", "Sobre la OIM"): its ``name``, or its first alias
    subject_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Words that name the topic itself ("venue", "programme"): a question naming them
    # asks about this topic, not about the subject of the previous answer.
    anchors: FrozenSet[str] = frozenset()
    # For a topic that is one thing (the Declaration, the venue, the city): its name per
    # language. Follow-ups about it are then held to it, as about a subject.
    thing_name: Mapping[str, str] = field(default_factory=dict)
    # A subject that is also the one thing of another topic (the City of Mechelen, an
    # organiser, is the city of the "mechelen" topic): subject → that topic's name.
    subject_also: Mapping[str, str] = field(default_factory=dict)
    # For a topic without subjects (travel): words that ask a detail of its last answer
    # itself ("how long", "how far"), whatever topic the classifier guessed.
    of_last_answer: FrozenSet[str] = frozenset()

    @property
    def general(self) -> bool:
        """A topic with no subjects that is not one thing (the travel, the dates): its
        follow-ups remember the facet it last answered (bot/conversation/followup.py)."""
        return not (self.subject_aliases or self.thing_name)

    @cached_property
    def unanswered_facets(self) -> FrozenSet[str]:
        """Facets declared without an answer for anyone (the Declaration's author, length)."""
        answered = {facet for _, facet in self.answers}
        return frozenset(facet for facet in self.facet_keywords.values() if facet not in answered)

    def distinct_answers(self) -> List[Answer]:
        """Each answer once: one that covers facets is in ``answers`` under several keys."""
        return list({answer.id: answer for answer in self.answers.values()}.values())


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the actions answer from, as loaded at one moment."""

    topics_by_intent: Dict[str, Topic]
    strings: Mapping[str, Mapping[str, str]]
    sources: Mapping[str, Source] = field(default_factory=dict)

    @cached_property
    def all_subject_aliases(self) -> FrozenSet[str]:
        """Every topic's subject aliases: "does the question name any subject?" in one lookup."""
        return frozenset(alias for topic in self.topics_by_intent.values() for alias in topic.subject_aliases)

    @cached_property
    def all_facet_keywords(self) -> FrozenSet[str]:
        """Every topic's facet keywords (which aliases describe rather than name: followup.py)."""
        return frozenset(word for topic in self.topics_by_intent.values() for word in topic.facet_keywords)

    @cached_property
    def role_aliases(self) -> FrozenSet[str]:
        """Every subject alias that is also a facet keyword ("mayor", "moderated"): it
        describes a subject rather than names it (followup.py)."""
        return frozenset(
            alias
            for topic in self.topics_by_intent.values()
            for alias in topic.subject_aliases
            if alias in self.all_facet_keywords
        )

    @cached_property
    def all_answers(self) -> Tuple[Answer, ...]:
        """Every topic's answers, each once."""
        return tuple(answer for topic in self.topics_by_intent.values() for answer in topic.distinct_answers())

    def answer_count(self) -> int:
        return sum(len(topic.distinct_answers()) for topic in self.topics_by_intent.values())

    def displayed_source(self, answer: Answer) -> Optional[Source]:
        """The source an answer shows (its first), or None for an answer without one."""
        return self.sources.get(answer.sources[0].source) if answer.sources else None
