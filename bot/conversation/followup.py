"""Follow-up questions: "Tell me about UN-Habitat" … "where is it based?".

The subject of the last answer (an organisation, a person, a process, one session of the
programme, or a topic that is one thing: the Declaration, the venue, the city) is
remembered in the conversation (the ``subject`` slot, so it works across workers and
replicas and survives a restart), as ``"<topic>:<subject>"`` ("organisers:un_habitat",
"session:opening") or ``"<topic>:"`` ("declaration:").

A later question that names no subject of any topic is answered about the remembered one
unless it names the topic the classifier chose ("where is the venue?": the topic's
``anchors``), because a question that names nothing new is, in a conversation, about what
was just said — whatever topic the classifier, which sees one message, guessed from
"when" or "where" (a dropped subject pronoun: "¿desde cuándo existe?", "wo sitzt das?"):

* a facet of the remembered topic named ("and the headquarters?", "since when?"): the
  subject's answer for it (an answer may ``cover`` facets: the Compact's overview says when
  and where it was adopted); when it has none: "about X, I don't have that" — never
  another subject's answer for the same facet;
* no facet, but pointing back ("it", "son", "zijn", "su", "sein", "ـه" …, data/languages.yml
  ``anaphora``): the subject's own answer when the intent is its topic or none was
  understood and the question asks for no one detail ("tell me more about him"), else
  "about X, I don't have that" ("how old is he?", "how many staff do they employ?": an
  overview does not answer a question for a number, a time, a place or a choice,
  data/languages.yml ``details``);
* no facet, no pointing word, understood as another topic or not at all ("¿cuántos
  miembros tiene?"), or out of scope but asking for a detail ("wie hoch ist das jährliche
  Budget?"): "about X, I don't have that".

A topic with neither subject nor one thing to be about (travel, the dates) remembers the
facet it answered ("travel::airport"): a question of that topic that names none of its
facets and asks a detail ("how many minutes is that by train?", "wie lang braucht man?"),
or names one its last answer already speaks of with a detail it declares of it ("wie lang
braucht der Zug?" after the train from Brussels), gets that answer again;
another topic's question gets it only if it asks a detail the topic declares of its last
answer (``of_last_answer``: "¿cuánto se tarda?" after the train) or mentions what is asked
("when did it open?" after the station). After the venue or the city, the travel's
answer that names them answers what they have no facet for ("kun je er parkeren?": the
Lamot car park). An FAQ question that the subject's own answer mentions is about the
subject ("haben die eine eigene Seite?" after Cités Unies France).

Words that are a facet of the remembered topic ("who was the minister?" after the
ministry) or, with a pointing word or facet, aliases that describe rather than name ("was
he mayor?") do not count as naming a new subject. A remembered session is followed up by
its card in the agenda action (time, place, people: ``session_follow_up``), also when it
asks what no session has ("will it be streamed?", read as the Wi-Fi's FAQ): the agenda
says it does not have that. A person's card in the agenda leaves the person to follow up
(``remembered_person``: "when was he elected?" after Parks Tau's sessions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.conversation.agenda.details import asks_what_no_session_has
from bot.conversation.agenda.model import Programme
from bot.conversation.agenda.query import build_query
from bot.conversation.content.model import Answer, KnowledgeBase, Topic
from bot.conversation.content.select import topic_for
from bot.conversation.faq.model import INTENT_PREFIX as FAQ_INTENT_PREFIX
from bot.conversation.languages import DEFAULT_LANGUAGE, Catalogue
from bot.conversation.mentions import asked_stems, mentioning
from bot.conversation.text import (
    contains_phrase,
    longest_match,
    normalise,
    phrase_position,
    refers_back,
    without_phrases,
)

NOT_UNDERSTOOD = "nlu_fallback"
_CLAUSE_BREAK = re.compile(r"[?¿!¡,;.…؟،]+")  # where a question's clauses end
SHOW_MORE = "show_more"  # "cuéntame más de él": pointing back, the subject's own answer
OUT_OF_SCOPE = "out_of_scope"
# "session:<id>": the last answer was one session of the programme (bot/conversation/agenda).
SESSION_TOPIC = "session"


@dataclass(frozen=True)
class Remembered:
    """The subject of the conversation's last answer; for a topic that has neither subject
    nor one thing to be about (travel, the dates), the facet it answered ("station"):
    ``"travel::station"``."""

    topic: str
    subject: Optional[str]
    facet: Optional[str] = None

    @property
    def key(self) -> str:
        return f"{self.topic}:{self.subject or ''}" + (f":{self.facet}" if self.facet else "")

    @classmethod
    def parse(cls, value: object) -> Optional["Remembered"]:
        if not isinstance(value, str) or ":" not in value:
            return None
        topic, _, rest = value.partition(":")
        subject, _, facet = rest.partition(":")
        return cls(topic, subject or None, facet or None) if topic else None

    @classmethod
    def of(cls, topic: Topic, subject: Optional[str], facet: Optional[str]) -> "Remembered":
        """What an answer about ``subject`` (and ``facet``) of ``topic`` leaves to follow up;
        the facet only counts where there is no subject and no one thing."""
        general = subject is None and not topic.thing_name
        return cls(topic.name, subject, facet if general else None)


@dataclass(frozen=True)
class FollowUp:
    """How a follow-up is answered: ``answer``, or (``answer`` None) the honest "about
    ``subject`` of ``topic``, I don't have ``facet``"."""

    topic: Topic
    subject: Optional[str]
    facet: Optional[str]
    answer: Optional[Answer]


