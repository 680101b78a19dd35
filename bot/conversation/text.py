"""Text normalisation shared by language detection and answer selection.

Matching must not depend on case, accents or Arabic diacritics, because attendees
type on phones ("ou a lieu", "Malines", "reunion") and organisers write keyword
lists by hand. One normaliser keeps both sides of every comparison identical.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Optional

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


ARABIC_PREFIXES = ("و", "ب", "ل", "ال", "بال", "وال", "لل")


@lru_cache(maxsize=8192)  # phrases come from fixed word lists: each is looked at once
def _has_arabic_letter(phrase: str) -> bool:
    return bool(_ARABIC_LETTER.search(phrase))


def arabic_prefixed(normalised_text: str, phrase: str) -> bool:
    """Arabic attaches و/ب/ل/ال to words; accept a phrase behind one such prefix."""
    return _prefixed_in(f" {normalised_text} ", phrase)


def _prefixed_in(padded_text: str, phrase: str) -> bool:
    return _has_arabic_letter(phrase) and any(f" {prefix}{phrase} " in padded_text for prefix in ARABIC_PREFIXES)


def longest_match(normalised_text: str, phrases: Iterable[str]) -> Optional[str]:
    """The longest of ``phrases`` (normalised) found in the text as whole words, or as an
    Arabic phrase behind a prefix (``contains_phrase``, ``arabic_prefixed``; the text is
    padded once here, not once per phrase: language detection looks up hundreds)."""
    padded = f" {normalised_text} "
    best: Optional[str] = None
    for phrase in phrases:
        if best is not None and len(phrase) <= len(best):
            continue
        if phrase and (f" {phrase} " in padded or _prefixed_in(padded, phrase)):
            best = phrase
    return best


def arabic_share(text: str) -> float:
    """Share of letters in the text that are Arabic script (0.0 when there are no letters)."""
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _ARABIC_LETTER.match(ch)) / len(letters)


def word_count(text: str) -> int:
    """Number of words, counting only tokens that contain a letter."""
    return sum(1 for token in text.split() if _LETTER.search(token))
