"""Choosing the answer to a question and rendering it in the conversation language."""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

from bot.conversation.content.model import Answer, KnowledgeBase, Topic
from bot.conversation.languages import DEFAULT_LANGUAGE
from bot.conversation.text import longest_match, normalise, phrase_position


def _named(text: str, index: Mapping[str, str]) -> Optional[str]:
    phrase = longest_match(text, index)
    return index[phrase] if phrase else None


def select_answer(topic: Topic, question: str) -> Answer:
    """The most specific answer for the subject and facet named in the question.

    Falls back from (subject, facet) to subject alone, to facet alone, to the
    topic's overview, so every question within a topic gets the best answer we have.
    """
    text = normalise(question)
    subject = _named(text, topic.subject_aliases)
    facet = _named(text, topic.facet_keywords)
    for key in ((subject, facet), (subject, None), (None, facet), (None, None)):
        if key in topic.answers:
            return topic.answers[key]
    raise KeyError(f"{topic.file}: no overview answer")  # the loader guarantees one


def unanswered_facet(topic: Topic, question: str) -> Optional[Tuple[Optional[str], str]]:
    """The subject named (or None) and the facet asked, when the question asks only for a
    facet the content declares without any answer ("is there a live stream?", "which party
    is Bart Somers in?"): the overview would answer another question, so the reply is the
    honest "I don't have that"."""
    text = normalise(question)
    word = longest_match(text, topic.facet_keywords)
    if word is None or topic.facet_keywords[word] not in topic.unanswered_facets:
        return None
    rest = f" {text} ".replace(f" {word} ", " ").strip()
    other = _named(rest, topic.facet_keywords)
    if other is not None and other not in topic.unanswered_facets:
        return None  # "when will the recording be online?": "when" has an answer; as before
    return _named(text, topic.subject_aliases), topic.facet_keywords[word]


def topic_for(kb: KnowledgeBase, intent: Optional[str], question: str) -> Optional[Topic]:
    """The topic that answers the question: the intent's, unless the question names no
    subject of it but names one of another topic ("I'd like to know more about the IOM"
    read as a question about the context: the IOM's answers are the organisers'). For an
    intent that is no topic (a fallback), the topic of the subject or thing it names, if any."""
    topic = kb.topics_by_intent.get(intent or "")
    text = normalise(question)
    if topic is not None and longest_match(text, topic.subject_aliases):
        return topic
    best: Optional[Topic] = None
    best_alias = ""
    for other in kb.topics_by_intent.values():
        alias = longest_match(text, other.subject_aliases) or ""
        if len(alias) > len(best_alias):
            best, best_alias = other, alias
    if best is not None and topic is not None and _also_the_thing(best, best_alias, topic, text):
        return topic  # "Malines, la ville hôte" read as the city: the organiser is also the city
    if best is not None and topic is not None and _thing_named_before(topic, text, best_alias):
        return topic  # "إعلان ميشلن ... بالنسبة لنا في البلدية": the Declaration, then "our municipality"
    if best is not None or topic is not None:
        return best or topic
    # Understood as no topic at all ("ميخلن", "Lamot?"): a topic that is one thing, named;
    # of several, the one named first ("Lamot in Mechelen" is about the venue).
    named = [
        (_position(text, anchor), order, other)
        for order, other in enumerate(kb.topics_by_intent.values())
        if other.thing_name and (anchor := longest_match(text, other.anchors))
    ]
    return min(named, key=lambda found: found[:2])[2] if named else None


def _also_the_thing(other: Topic, alias: str, topic: Topic, text: str) -> bool:
    """Whether the subject ``other`` names is also the one thing ``topic`` is about (the City
    of Mechelen, an organiser, is also the city) and the question asks nothing of it as
    ``other``'s subject (no facet of ``other`` besides the name)."""
    if other.subject_also.get(other.subject_aliases[alias]) != topic.name:
        return False
    rest = f" {text} ".replace(f" {alias} ", " ").strip()
    return longest_match(rest, other.facet_keywords) is None


def _thing_named_before(topic: Topic, text: str, alias: str) -> bool:
    """Whether the classifier's topic is one thing the question names (an anchor) before
    the other topic's subject: what is named first is what the question is about."""
    anchor = longest_match(text, topic.anchors) if topic.thing_name else None
    return anchor is not None and _position(text, anchor) < _position(text, alias)


def _position(text: str, phrase: str) -> int:
    """Where ``phrase`` begins in ``text``; at the end for a form found attached (Arabic)."""
    found = phrase_position(text, phrase)
    return found if found is not None else len(text)


def render_answer(kb: KnowledgeBase, answer: Answer, language: Optional[str], after_event: bool = False) -> str:
    """The answer's text in ``language`` (English if unknown) for the clock's side of the event
    (``after_event``: the conference is over), with its displayed source."""
    texts = answer.text_for(after_event)
    code = language if language is not None and language in texts else DEFAULT_LANGUAGE
    text = texts[code]
    source = kb.displayed_source(answer)
    if source is not None:
        label = kb.strings["source_label"].get(code, kb.strings["source_label"][DEFAULT_LANGUAGE])
        text = f"{text}\n{label}: {source.display(code)}"
    return text


def chosen_answer(kb: KnowledgeBase, intent: Optional[str], question: str) -> Optional[Tuple[Topic, Answer]]:
    """The topic and the answer a knowledge question gets, or None for no topic."""
    topic = topic_for(kb, intent, question)
    return (topic, select_answer(topic, question)) if topic is not None else None


def unknown_topic(kb: KnowledgeBase, language: Optional[str]) -> str:
    """The "I don't have information on that" string."""
    strings = kb.strings["unknown_topic"]
    return strings.get(language or DEFAULT_LANGUAGE, strings[DEFAULT_LANGUAGE])


def unknown_about(kb: KnowledgeBase, subject: str, language: Optional[str]) -> str:
    """ "About ``subject``, I don't have that information" (a facet, a session's detail)."""
    strings = kb.strings["unknown_facet"]
    return strings.get(language or DEFAULT_LANGUAGE, strings[DEFAULT_LANGUAGE]).format(subject=subject)


def answer_question(
    kb: KnowledgeBase, intent: Optional[str], question: str, language: Optional[str], after_event: bool = False
) -> str:
    """The reply to a knowledge question, or the "I don't know" string for unknown topics."""
    chosen = chosen_answer(kb, intent, question)
    return render_answer(kb, chosen[1], language, after_event) if chosen is not None else unknown_topic(kb, language)