def names_a_subject(
    kb: KnowledgeBase, question: str, facet_words: Iterable[str] = (), role_words: Iterable[str] = ()
) -> bool:
    """Whether the question names a subject of any topic (a new subject, not a follow-up);
    ``facet_words`` (the remembered topic's facet keywords) and ``role_words`` (aliases
    that describe rather than name), both normalised, are not names here."""
    # The words are the content's index keys, normalised when it loaded.
    text = without_phrases(normalise(question), (*facet_words, *role_words))
    return longest_match(text, kb.all_subject_aliases) is not None


def role_words(kb: KnowledgeBase, topic: Topic) -> List[str]:
    """The topic's aliases that are also facet words somewhere ("mayor", "Bürgermeister",
    "executive director"): they describe a subject rather than name it, so with "he" or
    a facet of the remembered subject they describe that subject, not a new one."""
    return [alias for alias in topic.subject_aliases if alias in kb.role_aliases]


@dataclass(frozen=True)
class Cues:
    """The words that make a message a follow-up, of the languages it may be in:
    ``pointing`` back ("it", "son", an attached "ـه") and asking for one ``detail`` (a
    number, a time, a place, a choice: "how many", "combien", "welche", "كم")."""

    pointing: Tuple[str, ...]
    details: Tuple[str, ...] = ()
    at_event: Tuple[str, ...] = ()  # "at the conference": what the subject did there
    doing: Tuple[str, ...] = ()  # "do that" (also among ``pointing``): what the last answer said to do
    relating: Tuple[str, ...] = ()  # "to do with": how the remembered subject relates to another


def cues(catalogue: Catalogue, *languages: Optional[str]) -> Cues:
    """The cues of the conversation's language and of the message's own: a German
    follow-up in a conversation that began in English ("wie alt ist er?") points back with
    German words, and the conversation's language changes only with it."""
    codes = [code for code in dict.fromkeys(languages) if code is not None and code in catalogue.languages]
    chosen = [catalogue.languages[code] for code in codes] or [catalogue.languages[DEFAULT_LANGUAGE]]
    return Cues(
        tuple(word for language in chosen for word in language.pointing),
        tuple(word for language in chosen for word in language.details),
        tuple(phrase for language in chosen for phrase in language.at_event),
        tuple(phrase for language in chosen for phrase in language.doing),
        tuple(phrase for language in chosen for phrase in language.relating),
    )


