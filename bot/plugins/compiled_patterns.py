"""Regular expressions compiled once, when the model is trained, and stored with it.

spaCy's French tokenizer recognises words with hyphens and elisions ("faux-vampire",
"entr'abat") with one regular expression of 1.45 million characters, which Python
compiles every time ``spacy.lang.fr`` is imported: about 7 s of CPU, half of the Rasa
server's start-up (docs/performance.md). What Python's compiler makes of a pattern (the
engine's code, a list of integers) depends only on the pattern, the flags and the
regular-expression engine, so it can be kept: a ``PatternStore`` hands the stored code to
the engine (``_sre.compile``, the last step of ``re.compile``) and gets, in about a
millisecond, a pattern object *equal* to the one compiling gives (CPython's pattern
equality compares flags, code and pattern text). The tokens cannot differ.

``serving()`` puts the store in front of Python's compiler while spaCy builds its
pipelines (``LanguageAwareTokenizer``); whatever it does not hold is compiled as Python
compiles it, and kept, so that the next model stores it. The store belongs to one
engine: stored under another Python or engine version, it is ignored.
"""

from __future__ import annotations

import _sre
import contextlib
import json
import logging
import re
import sre_compile
import sre_parse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Tuple, Union

import numpy as np

logger = logging.getLogger(__name__)

# What the stored code is valid for: Python's version and the engine's magic number and
# code word size (the code changed in 3.11, which moved the compiler to re._compiler).
ENGINE = [*sys.version_info[:2], sre_compile.MAGIC, _sre.CODESIZE]
SUPPORTED = sys.version_info[:2] == (3, 10)
# A pattern and the flags it was compiled with: what re.compile's own cache is keyed by.
Key = Tuple[str, int]
_PYTHON_COMPILE = sre_compile.compile


@dataclass(frozen=True)
class Compiled:
    """What ``sre_compile.compile`` passes to the engine for one pattern."""

    flags: int  # the flags given, with the pattern's inline ones
    code: np.ndarray  # uint32
    groups: int
    groupindex: Dict[str, int]

    def pattern(self, source: str) -> re.Pattern:
        """The pattern object, as ``sre_compile.compile`` builds it from the same parts."""
        indexgroup: List[Any] = [None] * (self.groups + 1)
        for name, index in self.groupindex.items():
            indexgroup[index] = name
        return _sre.compile(source, self.flags, self.code.tolist(), self.groups, self.groupindex, tuple(indexgroup))


def _compiled(source: str, flags: int) -> Compiled:
    """Python's compiler, step by step (``sre_compile.compile``), keeping the parts."""
    parsed = sre_parse.parse(source, flags)
    code = sre_compile._code(parsed, flags)  # type: ignore[attr-defined]
    return Compiled(
        flags=flags | parsed.state.flags,
        code=np.array(code, dtype=np.uint32),
        groups=parsed.state.groups - 1,
        groupindex=dict(parsed.state.groupdict),
    )


class PatternStore:
    """Compiled patterns by (pattern, flags), saved to and loaded from one ``.npz``."""

    def __init__(self, entries: Union[Dict[Key, Compiled], None] = None) -> None:
        self.entries: Dict[Key, Compiled] = dict(entries or {})

    def compile(self, pattern: Any, flags: int = 0) -> "re.Pattern[Any]":
        """``sre_compile.compile``'s contract: the stored pattern, or Python's compilation
        (kept) of a text pattern; anything else (bytes, parsed patterns, debugging) goes
        to Python's compiler untouched."""
        if not isinstance(pattern, str) or flags & re.DEBUG:
            return _PYTHON_COMPILE(pattern, flags)
        entry = self.entries.get((pattern, flags))
        if entry is None:
            entry = self.entries[(pattern, flags)] = _compiled(pattern, flags)
        return entry.pattern(pattern)

    def cover(self, patterns: Iterable[re.Pattern]) -> None:
        """Keep ``patterns`` as ``re.compile(text)`` gives them, also those compiled before
        the store was serving (re.compile's own cache, a module imported earlier)."""
        for pattern in patterns:
            key = (pattern.pattern, 0)
            if isinstance(pattern.pattern, str) and key not in self.entries:
                entry = _compiled(*key)
                if entry.pattern(pattern.pattern) == pattern:
                    self.entries[key] = entry

    @contextlib.contextmanager
    def serving(self) -> Iterator["PatternStore"]:
        """Python's compiler answered from the store for the duration (e.g. while spaCy
        imports a language and builds its tokenizer); nothing changes off Python 3.10."""
        if not SUPPORTED:
            yield self
            return
        before = sre_compile.compile
        sre_compile.compile = self.compile  # type: ignore[assignment]  # the same contract
        try:
            yield self
        finally:
            sre_compile.compile = before

    def save(self, path: Path) -> None:
        """The code of every pattern in one array, the rest as JSON (loaded without pickle)."""
        keys = sorted(self.entries)
        codes = [self.entries[key].code for key in keys]
        offsets = np.zeros(len(codes) + 1, dtype=np.int64)
        np.cumsum([len(code) for code in codes], out=offsets[1:])
        described = {
            "engine": ENGINE,
            "patterns": [
                {
                    "pattern": text,
                    "given_flags": given,
                    "flags": entry.flags,
                    "groups": entry.groups,
                    "groupindex": entry.groupindex,
                }
                for (text, given), entry in ((key, self.entries[key]) for key in keys)
            ],
        }
        np.savez(
            path,
            code=np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint32),
            offsets=offsets,
            described=np.frombuffer(json.dumps(described).encode("utf-8"), dtype=np.uint8),
        )

    @classmethod
    def load(cls, path: Path) -> "PatternStore":
        """The store ``save`` wrote; an empty one for another engine (it compiles again)."""
        with np.load(path, allow_pickle=False) as stored:
            code, offsets, described = stored["code"], stored["offsets"], json.loads(stored["described"].tobytes())
        if described["engine"] != ENGINE:
            logger.info("%s was compiled for engine %s, this is %s: compiling again", path, described["engine"], ENGINE)
            return cls()
        return cls(
            {
                (item["pattern"], item["given_flags"]): Compiled(
                    item["flags"], code[offsets[number] : offsets[number + 1]], item["groups"], item["groupindex"]
                )
                for number, item in enumerate(described["patterns"])
            }
        )
