"""Text normalisation shared by language detection and answer selection.

Matching must not depend on case, accents or Arabic diacritics, because attendees
type on phones ("ou a lieu", "Malines", "reunion") and organisers write keyword
lists by hand. One normaliser keeps both sides of every comparison identical.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

# Arabic short vowels and tatweel carry no meaning for keyword matching.
_ARABIC_MARKS = re.compile("[\u064B-\u0652\u0670\u0640]")
# Alef variants are written interchangeably on phones.
_ARABIC_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
_NON_WORD = re.compile(r"[^\w]+")
_ARABIC_LETTER = re.compile("[\u0600-\u06FF]")
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


def arabic_prefixed(normalised_text: str, phrase: str) -> bool:
    """Arabic attaches و/ب/ل/ال to words; accept a phrase behind one such prefix."""
    if not _ARABIC_LETTER.search(phrase):
        return False
    for prefix in ("و", "ب", "ل", "ال", "بال", "وال", "لل"):
        if contains_phrase(normalised_text, prefix + phrase):
            return True
    return False


def longest_match(normalised_text: str, phrases: Iterable[str]) -> Optional[str]:
    """The longest of ``phrases`` (normalised) found in the text as whole words."""
    best: Optional[str] = None
    for phrase in phrases:
        if best is not None and len(phrase) <= len(best):
            continue
        if contains_phrase(normalised_text, phrase) or arabic_prefixed(normalised_text, phrase):
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
