"""Whether the remembered subject's answers mention what a follow-up asks.

"Combien de délégations ?" after Puerto Vallarta names no facet the content declares, yet
the meeting's overview says "about 136 delegations"; "hoeveel doelstellingen?" after the
Compact is answered by its overview's "23 objectives". A follow-up whose words of subject
matter (not its function words: data/function_words.yml, nor the pointing and detail words
of data/languages.yml) occur in one of the subject's answers, in any language, is answered
by that answer instead of "about X, I don't have that"; words a tenth of all answers share
("cities", "mensen") say nothing about which one is meant and do not count. Words are
compared by their first letters (all but the last three, at least five), so
"délégation"/"délégations" and "Ziele"/"Zielen" meet; Arabic words also behind an
attached prefix or possessive ending ("السابق", "كلمته").
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.content.model import Answer
from bot.conversation.text import arabic_stems, normalise

FUNCTION_WORDS_FILE = PROJECT_ROOT / "data" / "function_words.yml"
STEM_LENGTH = 5  # the shortest stem compared; a longer word keeps all but its last three letters
MIN_WORD = 4  # shorter Latin words are function words or too ambiguous to match on
MIN_ARABIC_WORD = 3
# A word most answers share ("cities", "mensen", "site") says nothing about which one is
# meant: only words found in less than this share of all answers count.
MAX_SHARE = 0.1


@lru_cache(maxsize=1)
def function_words(path: Path = FUNCTION_WORDS_FILE) -> FrozenSet[str]:
    """The function words of all six languages, normalised (a follow-up may be written in
    a language other than the conversation's), less those that here are subject matter."""
    raw = yaml_files.safe_load(path.read_text(encoding="utf-8")) or {}

    def listed(key: str) -> FrozenSet[str]:
        return frozenset(normalise(str(word)) for words in (raw.get(key) or {}).values() for word in words)

    return listed("function_words") - listed("subject_matter")


def _forms(word: str, every_prefix: bool) -> Set[str]:
    """An Arabic word's forms behind a prefix or under an ending; a Latin word's first
    letters: a question's word by all but its last three (at least five), an answer's word
    (``every_prefix``) by every prefix such a stem can be."""
    if word.isdigit():
        return set()
    arabic = arabic_stems(word)
    if arabic:
        # "23 هدفًا": a counted noun takes an alif (its diacritic is normalised away)
        counted = arabic_stems(word[:-1]) if word.endswith("ا") else ()
        return {form for form in (*arabic, *counted) if len(form) >= MIN_ARABIC_WORD}
    if len(word) < MIN_WORD:
        return set()
    if every_prefix:
        return {word[:length] for length in range(MIN_WORD, len(word) + 1)}  # "open" in "opened"
    return {word[: max(STEM_LENGTH, len(word) - 3)]}


def asked_stems(question: str, cue_words: Iterable[str]) -> FrozenSet[str]:
    """The stems of the question's words of subject matter."""
    functional = function_words()
    cues = {word for cue in cue_words for word in normalise(cue).split()}
    stems: Set[str] = set()
    for word in normalise(question).split():
        forms = _forms(word, every_prefix=False)
        candidates = {word, *forms}  # "وماذا": "ماذا" behind a prefix
        if candidates.isdisjoint(functional) and candidates.isdisjoint(cues):
            stems |= forms
    return frozenset(stems)


# answer id -> (the texts the stems were taken from, the stems): a publish replaces the texts.
_ANSWER_STEMS: Dict[str, Tuple[Mapping[str, str], FrozenSet[str]]] = {}


def _answer_stems(answer: Answer) -> FrozenSet[str]:
    cached = _ANSWER_STEMS.get(answer.id)
    if cached is None or cached[0] is not answer.text:
        texts = [*answer.text.values(), *(answer.after_event or {}).values()]
        words = (word for text in texts for word in normalise(text).split())
        cached = (answer.text, frozenset(stem for word in words for stem in _forms(word, every_prefix=True)))
        _ANSWER_STEMS[answer.id] = cached
    return cached[1]


# The knowledge base the shares were counted in, and the shares.
_SHARED: List[Tuple[object, FrozenSet[str]]] = []


def _common(corpus: Sequence[Answer], owner: object) -> FrozenSet[str]:
    """The stems found in at least MAX_SHARE of the answers (counted once per knowledge base)."""
    if _SHARED and _SHARED[0][0] is owner:
        return _SHARED[0][1]
    counts = Counter(stem for answer in corpus for stem in _answer_stems(answer))
    common = frozenset(stem for stem, count in counts.items() if count >= MAX_SHARE * len(corpus))
    _SHARED[:] = [(owner, common)]
    return common


def mentioning(
    answers: Sequence[Answer],
    question: str,
    cue_words: Iterable[str],
    corpus: Sequence[Answer],
    owner: object,
    shared_count: bool = False,
) -> Optional[Answer]:
    """The answer among ``answers`` that mentions most of what the question asks, the first
    (the subject's own) on a tie; None when none mentions any of it. ``corpus`` is every
    answer (of ``owner``, the knowledge base), to leave out words most of them share,
    unless ``shared_count``: for the one answer just given ("when did it open?" after the
    station), "opened" is no less what it says for being said of other things too."""
    asked = asked_stems(question, cue_words)
    if not shared_count:
        asked -= _common(corpus, owner)
    if not asked:
        return None
    best, best_count = None, 0
    for answer in answers:
        count = len(asked & _answer_stems(answer))
        if count > best_count:
            best, best_count = answer, count
    return best
