"""Text normalisation shared by language detection and answer selection.

Matching must not depend on case, accents or Arabic diacritics, because attendees
type on phones ("ou a lieu", "Malines", "reunion") and organisers write keyword
lists by hand. One normaliser keeps both sides of every comparison identical.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

# Arabic short vowels and tatweel carry no meaning for keyword matching.
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
# Alef variants are written interchangeably on phones.
_ARABIC_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
_NON_WORD = re.compile(r"[^\w]+")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")


def normalise(text: str) -> str:
    """Lower-case, strip accents and Arabic marks, and collapse punctuation to spaces."""
    text = unicodedata.normalize("NFKD", text.casefold()).casefold()  # NFKD can produce capitals (ℇ → Ɛ)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_ALEF)
    return " ".join(_NON_WORD.sub(" ", text).split())


def contains_phrase(normalised_text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in the text as whole words (both already normalised)."""
    if not phrase:
        return False
    return f" {phrase} " in f" {normalised_text} "


def phrase_position(normalised_text: str, phrase: str) -> Optional[int]:
    """Where ``phrase`` begins in the text as whole words (both already normalised), or None."""
    if not phrase:
        return None
    found = f" {normalised_text} ".find(f" {phrase} ")
    return found if found >= 0 else None


def without_phrases(normalised_text: str, phrases: Iterable[str]) -> str:
    """The text without each of the whole-word phrases (all already normalised), longest
    first, so that "director general" goes before "director"; an Arabic phrase also where
    ``longest_match`` finds it attached ("المديرة التنفيذية" is "المدير التنفيذي" with the
    feminine ending)."""
    padded = f" {normalised_text} "
    arabic = _ARABIC_LETTER.search(normalised_text) is not None  # no attached form in a text without Arabic
    for phrase in sorted(set(phrases), key=len, reverse=True):
        if phrase:
            padded = padded.replace(f" {phrase} ", " ")
            if arabic and has_arabic_letter(phrase):
                padded = f" {_without_attached(padded.split(), phrase)} "
    return padded.strip()


def _without_attached(words: List[str], phrase: str) -> str:
    count = phrase.count(" ") + 1
    start = 0
    while start <= len(words) - count:
        if any(form == phrase for form in _attached_forms(words, start, count)):
            del words[start : start + count]
        else:
            start += 1
    return " ".join(words)


ARABIC_PREFIXES = ("و", "ب", "ل", "ال", "بال", "وال", "لل")
# Possessive endings Arabic attaches to a noun ("عنوانها": its address; "مقره": its seat),
# normalised; before one, a feminine ة is written ت ("أمانتها": its secretariat).
ARABIC_ENDINGS = ("هما", "ها", "هم", "هن", "كم", "ه")
_MIN_ARABIC_STEM = 3


@lru_cache(maxsize=8192)  # phrases come from fixed word lists: each is looked at once
def has_arabic_letter(phrase: str) -> bool:
    """Whether the phrase has a letter of the Arabic script."""
    return bool(_ARABIC_LETTER.search(phrase))


@lru_cache(maxsize=65536)
def _without_prefix(word: str) -> Tuple[str, ...]:
    """The word behind one attached Arabic prefix (و/ب/ل/ال …), if it has one."""
    if not has_arabic_letter(word):
        return ()
    return tuple(word[len(p) :] for p in ARABIC_PREFIXES if len(word) > len(p) and word.startswith(p))


@lru_cache(maxsize=65536)
def _without_ending(word: str) -> Tuple[str, ...]:
    """The noun under an attached Arabic possessive ending, without and with the article
    (a noun with a possessive takes none: "عنوانها" is "العنوان" of it)."""
    if not has_arabic_letter(word):
        return ()
    stems: List[str] = []
    for ending in ARABIC_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= _MIN_ARABIC_STEM:
            stems += [stem, stem[:-1] + "ه"] if stem.endswith("ت") else [stem]
    return tuple(dict.fromkeys([*stems, *("ال" + stem for stem in stems if not stem.startswith("ال"))]))


def arabic_stems(word: str) -> Tuple[str, ...]:
    """An Arabic word as written, behind one attached prefix and under one possessive
    ending ("وكلمته": "كلمته", "كلمه", "الكلمه"); nothing for a word of another script."""
    if not has_arabic_letter(word):
        return ()
    forms = [word, *_without_prefix(word)]
    return tuple(dict.fromkeys([*forms, *(stem for form in forms for stem in _without_ending(form))]))


