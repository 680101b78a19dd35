"""spaCy's lookup lemmas (``spacy-lookups-data``) in a few compact arrays.

spaCy keeps each lemma table as a Python dictionary from a word's hash to its lemma:
1.3 million entries for our five languages with lemma tables, about 330 MB of memory in
every process that loads them, and several seconds of start-up to read them. Here the
same entries are a sorted array of the hashes, an array of indices into the distinct
lemmas, and those lemmas as one UTF-8 string with offsets: about 25 MB, read from the
model in a fraction of a second (``LanguageAwareTokenizer`` stores them in the model
when it is trained).

A word's lemma is what spaCy's lookup lemmatizer gives: the table's entry for the word's
hash (spaCy's own ``get_string_id``; of the lower-cased word in Dutch), its first lemma
where the entry is a list, and the word itself where there is none (``tests/unit/test_lemmas.py`` compares the two on
every training example).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterable, Optional, Tuple, Union

import numpy as np
from spacy.strings import get_string_id

# Languages whose lookup lemma tables ship in spacy-lookups-data.
LEMMA_LANGUAGES = frozenset({"en", "fr", "nl", "es", "de"})
# Languages whose spaCy lemmatizer looks the lower-cased word up (spacy/lang/nl/lemmatizer.py:
# the Dutch table's keys are all lower case).
LOWER_CASE_LOOKUP = frozenset({"nl"})


@dataclass(frozen=True)
class LemmaTable:
    """One language's lemma lookup: ``hashes`` sorted, ``lemma_of[i]`` the index of the
    lemma of ``hashes[i]``, lemma ``j`` being ``text[offsets[j]:offsets[j + 1]]``; with
    ``lower_case`` the word is looked up lower-cased."""

    hashes: np.ndarray  # uint64, sorted
    lemma_of: np.ndarray  # uint32
    text: bytes  # the distinct lemmas, UTF-8, one after another
    offsets: np.ndarray  # int64, one more than there are lemmas
    lower_case: bool = False

    @classmethod
    def from_entries(cls, entries: Iterable[Tuple[int, object]], lower_case: bool = False) -> "LemmaTable":
        """From a spaCy table's items (hash → lemma, or a list of lemmas: the first counts)."""
        pairs = []
        for key, value in entries:
            lemma = value[0] if isinstance(value, list) and value else value
            if isinstance(lemma, str):
                pairs.append((int(key), lemma))
        pairs.sort()
        distinct = sorted({lemma for _, lemma in pairs})
        index = {lemma: number for number, lemma in enumerate(distinct)}
        encoded = [lemma.encode("utf-8") for lemma in distinct]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(item) for item in encoded], out=offsets[1:])
        return cls(
            hashes=np.fromiter((key for key, _ in pairs), dtype=np.uint64, count=len(pairs)),
            lemma_of=np.fromiter((index[lemma] for _, lemma in pairs), dtype=np.uint32, count=len(pairs)),
            text=b"".join(encoded),
            offsets=offsets,
            lower_case=lower_case,
        )

    @classmethod
    def from_spacy(cls, code: str) -> Optional["LemmaTable"]:
        """The table spaCy's lookup lemmatizer would use for ``code`` (None if it has none)."""
        import spacy

        if code not in LEMMA_LANGUAGES:
            return None
        nlp = spacy.blank(code)
        lemmatizer: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        spacy_logger = logging.getLogger("spacy")
        level = spacy_logger.level
        spacy_logger.setLevel(logging.WARNING)  # initialize() logs twice per language
        try:
            nlp.initialize()
        finally:
            spacy_logger.setLevel(level)
        table = lemmatizer.lookups.get_table("lemma_lookup", {})
        return cls.from_entries(table.items(), lower_case=code in LOWER_CASE_LOOKUP)

    def lemma(self, word: str) -> str:
        """The lemma spaCy's lookup gives ``word``; ``word`` itself when it has none."""
        if self.lower_case:
            word = word.lower()
        key = np.uint64(get_string_id(word))
        position = int(np.searchsorted(self.hashes, key))
        if position == len(self.hashes) or self.hashes[position] != key:
            return word
        number = int(self.lemma_of[position])
        return self.text[self.offsets[number] : self.offsets[number + 1]].decode("utf-8")

    def arrays(self, prefix: str) -> Dict[str, np.ndarray]:
        """What ``np.savez`` stores (no Python objects, so loading needs no pickle)."""
        return {
            f"{prefix}.hashes": self.hashes,
            f"{prefix}.lemma_of": self.lemma_of,
            f"{prefix}.text": np.frombuffer(self.text, dtype=np.uint8),
            f"{prefix}.offsets": self.offsets,
            f"{prefix}.lower_case": np.array([self.lower_case]),
        }

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray], prefix: str) -> "LemmaTable":
        return cls(
            hashes=arrays[f"{prefix}.hashes"],
            lemma_of=arrays[f"{prefix}.lemma_of"],
            text=arrays[f"{prefix}.text"].tobytes(),
            offsets=arrays[f"{prefix}.offsets"],
            lower_case=bool(arrays[f"{prefix}.lower_case"][0]),
        )


def save_tables(path: Path, tables: Dict[str, LemmaTable]) -> None:
    """Every language's table in one ``.npz``, its arrays named ``<language>.<array>``."""
    arrays: Dict[str, np.ndarray] = {}
    for code, table in tables.items():
        arrays.update(table.arrays(code))
    np.savez(path, **arrays)


def load_tables(source: Union[Path, BinaryIO]) -> Dict[str, LemmaTable]:
    """The tables ``save_tables`` wrote, read without pickle."""
    with np.load(source, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    return {code: LemmaTable.from_arrays(arrays, code) for code in {name.split(".", 1)[0] for name in arrays}}
