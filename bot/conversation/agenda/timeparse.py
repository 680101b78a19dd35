"""Finds time expressions in a message and normalises them, in six languages.

Attendees ask "what's on Thursday afternoon?", "à 15h ?", "om half 11", "a las 9:30",
"um 15 Uhr", "الساعة ٣". This module turns such phrases into language-neutral values
that the agenda can resolve against the conference clock:

- ``agenda_day``: ``2017-11-16`` · ``11-16`` (no year) · ``dom:16`` ("the 16th") ·
  ``weekday:4`` (ISO) · ``day:1``/``day:2``/``day:last`` · ``today``/``tomorrow``/``yesterday``
- ``agenda_part``: ``morning``/``midday``/``afternoon``/``evening``
- ``agenda_time``: ``HH:MM`` (24 h; a bare small hour such as "at 3" means 15:00)
- ``agenda_relative``: ``now``/``next``/``later``

Matching ignores case, accents and Arabic marks and accepts Arabic-Indic digits; a word
one typo away from a day or part-of-day word ("thrusday", "tomorow") still counts.
The words live in ``time_words.yml``; no Rasa imports, so both servers can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

from bot.conversation import yaml_files
from bot.conversation.text import has_arabic_letter, normalise

WORDS_FILE = Path(__file__).with_name("time_words.yml")
LANGUAGES = ("en", "fr", "nl", "es", "de", "ar")

DAY, PART, TIME, RELATIVE = "agenda_day", "agenda_part", "agenda_time", "agenda_relative"
ENTITIES = (DAY, PART, TIME, RELATIVE)

# A bare hour up to this one ("at 3", "الساعة ٣") means the afternoon: sessions run by day.
AFTERNOON_UNTIL_HOUR = 7
FUZZY_MIN_LENGTH = 6
FUZZY_CACHE_SIZE = 50_000  # words already looked up

_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_SEPARATOR = r"[\s'\-]*"
WORD_START = r"(?<!\w)"


@dataclass(frozen=True)
class Mention:
    """One time expression: the entity it fills, its normalised value, where it is."""

    entity: str
    value: str
    start: int
    end: int
    text: str


def fold(text: str) -> Tuple[str, List[int]]:
    """Lower-cased, accent-free text that keeps digits and punctuation, and for each
    character of it the index of the original character (so matches map back)."""
    out: List[str] = []
    index: List[int] = []
    for position, char in enumerate(text.translate(_ARABIC_DIGITS).translate(_APOSTROPHES)):
        folded = normalise(char) if char.isalpha() else char.lower()
        if char.isspace():
            folded = " "
        out.append(folded)
        index.extend([position] * len(folded))
    return "".join(out), index


def _phrase_pattern(phrase: str) -> str:
    words = [w for w in re.split(r"[\s'\-]+", fold(phrase)[0]) if w]
    body = _SEPARATOR.join(re.escape(w) for w in words)
    arabic_prefix = "[وفبل]?" if has_arabic_letter(phrase) else ""
    return rf"{arabic_prefix}{body}(?!\w)"  # preceded by WORD_START (see _alternation)


@dataclass(frozen=True)
class _Lexicon:
    """The compiled word lists of one language (or of all, when the language is unknown)."""

    phrases: Pattern[str]
    meanings: Dict[str, Tuple[Tuple[str, str], ...]]  # regex group name → meaning
    known: frozenset  # every folded phrase, so a correct word is never "corrected"
    ignore: Optional[Pattern[str]]
    fuzzy: Dict[str, Tuple[Tuple[str, str], ...]]


def _alternation(phrases: Iterable[str]) -> Tuple[Pattern[str], List[str]]:
    """One regex trying the longest phrase first; group ``p<i>`` is ``ordered[i]``.

    The word-start assertion comes once, before the alternatives: inside each of them
    (hundreds with the six languages' lists) it was tried at every character of the
    message, and ``re`` can no longer skip an alternative on its first letter.
    """
    ordered = sorted(set(phrases), key=lambda p: len(fold(p)[0]), reverse=True)
    alternatives = "|".join(f"(?P<p{i}>{_phrase_pattern(p)})" for i, p in enumerate(ordered))
    pattern = re.compile(rf"{WORD_START}(?:{alternatives})")
    return pattern, ordered


@cache
def _raw() -> dict:
    return yaml_files.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def schedule_cues() -> List[str]:
    """Words asking *when/where* someone is on ("when", "quand", "متى"), all languages."""
    return [cue for words in _raw()["schedule_cues"].values() for cue in words]


@cache
def _lexicon(language: Optional[str]) -> _Lexicon:
    raw = _raw()
    languages = [language] if language in LANGUAGES else list(LANGUAGES)
    meanings: Dict[str, Tuple[Tuple[str, str], ...]] = {}
    for code in languages:
        for number, words in raw["weekday"].items():
            for word in words.get(code, []):
                meanings[word] = ((DAY, f"weekday:{number}"),)
        for phrase, pairs in raw["phrases"].get(code, {}).items():
            meanings[phrase] = tuple((entity, str(value)) for entity, value in pairs)
    pattern, ordered = _alternation(meanings)
    ignore = [p for code in languages for p in raw["ignore"].get(code, [])]
    return _Lexicon(
        phrases=pattern,
        meanings={f"p{i}": meanings[p] for i, p in enumerate(ordered)},
        known=frozenset(fold(p)[0] for p in meanings),
        ignore=_alternation(ignore)[0] if ignore else None,
        fuzzy={fold(p)[0]: m for p, m in meanings.items() if " " not in p and len(fold(p)[0]) >= FUZZY_MIN_LENGTH},
    )


@cache
def _months() -> Tuple[Pattern[str], Dict[str, int]]:
    by_word: Dict[str, int] = {}
    for number, words in _raw()["month"].items():
        for code_words in words.values():
            for word in code_words:
                by_word[fold(word)[0]] = int(number)
    names = "|".join(
        _SEPARATOR.join(re.escape(part) for part in word.split()) for word in sorted(by_word, key=len, reverse=True)
    )
    return re.compile(names), by_word


def _month_number(matched: str) -> int:
    _, by_word = _months()
    return by_word[" ".join(re.split(r"[\s'\-]+", matched.strip()))]


_HOUR_UNIT = r"(?:h|u|uur|uhr|heures?|hrs?|o'?\s?clock|oclock)"
_AMPM = r"(?P<ampm>a\.?\s?m\.?|p\.?\s?m\.?)"
_PREPOSITION = (
    r"(?:at|around|from|by|until|till|before|about|a|vers|des|avant|jusqu'a|om|rond|tegen|vanaf|"
    r"las|a las|a la|sobre las|hacia las|desde las|um|gegen|ab|bis|الساعه|ساعه)"
)
_TIME_PATTERNS: Sequence[Tuple[str, Pattern[str]]] = (
    # "half 11" / "halb 11" is 10:30 in Dutch and German.
    ("half", re.compile(r"(?<!\w)(?:half|halb)\s+(?P<h>\d{1,2})(?![\d:])")),
    ("past", re.compile(r"(?<!\w)(?P<q>half|quarter)\s+past\s+(?P<h>\d{1,2})(?![\d:])")),
    ("over", re.compile(r"(?<!\w)(?:kwart\s+over|viertel\s+nach)\s+(?P<h>\d{1,2})(?![\d:])")),
    (
        "and",
        re.compile(
            r"(?<!\w)(?:" + _PREPOSITION + r"\s+)?(?P<h>\d{1,2})\s*(?:" + _HOUR_UNIT + r"\s*)?"
            r"(?P<q>y\s+media|et\s+demie|and\s+a\s+half|y\s+cuarto|et\s+quart|و\s*النصف|و\s*الربع)(?!\w)"
        ),
    ),
    (
        "clock",
        re.compile(
            r"(?<![\d:.])(?P<h>\d{1,2})\s*[:.hu]\s*(?P<m>\d{2})(?!\d)"
            r"(?:\s*" + _AMPM + r")?(?:\s*" + _HOUR_UNIT + r"(?!\w))?"
        ),
    ),
    ("ampm", re.compile(r"(?<![\d:.])(?P<h>\d{1,2})\s*" + _AMPM + r"(?!\w)")),
    ("unit", re.compile(r"(?<![\d:.])(?P<h>\d{1,2})\s*" + _HOUR_UNIT + r"(?!\w)")),
    ("after", re.compile(r"(?<!\w)" + _PREPOSITION + r"\s+(?P<h>\d{1,2})(?![\d:.,/]|\s*(?:st|nd|rd|th)\b)")),
)
_DAY_OF_MONTH = re.compile(
    r"(?<!\w)(?:the|le|el|den|am|op\s+de|on\s+the|يوم)\s+(?P<d>\d{1,2})(?:st|nd|rd|th|e|er|eme|ste|\.)?(?![\d:])"
    r"|(?<!\w)(?P<d2>\d{1,2})(?:st|nd|rd|th|eme|ste)(?!\w)"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d:.])(?P<a>\d{1,2})(?:/(?P<b>\d{1,2})(?:/(?P<y>\d{2,4}))?|-(?P<b2>\d{1,2})(?:-(?P<y2>\d{2,4}))?"
    r"|\.(?P<b3>\d{1,2})\.(?P<y3>\d{2,4})?)(?![\d:])"
)


class _Spans:
    """Which characters of the folded text are already explained by a mention."""

    def __init__(self, length: int) -> None:
        self._taken = [False] * length

    def free(self, start: int, end: int) -> bool:
        return not any(self._taken[start:end])

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self._taken[i] = True


class _Finder:
    """Collects mentions over one message."""

    def __init__(self, text: str, language: Optional[str]) -> None:
        self.text = text
        self.folded, self._index = fold(text)
        self.spans = _Spans(len(self.folded))
        self.language = language
        self.lexicon = _lexicon(language)
        self.mentions: List[Mention] = []

    def add(self, entity: str, value: str, start: int, end: int) -> None:
        self.spans.take(start, end)
        o_start, o_end = self._index[start], self._index[end - 1] + 1
        self.mentions.append(Mention(entity, value, o_start, o_end, self.text[o_start:o_end]))

    def matches(self, pattern: Pattern[str]) -> Iterable["re.Match[str]"]:
        for match in pattern.finditer(self.folded):
            if match.end() > match.start() and self.spans.free(match.start(), match.end()):
                yield match


def _date_value(day: int, month: int, year: Optional[str]) -> Optional[str]:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return f"{full:04d}-{month:02d}-{day:02d}"
    return f"{month:02d}-{day:02d}"


@cache
def _date_patterns() -> Tuple[Pattern[str], Pattern[str]]:
    """ "3 May 2026" and "May 3, 2026" in every language (built once: a message is parsed
    on every turn)."""
    months, _ = _months()
    ordinal = r"(?:st|nd|rd|th|er|e|eme|de|ste|\.)?"
    day_month = re.compile(
        rf"(?<![\d:.])(?P<d>\d{{1,2}}){ordinal}\s*(?:of\s+|de\s+)?(?P<m>{months.pattern})(?!\w)\.?"
        r"(?:\s*(?:de\s+)?(?P<y>\d{4}))?"
    )
    month_day = re.compile(
        rf"(?<!\w)(?P<m>{months.pattern})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:,?\s*(?P<y>\d{{4}}))?"
    )
    return day_month, month_day


def _find_dates(finder: _Finder) -> None:
    for pattern in _date_patterns():
        for match in finder.matches(pattern):
            value = _date_value(int(match["d"]), _month_number(match["m"]), match["y"])
            if value:
                finder.add(DAY, value, match.start(), match.end())
    for match in finder.matches(_NUMERIC_DATE):
        first = int(match["a"])
        second = int(match["b"] or match["b2"] or match["b3"])
        year = match["y"] or match["y2"] or match["y3"]
        day, month = (second, first) if second > 12 >= first else (first, second)
        value = _date_value(day, month, year)
        if value:
            finder.add(DAY, value, match.start(), match.end())


def _hour_value(kind: str, match: "re.Match[str]") -> Optional[Tuple[int, int, Optional[str]]]:
    hour = int(match["h"])
    groups = match.groupdict()
    minute = int(groups.get("m") or 0)
    quarter = groups.get("q") or ""
    if kind == "half":
        hour, minute = hour - 1, 30
    elif kind == "over":
        minute = 15
    elif quarter:
        minute = 30 if ("half" in quarter or "media" in quarter or "demie" in quarter or "النصف" in quarter) else 15
    ampm = (groups.get("ampm") or "").replace(".", "").replace(" ", "") or None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute, ampm


@cache
def _arabic_hours() -> Tuple[Pattern[str], Dict[str, int]]:
    """ "الساعة الثالثة" (at three o'clock) and the hour of each folded number word."""
    hours = _raw()["arabic_hours"]
    words = "|".join(re.escape(fold(w)[0]) for w in sorted(hours, key=len, reverse=True))
    arabic = re.compile(rf"(?<!\w)(?:عند\s+|في\s+)?الساعه\s+(?P<w>{words})(?!\w)")
    return arabic, {fold(w)[0]: n for w, n in hours.items()}


def _find_times(finder: _Finder) -> List[Tuple[int, int, Optional[str], int, int]]:
    found = []
    for kind, pattern in _TIME_PATTERNS:
        for match in finder.matches(pattern):
            value = _hour_value(kind, match)
            if value:
                finder.spans.take(match.start(), match.end())
                found.append((*value, match.start(), match.end()))
    arabic, folded_hours = _arabic_hours()
    for match in finder.matches(arabic):
        finder.spans.take(match.start(), match.end())
        found.append((folded_hours[match["w"]], 0, None, match.start(), match.end()))
    return found


def _find_phrases(finder: _Finder) -> None:
    lexicon = finder.lexicon
    if lexicon.ignore is not None:
        for match in finder.matches(lexicon.ignore):
            finder.spans.take(match.start(), match.end())
    for match in finder.matches(lexicon.phrases):
        group = match.lastgroup  # one of the p<i> groups: every alternative is one
        if group is None:
            continue
        for entity, value in lexicon.meanings[group]:
            finder.add(entity, value, match.start(), match.end())
    for match in finder.matches(re.compile(rf"(?<!\w)\w{{{FUZZY_MIN_LENGTH},}}(?!\w)")):
        meaning = _fuzzy_meaning(finder.language, match.group(0))
        for entity, value in meaning:
            finder.add(entity, value, match.start(), match.end())


@lru_cache(maxsize=FUZZY_CACHE_SIZE)  # the edit distances to every word list entry are slow
def _fuzzy_meaning(language: Optional[str], word: str) -> Tuple[Tuple[str, str], ...]:
    lexicon = _lexicon(language)
    if word in lexicon.known:
        return ()
    allowed = 1 if len(word) < 9 else 2
    for candidate, meaning in lexicon.fuzzy.items():
        if abs(len(candidate) - len(word)) <= allowed and edit_distance(word, candidate) <= allowed:
            return meaning
    return ()


def edit_distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count once: "thrusday")."""
    previous2: List[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _find_days_of_month(finder: _Finder) -> None:
    for match in finder.matches(_DAY_OF_MONTH):
        day = int(match["d"] or match["d2"])
        if 1 <= day <= 31:
            finder.add(DAY, f"dom:{day}", match.start(), match.end())


def extract(text: str, language: Optional[str] = None) -> List[Mention]:
    """Every time expression in ``text``, in order. ``language`` (a code of the six)
    selects the word lists; unknown or None means all six."""
    finder = _Finder(text, language)
    _find_dates(finder)
    times = _find_times(finder)
    _find_phrases(finder)
    _find_days_of_month(finder)
    parts = {m.value for m in finder.mentions if m.entity == PART}
    afternoon = bool(parts & {"afternoon", "evening"})
    for hour, minute, ampm, start, end in times:
        if ampm and ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm and ampm.startswith("a") and hour == 12:
            hour = 0
        elif not ampm and hour < 12 and (afternoon or (hour <= AFTERNOON_UNTIL_HOUR and "morning" not in parts)):
            hour += 12
        finder.add(TIME, f"{hour:02d}:{minute:02d}", start, end)
    return sorted(finder.mentions, key=lambda m: (m.start, m.entity))