def _attached_forms(words: Sequence[str], start: int, count: int) -> Iterator[str]:
    """The phrases the run of ``count`` words at ``start`` may be besides the run as
    written: its first word behind one Arabic prefix or under one possessive ending
    ("أمانتها العامة"), its last under one ending."""
    first = words[start]
    heads = [*_without_prefix(first), *_without_ending(first)]
    if count == 1:
        yield from heads
        return
    body = words[start + 1 : start + count - 1]
    last = words[start + count - 1]
    tails = _without_ending(last)
    yield from (" ".join([first, *body, tail]) for tail in tails)
    yield from (" ".join([head, *body, tail]) for head in heads for tail in (last, *tails))


def arabic_attached(normalised_text: str, phrase: str) -> bool:
    """Arabic attaches و/ب/ل/ال in front of words and possessive endings behind nouns:
    whether the phrase is in the text behind one such prefix or under one such ending."""
    if not phrase or not has_arabic_letter(phrase):
        return False
    words = normalised_text.split()
    count = phrase.count(" ") + 1
    return any(
        form == phrase for start in range(len(words) - count + 1) for form in _attached_forms(words, start, count)
    )


def longest_match(normalised_text: str, phrases: Iterable[str]) -> Optional[str]:
    """The longest of ``phrases`` (normalised) found in the text as whole words, or as an
    Arabic phrase with an attached prefix or ending (``contains_phrase``,
    ``arabic_attached``); among equally long ones, the first in ``phrases``.

    A dict or frozenset of phrases (the content's and the languages' fixed indexes,
    looked up on every message) is indexed once (``_PhraseIndex``), so a lookup costs the
    text's word sequences rather than one scan per phrase; other iterables are scanned."""
    if isinstance(phrases, (dict, frozenset)):  # (not typing.Mapping: its check is slow)
        return _index_of(phrases).longest(normalised_text.split())
    padded = f" {normalised_text} "
    best: Optional[str] = None
    for phrase in phrases:
        if best is not None and len(phrase) <= len(best):
            continue
        if phrase and (f" {phrase} " in padded or arabic_attached(normalised_text, phrase)):
            best = phrase
    return best


class _PhraseIndex:
    """The phrases of one fixed collection, for whole-word lookup of a text's word runs."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.order: Dict[str, int] = {}
        for phrase in phrases:
            if phrase and phrase not in self.order:
                self.order[phrase] = len(self.order)
        self.max_words = max((phrase.count(" ") + 1 for phrase in self.order), default=0)

    def longest(self, words: List[str]) -> Optional[str]:
        best: Optional[str] = None
        arabic = [has_arabic_letter(word) for word in words]
        for start in range(len(words)):
            for count in range(1, min(self.max_words, len(words) - start) + 1):
                phrase = " ".join(words[start : start + count])
                if phrase in self.order and self._better(phrase, best):
                    best = phrase
                if arabic[start] or arabic[start + count - 1]:
                    for form in _attached_forms(words, start, count):
                        if form in self.order and self._better(form, best):
                            best = form
        return best

    def _better(self, phrase: str, best: Optional[str]) -> bool:
        if best is None or len(phrase) > len(best):
            return True
        return len(phrase) == len(best) and self.order[phrase] < self.order[best]


# Indexes of the collections looked up; the collection is kept with its index, so that
# its id cannot be reused by another while the entry lives (a reload makes new ones: the
# cache is emptied when it is full).
_INDEXES: Dict[int, Tuple[object, _PhraseIndex]] = {}
_INDEXES_KEPT = 256
_INDEXES_LOCK = threading.Lock()


def _index_of(phrases: Union[Mapping[str, object], FrozenSet[str]]) -> _PhraseIndex:
    entry = _INDEXES.get(id(phrases))
    if entry is None or entry[0] is not phrases:
        entry = (phrases, _PhraseIndex(phrases))
        with _INDEXES_LOCK:
            if len(_INDEXES) >= _INDEXES_KEPT:
                _INDEXES.clear()
            _INDEXES[id(phrases)] = entry
    return entry[1]


def arabic_share(text: str) -> float:
    """Share of the words (tokens with a letter) written in Arabic script, 0.0 when there
    are none. Words, not letters: in "هاشتاغ Cities4Migration" the one Arabic word is the
    message's language, the long Latin name is not."""
    words = [token for token in text.split() if _LETTER.search(token)]
    if not words:
        return 0.0
    return sum(1 for word in words if _ARABIC_LETTER.search(word)) / len(words)


def word_count(text: str) -> int:
    """Number of words, counting only tokens that contain a letter."""
    return sum(1 for token in text.split() if _LETTER.search(token))


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
