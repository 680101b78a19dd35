"""Follow-up questions: "Tell me about UN-Habitat" … "where is it based?".

The subject of the last answer (an organisation, a person, a process, the Declaration,
the venue …) is remembered in the conversation (the ``subject`` slot, so it works
across workers and replicas and survives a restart), as ``"<topic>:<subject>"``
("organisers:un_habitat") or ``"<topic>:"`` for a topic that is its own subject
("declaration:"). A later question that names no subject of any topic is a follow-up
when it names a facet of the remembered topic ("and the headquarters?") and either is
about the same topic (the intent says so), refers back with a pronoun or an adverb
("it", "son", "zijn", "su", "sein", "ـه" …, data/languages.yml ``anaphora``), or was
not understood as any topic (fallback, out of scope …: the facet is the evidence). It is
answered about the remembered subject:

* its answer for the facet the question names, when it has one;
* when it has none for that facet: "about X, I don't have that" — never another
  subject's answer for the same facet;
* when it names no facet but refers back to a named subject: the subject's own answer
  when the intent is its topic or none was understood ("tell me more about him");
  "about X, I don't have that" when the intent says it asks for something else (another
  topic, out of scope: "how old is he?") — rather than another subject's answer.

A question that names a subject starts afresh: that subject is then remembered. Words
that are a facet of the remembered topic do not count as naming a subject ("who was the
minister?" after the ministry asks for its head, although "minister" also names a speaker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Tuple

from bot.conversation.content.model import Answer, KnowledgeBase, Topic
from bot.conversation.text import longest_match, normalise

NOT_UNDERSTOOD = "nlu_fallback"


@dataclass(frozen=True)
class Remembered:
    """The subject of the conversation's last answer."""

    topic: str
    subject: Optional[str]

    @property
    def key(self) -> str:
        return f"{self.topic}:{self.subject or ''}"

    @classmethod
    def parse(cls, value: object) -> Optional["Remembered"]:
        if not isinstance(value, str) or ":" not in value:
            return None
        topic, _, subject = value.partition(":")
        return cls(topic, subject or None) if topic else None


@dataclass(frozen=True)
class FollowUp:
    """How a follow-up is answered: ``answer``, or (``answer`` None) the honest "about
    ``subject`` of ``topic``, I don't have ``facet``"."""

    topic: Topic
    subject: Optional[str]
    facet: Optional[str]
    answer: Optional[Answer]


def names_a_subject(kb: KnowledgeBase, question: str, facet_words: Iterable[str] = ()) -> bool:
    """Whether the question names a subject of any topic (a new subject, not a follow-up);
    ``facet_words`` (the remembered topic's facet keywords) are not names here."""
    text = normalise(question)
    for word in sorted((normalise(w) for w in facet_words), key=len, reverse=True):
        text = f" {text} ".replace(f" {word} ", " ").strip() if word else text
    return any(longest_match(text, topic.subject_aliases) for topic in kb.topics_by_intent.values())


def refers_back(question: str, anaphora: Iterable[str]) -> bool:
    """A pronoun or adverb that points back ("it", "son", "daar", an attached "ـه" …)."""
    text = normalise(question)
    words = text.split()
    for phrase in anaphora:
        if phrase.startswith("-"):  # an attached ending (Arabic): a word of 3+ letters ending in it
            suffix = phrase[1:]
            if any(len(word) > len(suffix) + 2 and word.endswith(suffix) for word in words):
                return True
        elif f" {phrase} " in f" {text} ":
            return True
    return False


def topic_by_name(kb: KnowledgeBase, name: str) -> Optional[Topic]:
    return next((topic for topic in kb.topics_by_intent.values() if topic.name == name), None)


def follow_up(
    kb: KnowledgeBase,
    intent: Optional[str],
    question: str,
    remembered: Optional[Remembered],
    anaphora: Iterable[str],
) -> Optional[FollowUp]:
    """The answer about the remembered subject, or None when the question is not a follow-up."""
    topic = topic_by_name(kb, remembered.topic) if remembered is not None else None
    if remembered is None or topic is None or names_a_subject(kb, question, topic.facet_keywords):
        return None
    asked_topic = kb.topics_by_intent.get(intent or "")
    same_topic = asked_topic is topic
    pointing_back = refers_back(question, anaphora)
    facet = _named(normalise(question), topic.facet_keywords)
    subject = remembered.subject
    if facet is not None and (same_topic or pointing_back or asked_topic is None):
        answer = topic.answers.get((subject, facet))
        if answer is None and not pointing_back and (None, facet) in topic.answers:
            return None  # "who organised the conference?": the topic's general answer, not one about X
        return FollowUp(topic, subject, facet, answer)
    if subject is None or not pointing_back:
        return None
    own = topic.answers.get((subject, None))
    if own is not None and (same_topic or intent == NOT_UNDERSTOOD):
        return FollowUp(topic, subject, None, own)  # "tell me more about him"
    return FollowUp(topic, subject, None, None)  # "how old is he?": not another subject's answer


def remembered_after(topic: Topic, answer: Answer) -> Remembered:
    """What the conversation remembers after ``answer``."""
    return Remembered(topic.name, answer.subject)


def _named(text: str, index: Mapping[str, str]) -> Optional[str]:
    phrase = longest_match(text, index)
    return index[phrase] if phrase else None


def answer_key(result: FollowUp) -> Tuple[str, Optional[str], Optional[str]]:
    return result.topic.name, result.subject, result.facet


def subject_name(topic: Topic, subject: Optional[str]) -> Optional[str]:
    """How the subject is written in the content (its first alias: "UN-Habitat", "Bart Somers")."""
    return topic.subject_names.get(subject) if subject is not None else None


def render_follow_up(kb: KnowledgeBase, result: FollowUp, language: Optional[str], after_event: bool) -> str:
    """The answer about the remembered subject, or "about X, I don't have that"."""
    from bot.conversation.content.select import render_answer
    from bot.conversation.languages import DEFAULT_LANGUAGE

    if result.answer is not None:
        return render_answer(kb, result.answer, language, after_event)
    name = subject_name(result.topic, result.subject)
    strings = kb.strings["unknown_facet" if name else "unknown_topic"]
    text = strings.get(language or DEFAULT_LANGUAGE, strings[DEFAULT_LANGUAGE])
    return text.format(subject=name) if name else text
