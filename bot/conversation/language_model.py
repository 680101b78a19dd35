"""Which of the six languages a short message is in, from its letters: a naive Bayes
model over character n-grams, learnt from the assistant's own training examples.

General-purpose detectors (lingua) are trained on running text; on the two- to
five-word questions attendees start with ("Wat is UCLG?", "Was ist die IOM?") they
often pick a neighbouring language. The training examples are exactly such questions,
in each language's spelling of this domain's words, so n-gram statistics learnt from
them separate the six on a few words. Words are padded with a space on each side, so
the model learns how words start and end ("wat ", " was", " qué") as well as what
they contain.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

MAX_N = 4
SMOOTHING = 0.5
MIN_COUNT = 2  # n-grams seen once in all the data are noise for this purpose
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def words(text: str) -> List[str]:
    """The lower-cased words of ``text`` (letters only; digits and punctuation dropped)."""
    return _WORD.findall(text.lower())


def ngrams(text: str, max_n: int = MAX_N) -> Iterable[str]:
    """Character n-grams (1..max_n) of each word, padded with a space on each side, and
    each longer word whole (padded): "adres" is Dutch although its n-grams are French too."""
    for word in words(text):
        padded = f" {word} "
        for n in range(1, max_n + 1):
            for start in range(len(padded) - n + 1):
                gram = padded[start : start + n]
                if gram.strip():
                    yield gram
        if len(padded) > max_n:
            yield padded


# Evidence per word, not per n-gram: a naive Bayes sum over the ~20 n-grams of one word
# makes one word look certain ("moin" → French at 0.9999, from "moins"). The model's
# log-likelihoods are averaged over a message's n-grams and counted once per word, times
# this factor (bench/languages.py chose it on training examples held out from the model).
EVIDENCE_PER_WORD = 4.0
# A word seen whole in the examples weighs this share of its evidence; its n-grams the
# rest ("Lamot adres": Dutch, not French; bench/languages.py chose it as above).
WHOLE_WORD_SHARE = 0.5
# A word no example has (a name, a typo, a rarer word: "herfstvakantie") beside known ones
# weighs this share of a known word's evidence (bench/languages.py chose it as above).
UNKNOWN_WORD_WEIGHT = 0.5
SEEN_WORDS_KEPT = 100_000


@dataclass(frozen=True)
class LanguageModel:
    """log P(n-gram | language), the log-probability of an n-gram a language never showed,
    and the words seen in any language's examples (others — names, typos — carry no
    evidence while the message has known words)."""

    log_probs: Mapping[str, Mapping[str, float]]
    unseen: Mapping[str, float]
    known_words: frozenset = frozenset()

    @property
    def codes(self) -> List[str]:
        return sorted(self.log_probs)

    @classmethod
    def train(cls, examples: Iterable[Tuple[str, str]], min_count: int = MIN_COUNT) -> "LanguageModel":
        """From (text, language) pairs; every language gets the same prior."""
        counts: Dict[str, Counter] = defaultdict(Counter)
        known = set()
        for text, code in examples:
            counts[code].update(ngrams(text))
            known.update(words(text))
        overall: Counter = Counter()
        for per_language in counts.values():
            overall.update(per_language)
        kept = {gram for gram, count in overall.items() if count >= min_count}
        log_probs: Dict[str, Dict[str, float]] = {}
        unseen: Dict[str, float] = {}
        for code, per_language in counts.items():
            total = sum(count for gram, count in per_language.items() if gram in kept)
            denominator = total + SMOOTHING * (len(kept) + 1)
            log_probs[code] = {
                gram: math.log((count + SMOOTHING) / denominator)
                for gram, count in per_language.items()
                if gram in kept
            }
            unseen[code] = math.log(SMOOTHING / denominator)
        return cls(log_probs, unseen, frozenset(known))

    @cached_property
    def _rows(self) -> Tuple[Dict[str, Tuple[float, ...]], Tuple[float, ...]]:
        """Each n-gram's log-probabilities in every language (in ``log_probs`` order), and
        the row of an n-gram no language showed: one look-up per n-gram, not one per
        n-gram and language, on every message."""
        tables = list(self.log_probs.values())
        unseen = tuple(self.unseen[code] for code in self.log_probs)
        grams = {gram for table in tables for gram in table}
        rows = {
            gram: tuple(table.get(gram, missing) for table, missing in zip(tables, unseen, strict=True))
            for gram in grams
        }
        return rows, unseen

    @cached_property
    def _seen_words(self) -> Dict[str, Tuple[int, Tuple[float, ...]]]:
        return {}

    def _word_sums(self, word: str) -> Tuple[int, Tuple[float, ...]]:
        """One word's n-gram count and summed log-probabilities per language, kept: the
        words attendees write recur from message to message (bounded; emptied when full)."""
        found = self._seen_words.get(word)
        if found is None:
            rows, unseen = self._rows
            grams = list(ngrams(word))
            sums = tuple(sum(column) for column in zip(*(rows.get(gram, unseen) for gram in grams), strict=True))
            whole = rows.get(f" {word} ")
            if whole is not None:
                share, count = WHOLE_WORD_SHARE, len(grams)
                sums = tuple((1 - share) * total + share * count * row for total, row in zip(sums, whole, strict=True))
            found = (len(grams), sums)
            if len(self._seen_words) >= SEEN_WORDS_KEPT:
                self._seen_words.clear()
            self._seen_words[word] = found
        return found

    def evidence(self, text: str) -> List[Tuple[str, float]]:
        """The words that count, with their weight: those seen in the examples fully, the
        others by ``UNKNOWN_WORD_WEIGHT``; all fully when none was seen."""
        found = words(text)
        if not any(word in self.known_words for word in found):
            return [(word, 1.0) for word in found]
        weighted = [(word, 1.0 if word in self.known_words else UNKNOWN_WORD_WEIGHT) for word in found]
        return [(word, weight) for word, weight in weighted if weight > 0]

    def probabilities(self, text: str, per_word: Optional[float] = None) -> Dict[str, float]:
        """P(language | text) for every language; uniform when the text has no letters.
        The log-likelihoods are averaged over the counted words' n-grams (each word's
        weighed by its weight) and counted ``per_word`` times per (weighted) word."""
        per_word = EVIDENCE_PER_WORD if per_word is None else per_word
        counted = self.evidence(text)
        per_word_sums = [(weight, *self._word_sums(word)) for word, weight in counted]
        gram_count = sum(weight * count for weight, count, _ in per_word_sums)
        if not gram_count:
            return {code: 1.0 / len(self.log_probs) for code in self.log_probs}
        scale = per_word * sum(weight for weight, _, _ in per_word_sums) / gram_count
        columns = zip(*(tuple(weight * total for total in sums) for weight, _, sums in per_word_sums), strict=True)
        totals = {code: scale * sum(column) for code, column in zip(self.log_probs, columns, strict=True)}
        best = max(totals.values())
        exp = {code: math.exp(value - best) for code, value in totals.items()}
        norm = sum(exp.values())
        return {code: value / norm for code, value in exp.items()}

    def as_dict(self) -> Dict[str, Any]:
        return {
            "log_probs": {code: dict(table) for code, table in self.log_probs.items()},
            "unseen": dict(self.unseen),
            "known_words": sorted(self.known_words),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LanguageModel":
        """The stored model, ready to serve: its table of n-gram rows is built now (at
        start-up, before the Sanic workers fork, so they share it) rather than during the
        first message of each worker (~0.3 s)."""
        model = cls(
            {code: dict(table) for code, table in data["log_probs"].items()},
            dict(data["unseen"]),
            frozenset(data.get("known_words") or ()),
        )
        model._rows  # noqa: B018 - built for its side effect, the cached table
        return model