def message_language(parse_data: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The language the detector gave the message (bot/plugins/components/language_detector.py)."""
    detected = (parse_data or {}).get("language")
    return detected.get("code") if isinstance(detected, Mapping) else None


def topic_by_name(kb: KnowledgeBase, name: str) -> Optional[Topic]:
    return next((topic for topic in kb.topics_by_intent.values() if topic.name == name), None)


def follow_up(
    kb: KnowledgeBase,
    intent: Optional[str],
    question: str,
    remembered: Optional[Remembered],
    words: Cues,
) -> Optional[FollowUp]:
    """The answer about the remembered subject, or None when the question is not a follow-up."""
    topic = topic_by_name(kb, remembered.topic) if remembered is not None else None
    if remembered is None or topic is None:
        return None
    text = normalise(question)
    facet_word = asked_facet(topic, remembered.subject, text)
    pointing_back = refers_back(question, words.pointing)
    describing = role_words(kb, topic) if (pointing_back or facet_word) and remembered.subject else ()
    facet = topic.facet_keywords[facet_word] if facet_word else None
    answered = facet is not None and (remembered.subject, facet) in topic.answers
    # "did UN-Habitat sign it?", "gibt's dort ein Hotel?", "how much to rent it for our own
    # event?": pointing back for a facet of the remembered subject (answered or declared
    # without an answer); the other subject or topic named is part of the facet. So is
    # one the subject's own answer names ("elle dirigeait déjà ONU-Habitat ?" after Sharif).
    held = pointing_back and (
        answered
        or facet in topic.unanswered_facets
        or _named_in_own_answer(kb, topic, remembered.subject, text, (*topic.facet_keywords, *describing))
    )
    if facet_word in words.details and not held and _names_facet_of_asked(kb, intent, topic, text, words.details):
        # "¿dónde me registro?" after the city: "where" of the registration the classifier
        # read, not the city's location
        return None
    if _part_in_the_event(kb, topic, remembered, facet, pointing_back, question, text, words, describing):
        # "what did they run at the conference?" after UCLG-CISDP, "Wann hat er bei der
        # Konferenz gesprochen?" after Parks Tau: the subject's own answer says its part
        return FollowUp(topic, remembered.subject, None, topic.answers.get((remembered.subject, None)))
    if facet is None and _relating_to_another(kb, topic, remembered, text, words):
        # "quel rapport avec le pacte mondial ?", "was hat die mit dem Migrationspakt zu tun?"
        # after the New York Declaration: not the Compact's answer, but the Declaration's,
        # which says how the two relate
        return FollowUp(topic, remembered.subject, None, topic.answers.get((remembered.subject, None)))
    if facet is None and topic.thing_name:
        general = _general_topic_follow_up(kb, intent, topic, text, words.details)
        if general is not None:
            # "kun je er parkeren?" after the venue: the travel answer on parking there (the
            # classifier's, when it chose the travel); "faut-il un visa ?" after the city
            return None if general.topic is kb.topics_by_intent.get(intent or "") else general
    if names_a_subject(kb, question, topic.facet_keywords, describing) and not held:
        return None
    if remembered.subject is not None and not answered:
        thing = _as_thing(kb, topic, remembered.subject, text)
        if thing is not None:
            return thing  # "why did they pick it?" after the City of Mechelen, an organiser
    faq = (intent or "").startswith(FAQ_INTENT_PREFIX)
    if faq and facet is None and _mentioning(kb, topic, remembered.subject, question, words) is None:
        return None  # "is there Wi-Fi there?" after the venue: the FAQ's practical answer
    asked_topic = kb.topics_by_intent.get(intent or "")
    same_topic = asked_topic is topic
    other_topic = asked_topic is not None and not same_topic
    if (
        other_topic
        and not held
        and _names_topic(kb, asked_topic, topic, text)
        and not _of_last_naming(topic, remembered, asked_topic, text)
        and not _own_facet_named_first(topic, remembered, facet, facet_word, asked_topic, question, words.details)
    ):
        return None  # "where is the venue?", "when is the conference?": that topic's own question
    subject = remembered.subject
    if facet is not None and _detail_of_last_answer(topic, remembered, text, facet_word or ""):
        return FollowUp(topic, None, remembered.facet, topic.answers.get((None, remembered.facet)))
    if facet is not None:
        answer = topic.answers.get((subject, facet))
        dedicated = answer is not None and answer.facet == facet  # not an overview that covers it
        if not dedicated and not pointing_back and same_topic and (None, facet) in topic.answers:
            return None  # "who organised the conference?": the topic's general answer, not one about X
        return FollowUp(topic, subject, facet, answer)  # a facet declared without an answer: none
    detail = longest_match(text, words.details) is not None  # "how many", "quand", "welche"
    if subject is None and not topic.thing_name:
        # A general topic (travel, the dates), which remembers the facet it last answered.
        if remembered.facet is None:
            return None
        last = topic.answers.get((None, remembered.facet))
        if same_topic:
            # The classifier's topic stands, unless the question names none of its facets
            # and asks a detail of, or points back at, the last answer ("how many minutes
            # is that by train?" after the airport, "wie lang braucht man ungefähr?"; not
            # "how do I get there?").
            pointing_only = pointing_back and longest_match(text, topic.anchors) is None
            of_last = longest_match(text, topic.of_last_answer) is not None
            return FollowUp(topic, None, remembered.facet, last) if detail or pointing_only or of_last else None
        # Another topic's question, or none ("How far is it, in km?" after the cities that
        # took part): the last answer only if it asks a detail of it the topic declares
        # ("¿cuánto se tarda?" after the train from Brussels) or mentions what is asked.
        of_last = longest_match(text, topic.of_last_answer) is not None
        if of_last and (
            not _names_topic(kb, asked_topic, topic, text) or _of_last_naming(topic, remembered, asked_topic, text)
        ):
            return FollowUp(topic, None, remembered.facet, last)
        if longest_match(text, words.doing) is not None and not asked_stems(
            question, (*words.pointing, *words.details)
        ):
            # "where do I do that?", "Wo geht das?" after the registration: pointing back at
            # what the last answer said to do, asking nothing else (the classifier's venue
            # has no word here); not "how far is it?", a detail the last answer is silent on
            return FollowUp(topic, None, remembered.facet, last)
        return _about_last_answer(kb, topic, remembered.facet, last, question, words)
    if pointing_back:
        own = topic.answers.get((subject, None))
        if (same_topic or intent in (NOT_UNDERSTOOD, SHOW_MORE)) and not detail:
            return FollowUp(topic, subject, None, own)  # "tell me more about him"
        # "how old is he?": not another subject's answer; "who opened it?": the overview saying so
        return FollowUp(topic, subject, None, _mentioning(kb, topic, subject, question, words))
    if intent == NOT_UNDERSTOOD or other_topic or faq or (intent == OUT_OF_SCOPE and detail):
        # "¿cuántos miembros tiene?" (the subject pronoun dropped) read as another topic's
        # question although it names nothing of that topic: not that topic's answer; "haben
        # die eine eigene Seite?" read as the FAQ's website, which the subject's answer gives.
        return FollowUp(topic, subject, None, _mentioning(kb, topic, subject, question, words))
    return None


def _part_in_the_event(
    kb: KnowledgeBase,
    topic: Topic,
    remembered: Remembered,
    facet: Optional[str],
    pointing_back: bool,
    question: str,
    text: str,
    words: Cues,
    describing: Sequence[str],
) -> bool:
    """Whether the question points back at the remembered subject and asks, naming no facet
    and no other subject, about its part in the conference ("at the conference", "met de
    conferentie te maken"): the classifier reads the conference word as the dates' or the
    aim's question, but what the subject did there is what its own answer says."""
    return (
        pointing_back
        and facet is None
        and remembered.subject is not None
        and (remembered.subject, None) in topic.answers
        and longest_match(text, words.at_event) is not None
        and not names_a_subject(kb, question, topic.facet_keywords, describing)
    )


def _own_facet_named_first(
    topic: Topic,
    remembered: Remembered,
    facet: Optional[str],
    facet_word: Optional[str],
    asked: Optional[Topic],
    question: str,
    question_words: Sequence[str],
) -> bool:
    """Whether the question asks, in a clause before the one naming the classifier's topic,
    for a facet of the remembered one that has an answer: "¿y cómo estaba organizada?
    sesiones, eventos paralelos…" after the dates asks for their format; the sessions and
    side events after it say what format means. Not "what is the address of the venue?"
    (one clause: the venue's address), nor a question word."""
    if facet is None or facet_word is None or facet_word in question_words or asked is None:
        return False
    if (remembered.subject, facet) not in topic.answers and (None, facet) not in topic.answers:
        return False
    clauses = [normalise(clause) for clause in _CLAUSE_BREAK.split(question)]
    facet_in = next((n for n, clause in enumerate(clauses) if contains_phrase(clause, facet_word)), None)
    anchor_in = next((n for n, clause in enumerate(clauses) if longest_match(clause, asked.anchors)), None)
    return facet_in is not None and anchor_in is not None and facet_in < anchor_in


def _names_facet_of_asked(
    kb: KnowledgeBase, intent: Optional[str], remembered: Topic, text: str, question_words: Sequence[str]
) -> bool:
    """Whether the question names, besides a question word, an answered facet of the other
    general topic the classifier chose (the registration of the dates); not of a topic with
    subjects or one thing ("¿dónde se adoptó?" after the Compact read as the Declaration's)."""
    asked = kb.topics_by_intent.get(intent or "")
    if asked is None or asked is remembered or not asked.general:
        return False
    word = longest_match(text, asked.facet_keywords)
    return word is not None and word not in question_words and asked.facet_keywords[word] not in asked.unanswered_facets


def _relating_to_another(kb: KnowledgeBase, topic: Topic, remembered: Remembered, text: str, words: Cues) -> bool:
    """Whether the question asks how the remembered subject relates to another subject it
    names after the relating words ("what does it have to do with the Compact?") or after
    pointing back ("was hat die mit dem Migrationspakt zu tun?"); not "what does UN-Habitat
    have to do with it?", which asks about UN-Habitat."""
    if remembered.subject is None or (remembered.subject, None) not in topic.answers:
        return False
    relation = longest_match(text, words.relating)
    named = longest_match(text, kb.all_subject_aliases)
    if relation is None or named is None or topic.subject_aliases.get(named) == remembered.subject:
        return False
    named_at = phrase_position(text, named)
    if named_at is None:
        return True  # attached to a preposition (Arabic "بالميثاق"): after what relates it
    before = [phrase_position(text, phrase) for phrase in (relation, *words.pointing)]
    return any(at is not None and at < named_at for at in before)


def _detail_of_last_answer(topic: Topic, remembered: Remembered, text: str, facet_word: str) -> bool:
    """Whether a general topic's question asks a detail of its last answer (``of_last_answer``)
    about something that answer already says: "wie lang braucht der Zug?" after the train
    from Brussels is that answer's journey time, not the trains' overview."""
    last = _general_last_answer(topic, remembered)
    if last is None or topic.facet_keywords.get(facet_word) == remembered.facet:
        return False
    return longest_match(text, topic.of_last_answer) is not None and contains_phrase(_said(last), facet_word)


def _general_topic_follow_up(
    kb: KnowledgeBase, intent: Optional[str], remembered: Topic, text: str, question_words: Sequence[str] = ()
) -> Optional[FollowUp]:
    """A general topic's answer (the travel, the dates: no subjects, not one thing) for a
    facet the question names, which the remembered thing has none for: the classifier's
    topic when its answer for the facet names the thing (parking at the venue, the station
    of the city; "how much is the rent?" after the venue is not the registration fee), or
    when the classifier chose no topic, another general topic whose answers speak of the
    thing ("faut-il un visa ?" after the city, read as out of scope: the travel's visa answer)."""
    asked = kb.topics_by_intent.get(intent or "")
    general = [t for t in kb.topics_by_intent.values() if t is not remembered and t.general]
    # Another general topic only when the classifier chose none ("le budget annuel de la
    # ville ?" read as the participants is not their cities)
    candidates = [asked] if asked in general else general if asked is None else []
    for candidate in candidates:
        word = longest_match(text, candidate.facet_keywords)
        if word is not None and candidate is not asked and word in question_words:
            continue  # "كم كيلو المسافة؟" after the city: a question word is no other topic's facet
        facet = candidate.facet_keywords[word] if word is not None else None
        answer = candidate.answers.get((None, facet)) if facet is not None else None
        if answer is None:
            continue
        said = _said(answer) if candidate is asked else normalise(" ".join(_all_texts(candidate)))
        if any(contains_phrase(said, anchor) for anchor in remembered.anchors):
            return FollowUp(candidate, None, facet, answer)
    return None


def _all_texts(topic: Topic) -> List[str]:
    return [text for answer in topic.distinct_answers() for text in answer.text.values()]


def _of_last_naming(topic: Topic, remembered: Remembered, asked: Optional[Topic], text: str) -> bool:
    """Whether a general topic's question asks a detail of its last answer (``of_last_answer``)
    naming what that answer names by an anchor of the classifier's topic: "et de là jusqu'à
    Malines, c'est long ?" after the airport goes where the answer goes, it is not the
    city's own question."""
    last = _general_last_answer(topic, remembered)
    anchor = longest_match(text, asked.anchors) if asked is not None else None
    if last is None or anchor is None or longest_match(text, topic.of_last_answer) is None:
        return False
    return contains_phrase(_said(last), anchor)


def _named_in_own_answer(
    kb: KnowledgeBase, topic: Topic, subject: Optional[str], text: str, ignored: Sequence[str]
) -> bool:
    """Whether the subject the question names is one the remembered subject's own answer names."""
    own = topic.answers.get((subject, None)) if subject is not None else None
    named = longest_match(without_phrases(text, ignored), kb.all_subject_aliases)
    return own is not None and named is not None and contains_phrase(_said(own), named)


def _general_last_answer(topic: Topic, remembered: Remembered) -> Optional[Answer]:
    """The last answer of a general topic (the travel, the dates), which remembers its facet."""
    general = remembered.subject is None and not topic.thing_name and remembered.facet is not None
    return topic.answers.get((None, remembered.facet)) if general else None


def _said(answer: Answer) -> str:
    """What an answer says, in all its languages, normalised: what a question's words are found in."""
    return normalise(" ".join(answer.text.values()))


def _mentioning(
    kb: KnowledgeBase, topic: Topic, subject: Optional[str], question: str, words: Cues
) -> Optional[Answer]:
    """The subject's answer that mentions what the question asks ("combien de délégations ?":
    the meeting's overview counts them), its own first; None: "about X, I don't have that".
    The words naming the subject itself ("dieser Ausschuss") are not what is asked."""
    own = topic.answers.get((subject, None))
    answers = [*([own] if own else []), *(a for a in topic.distinct_answers() if a.subject == subject and a is not own)]
    naming = [alias for alias, named in topic.subject_aliases.items() if named == subject]
    naming = naming or list(topic.thing_name.values())
    ignored = (*words.pointing, *words.details, *naming)
    return mentioning(answers, question, ignored, kb.all_answers, kb)


def _names_topic(kb: KnowledgeBase, asked: Optional[Topic], remembered: Topic, text: str) -> bool:
    """Whether the question names the classifier's topic by one of its anchors; an anchor
    that is a facet of the remembered topic ("¿cuántos asistentes tuvo?" after the World
    Urban Forum: its attendance) does not, unless the question names a topic besides it
    ("how many participants did the conference have?")."""
    anchor = longest_match(text, asked.anchors) if asked is not None else None
    if anchor is None:
        return False
    return anchor not in remembered.facet_keywords or _names_another_topic(kb, remembered, text, anchor)


def _names_another_topic(kb: KnowledgeBase, remembered: Topic, text: str, facet_word: str) -> bool:
    """Whether, besides the facet word, the question names a topic other than the
    remembered one by an anchor ("how many participants did the conference have?")."""
    rest = f" {text} ".replace(f" {facet_word} ", " ")
    return any(longest_match(rest, topic.anchors) for topic in kb.topics_by_intent.values() if topic is not remembered)


def _about_last_answer(
    kb: KnowledgeBase, topic: Topic, facet: str, last: Optional[Answer], question: str, words: Cues
) -> Optional[FollowUp]:
    """The general topic's last answer (``last``, for ``facet``) when it mentions what the
    question asks ("when did it open?" after the station, "how many spaces?" after the car
    park), else None: with no subject to say "I don't have that" about, the classifier's
    answer stands."""
    if last is None:
        return None
    answer = mentioning([last], question, (*words.pointing, *words.details), kb.all_answers, kb, shared_count=True)
    return FollowUp(topic, None, facet, answer) if answer is not None else None


def asked_facet(topic: Topic, subject: Optional[str], text: str, tries: int = 3) -> Optional[str]:
    """The facet keyword the question asks about: the longest found, unless a shorter one
    names a facet the subject has an answer for ("wann wurde er angenommen?": "angenommen"
    asks for an outcome, "wann" for the date the Compact's overview gives). A facet the
    content declares without any answer ("geschrieben": who drafted the Declaration) is
    asked as it stands: no other facet's answer stands in for it."""
    first: Optional[str] = None
    remaining = text
    for _ in range(tries):
        word = longest_match(remaining, topic.facet_keywords)
        if word is None:
            break
        first = first or word
        facet = topic.facet_keywords[word]
        if (subject, facet) in topic.answers or facet in topic.unanswered_facets:
            return word
        remaining = f" {remaining} ".replace(f" {word} ", " ").strip()
    return first


def _as_thing(kb: KnowledgeBase, topic: Topic, subject: str, text: str) -> Optional[FollowUp]:
    """The answer of the topic the subject also is (``also`` in the content) for a facet
    that topic has and the subject's own topic does not answer."""
    other = topic_by_name(kb, topic.subject_also.get(subject, ""))
    word = longest_match(text, other.facet_keywords) if other is not None else None
    if other is None or word is None:
        return None
    facet = other.facet_keywords[word]
    answer = other.answers.get((None, facet))
    return FollowUp(other, None, facet, answer) if answer is not None else None


def session_follow_up(
    kb: KnowledgeBase,
    programme: Programme,
    intent: Optional[str],
    question: str,
    remembered: Optional[Remembered],
    words: Cues,
    entities: Sequence[Mapping[str, Any]] = (),
) -> Optional[str]:
    """The remembered session's id when the question asks about it ("what time did it
    start?", "who spoke there?"), or None. The session's card answers it: it has the
    time, the place, the people and the description."""
    if remembered is None or remembered.topic != SESSION_TOPIC or remembered.subject is None:
        return None
    # "who moderated?": a role ("moderated" is Boussraoui's) describes the session's people
    if programme.session(remembered.subject) is None or names_a_subject(kb, question, (), kb.role_aliases):
        return None
    query = build_query(programme, question, entities)
    if query.sessions or query.person or query.topic or query.has_time:
        return None  # names another session, a person, a theme or a time: the agenda's own question
    asked_topic = kb.topics_by_intent.get(intent or "")
    if asked_topic is not None and longest_match(normalise(question), asked_topic.anchors):
        return None  # "where is the venue?"
    if asked_topic is not None or intent == NOT_UNDERSTOOD or refers_back(question, words.pointing):
        return remembered.subject
    if asks_what_no_session_has(question):
        return remembered.subject  # "¿la van a transmitir en vivo?" read as the Wi-Fi's FAQ
    return None


def session_named_first(kb: KnowledgeBase, programme: Programme, intent: Optional[str], text: str) -> Optional[str]:
    """The one session a message opens with, before anything of the classifier's topic:
    "closing session + adoption of the declaration", "de slotsessie met de goedkeuring van
    de verklaring" are about the session (its card), not the Declaration it adopted, also
    when the classifier gave no intent (then the topic is the one the message names)."""
    topic = kb.topics_by_intent.get(intent or "") or (topic_for(kb, None, text) if intent == NOT_UNDERSTOOD else None)
    if topic is None:
        return None
    normalised = normalise(text)
    session_at = _first_position(normalised, programme.session_aliases)
    # The session opens the message (an article at most before it): "what are the key
    # elements of the declaration" asks the Declaration, whatever session "key elements" names.
    if session_at is None or len(normalised[:session_at].split()) > 1:
        return None
    names = [*topic.anchors, *topic.subject_aliases, *(normalise(name) for name in topic.thing_name.values())]
    topic_at = _first_position(normalised, names)
    if topic_at is None or session_at >= topic_at:
        return None
    sessions = build_query(programme, text, ()).sessions
    return sessions[0] if len(sessions) == 1 else None


def _first_position(text: str, phrases: Iterable[str]) -> Optional[int]:
    found = [at for at in (phrase_position(text, phrase) for phrase in phrases) if at is not None]
    return min(found) if found else None


def remembered_person(kb: KnowledgeBase, aliases: Iterable[str]) -> Optional[Remembered]:
    """What an agenda answer about a person of the programme leaves to follow up: that
    person as a subject of the content ("Parks Tau" is the speakers' "tau"), so "when was
    he elected?" after their card is about them; None when the content has no such subject."""
    for alias in aliases:
        for topic in kb.topics_by_intent.values():
            subject = topic.subject_aliases.get(normalise(alias))
            if subject is not None:
                return Remembered.of(topic, subject, None)
    return None


def answer_key(result: FollowUp) -> Tuple[str, Optional[str], Optional[str]]:
    return result.topic.name, result.subject, result.facet


def subject_name(topic: Topic, subject: Optional[str], language: str) -> Optional[str]:
    """How replies in ``language`` name the subject ("la OIM", "Bart Somers"), or the name of
    a topic that is one thing ("the Mechelen Declaration")."""
    if subject is not None:
        names = topic.subject_names.get(subject) or {}
        return names.get(language) or names.get(DEFAULT_LANGUAGE)
    return topic.thing_name.get(language)


def render_follow_up(kb: KnowledgeBase, result: FollowUp, language: Optional[str], after_event: bool) -> str:
    """The answer about the remembered subject, or "about X, I don't have that"."""
    from bot.conversation.content.select import render_answer, unknown_about, unknown_topic

    if result.answer is not None:
        return render_answer(kb, result.answer, language, after_event)
    name = subject_name(result.topic, result.subject, language or DEFAULT_LANGUAGE)
    return unknown_about(kb, name, language) if name else unknown_topic(kb, language)
