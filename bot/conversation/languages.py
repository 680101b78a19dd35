"""The six conversation languages: catalogue, detection and the choice of reply language.

Everything the assistant knows about languages is decided here, so that the NLU
component (which detects), the language policy (which decides) and the actions
(which render) cannot disagree. The word lists live in ``data/languages.yml``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.language_model import LanguageModel
from bot.conversation.text import arabic_share, longest_match, normalise, word_count

LANGUAGES_FILE = PROJECT_ROOT / "data" / "languages.yml"
DEFAULT_LANGUAGE = "en"

# A detection counts as reliable (it may switch the conversation language) only when the
# message is long enough for statistics to mean something and the detector is sure.
RELIABLE_MIN_WORDS = 3
RELIABLE_MIN_CONFIDENCE = 0.5
# An explicit "in English please" is taken as a switch when the intent says so or the
# message is little more than the language's name.
EXPLICIT_MAX_WORDS = 3
# A short message that names a language but asks about the conference ("declaration in
# French?": two words besides the language's name) is a question about that language,
# not a request to switch ("en français", "auf Deutsch bitte" are).
TOPICAL_INTENT_PREFIXES = ("ask_", "faq_")
# Unsupported only when the message is long enough and clearly in another language.
UNSUPPORTED_MIN_WORDS = 3
UNSUPPORTED_MIN_CONFIDENCE = 0.6
LEXICON_MAX_WORDS = 4
# With nothing better to go on (a new conversation), a weak detection still beats English.
WEAK_MIN_CONFIDENCE = 0.3
# With the model learnt from the training examples (bot/conversation/language_model.py), a
# message of any length is reliable when the combined evidence is this sure; below it,
# the runner-up is offered when it is at least this likely.
SURE_PROBABILITY = 0.9
ALTERNATIVE_MIN_PROBABILITY = 0.1
# How much lingua's opinion counts beside the model's (a weighted geometric mean).
LINGUA_WEIGHT = 0.5
# A name as other languages write it ("Mechelen" where French writes "Malines") makes a
# language this much less likely: on a short line the name is often the best evidence
# ("Mechelen population?"), in a sentence the words still decide.
OTHER_NAME_FORM_WEIGHT = 0.2
# What carries no language: markup, addresses, numbers.
_MARKUP = re.compile(r"<[^>]*>|&[a-z]+;|https?://\S+|www\.\S+|\S+@\S+\.\S+|\d+")
_ACRONYM = re.compile(r"(?<!\w)[A-Z][A-Z0-9]{1,}(?:-[A-Z0-9]+)*(?!\w)")
# Arabic written in Latin letters ("Arabizi"), with digits for the letters Latin lacks
# (3 ع, 5 خ, 7 ح, 9 ق) inside a word: "i3lan mechelen chno" is an Arabic writer's message.
_ARABIZI = re.compile(r"(?<![^\W\d_])[^\W\d_]+[3579][^\W\d_]+(?![^\W\d_])")
# A title quoted in the message ("eine Veranstaltung namens 'Human Mobility and the Right to
# the City'") is a name, in whatever language it was given: quotes open after a space or
# at the start (not the apostrophe of "l'OIM", "what's") and close before a space,
# punctuation or the end.
_QUOTED = re.compile(r"(?:(?<=\s)|^)[\'\"«„“‘‚][^\'\"«»„“”‘’‚]+[\'\"»“”’‘](?=[\s.,!?;:؟]|$)")
# Metadata keys that carry a language hint from a channel (web widget, Telegram …).
METADATA_LANGUAGE_KEYS = ("language", "language_code", "locale")


def metadata_language(metadata: Any) -> Optional[str]:
    """The language hint in a channel's message metadata, if any."""
    if not isinstance(metadata, dict):
        return None
    for key in METADATA_LANGUAGE_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class LanguageFileError(ValueError):
    """``data/languages.yml`` is malformed; the message names the entry at fault."""


