"""The question in a message with more than one part.

"hi! where's the venue?", "where is the venue? you can mail me at … or call …",
"I land tomorrow. How do I get to Mechelen?": the intent classifier reads one text,
and a greeting, a sentence of context or contact details around the question pull it
towards the wrong intent (contact details alone made a venue question out of scope).
So the understanding works on the message's question: contact details and web
addresses are taken out (they are redacted before storage anyway), the message is cut
into sentences, and when one of several is a question, that one is kept. A short
question that points back to the sentence before it ("My colleague says the declaration
has dozens of recommendations. How many were there exactly?", "I keep seeing UCLG in
the press. What does it stand for?": a pointing word of any of the six languages,
data/languages.yml ``anaphora``) keeps that sentence too, unless it is a greeting or
thanks (a few words); a bare question ("where exactly?") keeps the sentence after it
that says what it asks ("give me the address"), unless that thanks or signs off. A
question of one sentence going on with "and" after thanks or a greeting loses them
("merci, en hoe schrijf ik me in?"); otherwise a message with one sentence, or with no
question among several, is left as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Tuple

from bot.conversation.languages import load_catalogue
from bot.conversation.redact import EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, redact_text
from bot.conversation.text import normalise, refers_back, word_count

_ADDRESS = re.compile(r"https?://\S+|www\.\S+")
# A sentence ends at ! ? … (Arabic ؟) or at a full stop after a word of three or more
# letters ("Dr. Clos", "16.11.2017" do not end one), followed by a space.
_BOUNDARY = re.compile(r"(?:(?<=[!?؟…])|(?<=[^\W\d_]{3}\.))\s+")
_QUESTION_MARKS = ("?", "؟")
SHORT_QUESTION_WORDS = 5  # "How many were there exactly?", "C'est quoi au juste ?"
CONTEXT_MIN_WORDS = 4  # shorter: "Hi!", "Merci beaucoup !", "Good morning team."
BARE_QUESTION_WORDS = 3  # "Where exactly?": the sentence after it may say what it asks


@lru_cache(maxsize=1)
def _courtesies() -> Tuple[frozenset, frozenset]:
    """Every language's greetings and thanks, and its "and" (data/languages.yml ``lexicon``
    and ``joining``), normalised."""
    languages = load_catalogue().languages.values()
    return (
        frozenset(word for language in languages for word in language.lexicon),
        frozenset(word for language in languages for word in language.joining),
    )


def _without_courtesy(text: str) -> str:
    """The question going on with "and" after thanks or a greeting ("merci, en hoe schrijf
    ik me in?"), without them: they would otherwise decide the intent (and the language).
    Without the "and" the message is left whole ("hello, anyone there?" is a greeting)."""
    lead, comma, rest = text.partition("," if "," in text else "،")
    courtesies, joining = _courtesies()
    words = normalise(rest).split()
    asks = rest.strip().endswith(_QUESTION_MARKS) and len(words) > 1 and words[0] in joining
    return rest.strip() if comma and asks and normalise(lead) in courtesies else text


@lru_cache(maxsize=1)
def _pointing_words() -> Tuple[str, ...]:
    """Every language's pointing words: the message's language is not known yet."""
    return tuple(word for language in load_catalogue().languages.values() for word in language.pointing)


def _asks_on(sentence: str) -> bool:
    """Whether a sentence after a bare question says what it asks ("وين بالضبط؟ أعطني
    العنوان", "Where exactly? Send me the address"), rather than thanking or signing off."""
    words = normalise(sentence).split()
    courtesies, _ = _courtesies()
    return len(words) >= 2 and not any(" ".join(words[:n]) in courtesies for n in (1, 2, 3))


def sentences(text: str) -> List[str]:
    return [part.strip() for part in _BOUNDARY.split(text) if part.strip(" .!?؟…¿¡")]


def without_contacts(text: str) -> str:
    """``text`` without e-mail addresses, phone numbers and web addresses."""
    text = redact_text(text).replace(EMAIL_PLACEHOLDER, " ").replace(PHONE_PLACEHOLDER, " ")
    return " ".join(_ADDRESS.sub(" ", text).split())


def question_of(text: str) -> str:
    """The part of ``text`` the assistant should answer (the whole text when it has one part)."""
    cleaned = without_contacts(text)
    parts = sentences(cleaned)
    questions = [part for part in parts if part.endswith(_QUESTION_MARKS)]
    if len(parts) > 1 and questions:
        if len(questions) > 1:
            return " ".join(questions)
        question = questions[0]
        index = parts.index(question)
        before = parts[index - 1] if index else ""
        short = word_count(question) <= SHORT_QUESTION_WORDS
        if short and word_count(before) >= CONTEXT_MIN_WORDS and refers_back(question, _pointing_words()):
            return f"{before} {question}"
        after = parts[index + 1] if index + 1 < len(parts) else ""
        if word_count(question) <= BARE_QUESTION_WORDS and _asks_on(after):
            return f"{question} {after}"
        return question
    request = " ".join(parts[1:])
    if len(parts) > 1 and normalise(parts[0]) in _courtesies()[0] and word_count(request) >= CONTEXT_MIN_WORDS:
        # "Hola! Quiero saber las fechas …": a greeting, then a request without a question
        # mark ("thanks. bye!" stays: two courtesies)
        return request
    return _without_courtesy(cleaned) if cleaned else text