@dataclass(frozen=True)
class Language:
    """One supported language and the phrases that identify it."""

    code: str
    name: str
    lingua: str
    called: Sequence[str]
    lexicon: Sequence[str]
    letters: str = ""
    names: Sequence[str] = ()
    foreign_forms: Sequence[str] = ()  # names as others write them where this language does not
    anaphora: Sequence[str] = ()  # normalised; "-ها" is an attached ending
    doing: Sequence[str] = ()  # normalised "do that": pointing back at what an answer said to do
    details: Sequence[str] = ()  # normalised question words asking for one detail
    at_event: Sequence[str] = ()  # normalised "at the conference": what a subject did there
    joining: Sequence[str] = ()  # normalised "and": "merci, en hoe schrijf ik me in?"
    asking: Sequence[str] = ()  # normalised "information about": a greeting asking about a name
    relating: Sequence[str] = ()  # normalised "to do with": how the remembered subject relates to another

    @property
    def pointing(self) -> Tuple[str, ...]:
        """Every phrase that points back: the pronouns and "do that"."""
        return (*self.anaphora, *self.doing)


@dataclass(frozen=True)
class Catalogue:
    """The supported languages, in the order they are offered to users."""

    languages: Mapping[str, Language]
    unsupported_lingua: Sequence[str] = field(default_factory=tuple)
    neutral: Sequence[str] = field(default_factory=tuple)

    @property
    def codes(self) -> List[str]:
        return list(self.languages)

    def normalise_code(self, value: Any) -> Optional[str]:
        """A supported two-letter code for values such as ``fr``, ``fr-BE`` or ``FR_fr``."""
        if not isinstance(value, str) or len(value) < 2:
            return None
        code = value[:2].lower()
        if len(value) > 2 and value[2] not in "-_":
            return None
        return code if code in self.languages else None


def _normalised_anaphora(word: str) -> str:
    return "-" + normalise(word[1:]) if word.startswith("-") else normalise(word)


def load_catalogue(path: Path = LANGUAGES_FILE) -> Catalogue:
    """Read and validate the language file."""
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LanguageFileError(f"{path}: cannot be read: {error}") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("languages"), dict):
        raise LanguageFileError(f"{path}: needs a 'languages' mapping")
    languages: Dict[str, Language] = {}
    for code, entry in raw["languages"].items():
        where = f"{path}: languages.{code}"
        if not isinstance(entry, dict):
            raise LanguageFileError(f"{where}: must be a mapping")
        for key in ("name", "lingua", "called", "lexicon"):
            if not entry.get(key):
                raise LanguageFileError(f"{where}: '{key}' is missing or empty")
        languages[code] = Language(
            code=code,
            name=str(entry["name"]),
            lingua=str(entry["lingua"]),
            called=tuple(normalise(str(p)) for p in entry["called"]),
            lexicon=tuple(normalise(str(p)) for p in entry["lexicon"]),
            letters="".join(str(letter) for letter in entry.get("letters") or ()),
            names=tuple(str(name) for name in entry.get("names") or ()),
            foreign_forms=tuple(str(name) for name in entry.get("foreign_forms") or ()),
            anaphora=tuple(_normalised_anaphora(str(word)) for word in entry.get("anaphora") or ()),
            doing=tuple(normalise(str(phrase)) for phrase in entry.get("doing") or ()),
            details=tuple(normalise(str(word)) for word in entry.get("details") or ()),
            at_event=tuple(normalise(str(phrase)) for phrase in entry.get("at_event") or ()),
            joining=tuple(normalise(str(word)) for word in entry.get("joining") or ()),
            asking=tuple(normalise(str(phrase)) for phrase in entry.get("asking") or ()),
            relating=tuple(normalise(str(phrase)) for phrase in entry.get("relating") or ()),
        )
    neutral = tuple(str(name) for name in raw.get("neutral") or ())
    return Catalogue(languages, tuple(raw.get("unsupported") or ()), neutral)


@dataclass(frozen=True)
class Detection:
    """What one message says about its language; stored in the parse result."""

    code: Optional[str]
    confidence: float
    reliable: bool
    unsupported: bool
    words: int
    mentioned: Optional[str] = None
    lexicon: Optional[str] = None
    # The runner-up when the message could be either (offered to the user at the start).
    alternative: Optional[str] = None
    # For a message of names alone: the languages that write them so ("OIM": fr, es).
    named: Sequence[str] = ()
    # Words besides the phrase that names a language ("auf Deutsch bitte": 1).
    besides_language: int = 0
    # Asks for one detail ("¿dónde puedo leerla en inglés?"): a language it names is what
    # is asked about, not a request to be answered in it.
    asks_detail: bool = False

    def as_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "reliable": self.reliable,
            "unsupported": self.unsupported,
            "words": self.words,
            "mentioned": self.mentioned,
            "lexicon": self.lexicon,
            "alternative": self.alternative,
            "named": list(self.named),
            "besides_language": self.besides_language,
            "asks_detail": self.asks_detail,
        }


# lingua's detectors by the languages they know, built once per process: a model loaded
# again (a publish) reuses them instead of holding a second copy of their models.
_LINGUA_DETECTORS: Dict[Tuple[str, ...], Any] = {}
# The process that loaded lingua's models at start-up. lingua loads them on a thread pool
# (rayon); a process forked after that (a Sanic worker) has none of the pool's threads,
# and a detector it builds with preloading waits for them forever.
_PRELOADED_IN: List[int] = []


def lingua_detector(languages: Tuple[str, ...]) -> Any:
    """A lingua detector that knows ``languages`` (lingua's names). Its models are loaded
    now, at start-up: lingua otherwise loads them lazily while the first messages of each
    language wait (about 15 ms of CPU per message at first, and again in every Sanic
    worker; docs/performance.md). In a process forked after a preload (a Sanic worker
    loading a published model with new languages) they load lazily, on the worker's own
    thread."""
    from lingua import Language as LinguaLanguage
    from lingua import LanguageDetectorBuilder

    if languages not in _LINGUA_DETECTORS:
        builder = LanguageDetectorBuilder.from_languages(*(getattr(LinguaLanguage, name) for name in languages))
        if not _PRELOADED_IN or _PRELOADED_IN[0] == os.getpid():
            _PRELOADED_IN[:] = [os.getpid()]
            builder = builder.with_preloaded_language_models()
        _LINGUA_DETECTORS[languages] = builder.build()
    return _LINGUA_DETECTORS[languages]


def lingua_languages(catalogue: Catalogue) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """What lingua's two detectors know (lingua's names). Choosing among the six is most
    accurate with a detector that knows only them; a second, wider one tells whether a
    message is in none of them (none without other languages in the catalogue)."""
    supported = tuple(lang.lingua for lang in catalogue.languages.values())
    return supported, supported + tuple(catalogue.unsupported_lingua) if catalogue.unsupported_lingua else ()


def preload_lingua(catalogue: Catalogue) -> None:
    """Both detectors, with their models, for the ``LanguageIdentifier`` built later in
    this process (the launcher: while the model archive unpacks on the other CPU)."""
    for languages in lingua_languages(catalogue):
        if languages:
            lingua_detector(languages)


def _unaccented(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _any_of(names: Iterable[str]) -> Optional["re.Pattern[str]"]:
    """A pattern finding any of the names as whole words, longest first, in any case."""
    ordered = sorted(names, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)", re.IGNORECASE)


class LanguageIdentifier:
    """Which of the six languages a message is in.

    Evidence, strongest first: Arabic script, or Arabic in Latin letters with a digit
    inside a word ("i3lan"); a letter only one of the six writes (Spanish "¿", German
    "ß"); then, on the words left once names and acronyms are
    removed (they never decide alone: "ONU-Habitat", "CGLU", "Bart Somers"), the model
    learnt from the training examples (``LanguageModel``, when given) combined with
    lingua, weighed by how the names were written ("Mechelen" is not French).
    A message with no words of any language (markup, emoji, numbers, an address) has no
    language: the conversation keeps its own.
    """

    def __init__(self, catalogue: Catalogue, model: Optional[LanguageModel] = None) -> None:
        from lingua import Language as LinguaLanguage

        self._catalogue = catalogue
        self._model = model
        self._code_of = {getattr(LinguaLanguage, lang.lingua): code for code, lang in catalogue.languages.items()}
        supported, wide = lingua_languages(catalogue)
        self._supported = lingua_detector(supported)
        self._wide = lingua_detector(wide) if wide else None
        self._called = {phrase: code for code, lang in catalogue.languages.items() for phrase in lang.called}
        self._details = frozenset(word for lang in catalogue.languages.values() for word in lang.details)
        # A greeting several languages share ("hallo": Dutch and German) decides nothing.
        speakers: Dict[str, set] = {}
        for code, lang in catalogue.languages.items():
            for phrase in lang.lexicon:
                speakers.setdefault(phrase, set()).add(code)
        self._lexicon = {phrase: codes.pop() for phrase, codes in speakers.items() if len(codes) == 1}
        self._shared_lexicon = frozenset(phrase for phrase, codes in speakers.items() if len(codes) > 1)
        self._own_letters = {letter: code for code, lang in catalogue.languages.items() for letter in lang.letters}
        # Which languages write each name form ("OIM": French and Spanish); neutral ones none.
        self._name_languages: Dict[str, List[str]] = {name.casefold(): [] for name in catalogue.neutral}
        for code, lang in catalogue.languages.items():
            # As written and without accents: "declaration de Malines" names the French Declaration.
            for name in dict.fromkeys((*lang.names, *(_unaccented(name) for name in lang.names))):
                self._name_languages.setdefault(name.casefold(), []).append(code)
        self._names = _any_of(self._name_languages)

        self._foreign_forms = {
            code: frozenset(name.casefold() for name in lang.foreign_forms)
            for code, lang in catalogue.languages.items()
            if lang.foreign_forms
        }
        self._foreign = _any_of({name for forms in self._foreign_forms.values() for name in forms})

    def _without_names(self, text: str) -> str:
        """The message without names and acronyms, which read alike in every language.

        Works on the original text: accents are the detector's best evidence.
        """
        if self._names is not None:
            text = self._names.sub(" ", text)
        return " ".join(_ACRONYM.sub(" ", text).split())

    def _written_otherwise(self, text: str) -> List[str]:
        """The languages that write a name found in ``text`` otherwise ("Mechelen": French, Spanish)."""
        found = {match.group(0).casefold() for match in self._foreign.finditer(text)} if self._foreign else set()
        return [code for code, forms in self._foreign_forms.items() if found & forms]

    def _shared_lexicon_languages(self, normalised: str) -> List[str]:
        """The languages of a message that is only a greeting several of them share."""
        if normalised not in self._shared_lexicon:
            return []
        return [code for code, lang in self._catalogue.languages.items() if normalised in lang.lexicon]

    def _names_languages(self, text: str) -> List[str]:
        """The languages that write the names found in ``text``, most names first."""
        if self._names is None:
            return []
        votes: Dict[str, int] = {}
        for match in self._names.finditer(text):
            for code in self._name_languages.get(match.group(0).casefold(), ()):
                votes[code] = votes.get(code, 0) + 1
        order = list(self._catalogue.languages)
        return sorted(votes, key=lambda code: (-votes[code], order.index(code)))

    def _scores(self, text: str) -> Dict[str, float]:
        """P(language | text) over the six, from lingua and (when given) the learnt model."""
        lingua = {
            self._code_of[value.language]: value.value
            for value in self._supported.compute_language_confidence_values(text)
        }
        if self._model is None:
            return lingua
        learnt = self._model.probabilities(text)
        combined = {
            code: learnt.get(code, 0.0) * max(lingua.get(code, 0.0), 1e-6) ** LINGUA_WEIGHT
            for code in self._catalogue.languages
        }
        total = sum(combined.values()) or 1.0
        return {code: value / total for code, value in combined.items()}

    def detect(self, text: str) -> Detection:
        detection = self._detect(text)
        if detection.mentioned is None:
            return detection
        normalised = normalise(text)
        phrase = longest_match(normalised, self._called) or ""
        return replace(
            detection,
            besides_language=max(0, word_count(text) - len(phrase.split())),
            asks_detail=longest_match(normalised, self._details) is not None,
        )

    def _detect(self, text: str) -> Detection:
        normalised = normalise(text)
        mentioned_phrase = longest_match(normalised, self._called)
        mentioned = self._called.get(mentioned_phrase) if mentioned_phrase else None
        content = " ".join(_MARKUP.sub(" ", text).split())
        words = word_count(content)
        lexicon_phrase = longest_match(normalised, self._lexicon) if words <= LEXICON_MAX_WORDS else None
        lexicon = self._lexicon.get(lexicon_phrase) if lexicon_phrase else None

        if not normalise(content) or not words:
            return Detection(None, 0.0, False, False, 0, mentioned, lexicon)
        # On the words as written: "Cities4Migration" is one word, not two once digits go.
        if arabic_share(text) >= 0.5 and "ar" in self._catalogue.languages:
            # The script alone settles it: of the six, only Arabic is written this way.
            return Detection("ar", 1.0, True, False, words, mentioned, lexicon)

        if _ARABIZI.search(text) and "ar" in self._catalogue.languages:
            return Detection("ar", 1.0, True, False, words, mentioned, lexicon)
        own = next((code for letter, code in self._own_letters.items() if letter in content), None)
        if own is not None:  # also around a name alone: "¿UCLG?" is a Spanish question
            return Detection(own, 1.0, True, False, words, mentioned, lexicon)
        named = self._names_languages(content)
        content = self._without_names(content)
        unquoted = " ".join(_QUOTED.sub(" ", content).split())
        content = unquoted if word_count(unquoted) else content  # a quoted title alone is the message
        words = word_count(content)
        if not normalise(content) or not words:
            # Nothing but names: no language, at most a hint from how they are written ("OIM").
            alternative = named[1] if len(named) > 1 else None
            return Detection(None, 0.0, False, False, 0, mentioned, lexicon, alternative, named)
        scores = self._scores(content)
        for code in self._written_otherwise(text):
            scores[code] = scores.get(code, 0.0) * OTHER_NAME_FORM_WEIGHT
        greeting = self._shared_lexicon_languages(normalise(content))
        if greeting:  # "Hallo" alone: Dutch or German, never a third language
            scores = {code: scores.get(code, 0.0) + 1e-9 for code in greeting}
        ranked = sorted(scores.items(), key=lambda item: -item[1]) + [("", 0.0)]
        (best, probability), (runner_up, second) = ranked[0], ranked[1]
        unsupported = words >= UNSUPPORTED_MIN_WORDS and lexicon is None and self._is_unsupported(content)
        total = sum(value for _, value in ranked) or 1.0  # lingua may know nothing of "Ĉ"
        probability, second = probability / total, second / total
        # A greeting or thanks alone ("merci", "Moin") never switches a conversation's
        # language; at its start the lexicon (or the offer of the other) decides.
        sure = (
            probability >= SURE_PROBABILITY
            and (self._model is not None or words >= RELIABLE_MIN_WORDS)
            and not greeting
            and normalise(content) not in self._lexicon
        )
        reliable = not unsupported and (
            sure or (words >= RELIABLE_MIN_WORDS and probability >= RELIABLE_MIN_CONFIDENCE)
        )
        alternative = runner_up or None if not sure and second >= ALTERNATIVE_MIN_PROBABILITY else None
        return Detection(best, probability, reliable, unsupported, words, mentioned, lexicon, alternative)

    def _is_unsupported(self, text: str) -> bool:
        if self._wide is None:
            return False
        scores = self._wide.compute_language_confidence_values(text)
        return bool(scores) and (
            scores[0].language not in self._code_of and scores[0].value >= UNSUPPORTED_MIN_CONFIDENCE
        )


def choose_language(
    catalogue: Catalogue,
    current: Optional[str],
    detection: Mapping[str, Any],
    intent: Optional[str],
    requested: Optional[str] = None,
    prior: Optional[str] = None,
) -> Optional[str]:
    """The conversation language after a user message.

    In order: an explicit request (a ``/set_language`` payload, or "in English please", but
    not a question for a detail: "where can I read it in English?");
    a reliable detection of this message; the current language (short or unclear
    messages such as "ok", "merci" or "UN-Habitat" keep it); the channel's language
    (widget setting, Telegram ``language_code``) at the start; a greeting or thanks
    word; a weak detection; the language that writes the names of a message of names
    alone ("OIM"); otherwise nothing, and replies use the English default.
    """
    requested = catalogue.normalise_code(requested)
    if requested:
        return requested
    mentioned = catalogue.normalise_code(detection.get("mentioned"))
    topical = intent is not None and intent.startswith(TOPICAL_INTENT_PREFIXES)
    besides_name = detection.get("besides_language", 99)
    short_request = detection.get("words", 99) <= EXPLICIT_MAX_WORDS and (not topical or besides_name <= 1)
    if mentioned and (intent == "set_language" or short_request) and not detection.get("asks_detail"):
        return mentioned
    if detection.get("reliable"):
        return catalogue.normalise_code(detection.get("code")) or current
    if current:
        return current
    chosen = catalogue.normalise_code(prior) or catalogue.normalise_code(detection.get("lexicon"))
    if chosen is None and detection.get("confidence", 0.0) >= WEAK_MIN_CONFIDENCE:
        chosen = catalogue.normalise_code(detection.get("code"))
    if chosen is None and detection.get("named"):
        chosen = catalogue.normalise_code(detection["named"][0])  # "¿OIM?" alone: how it is written
    return chosen
