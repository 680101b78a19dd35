"""Reads and validates the content files; every error names the file and the entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

from bot import PROJECT_ROOT
from bot.conversation.content.model import Answer, KnowledgeBase, Topic
from bot.conversation.languages import load_catalogue
from bot.conversation.text import normalise

CONTENT_DIR = PROJECT_ROOT / "data" / "content"
STRINGS_FILE = "ui.yml"
# Every answer must exist in every language of data/languages.yml.
LANGUAGE_CODES = tuple(load_catalogue().codes)
MAX_ANSWER_CHARS = 600
REQUIRED_STRINGS = ("source_label", "unknown_topic", "content_unavailable")


class ContentError(ValueError):
    """A content file is invalid. ``problems`` lists every fault found, each located."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _texts(where: str, value: Any, problems: List[str]) -> Dict[str, str]:
    """The six language variants of one text, reporting each missing one."""
    if not isinstance(value, dict):
        problems.append(f"{where}: 'text' must map each language ({', '.join(LANGUAGE_CODES)}) to a text")
        return {}
    texts: Dict[str, str] = {}
    for code in LANGUAGE_CODES:
        text = value.get(code)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: the '{code}' text is missing or empty")
        elif len(text) > MAX_ANSWER_CHARS:
            problems.append(f"{where}: the '{code}' text has {len(text)} characters (at most {MAX_ANSWER_CHARS})")
        else:
            texts[code] = text.strip()
    for code in value:
        if code not in LANGUAGE_CODES:
            problems.append(f"{where}: unknown language '{code}'")
    return texts


def _phrase_index(where: str, entries: Any, key: str, problems: List[str]) -> Dict[str, str]:
    """Map each normalised alias/keyword to the subject/facet that declares it."""
    index: Dict[str, str] = {}
    if entries is None:
        return index
    if not isinstance(entries, dict):
        problems.append(f"{where}: must be a mapping of names to {{{key}: [...]}}")
        return index
    for name, entry in entries.items():
        phrases = entry.get(key) if isinstance(entry, dict) else None
        if not isinstance(phrases, list) or not phrases:
            problems.append(f"{where}.{name}: needs a non-empty '{key}' list")
            continue
        for phrase in phrases:
            normalised = normalise(str(phrase))
            if not normalised:
                continue
            owner = index.get(normalised)
            if owner is not None and owner != name:
                problems.append(f"{where}.{name}: '{phrase}' is also listed under '{owner}'")
            index[normalised] = str(name)
    return index


def _answer(
    where: str, raw: Any, subjects: Iterable[str], facets: Iterable[str], problems: List[str]
) -> Optional[Answer]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    answer_id = raw.get("id")
    if not answer_id:
        problems.append(f"{where}: 'id' is missing")
        return None
    where = f"{where} (id {answer_id})"
    texts = _texts(where, raw.get("text"), problems)
    unconfirmed = bool(raw.get("unconfirmed", False))
    sources = raw.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        problems.append(f"{where}: 'sources' must be a list of URLs")
        sources = []
    bad = [s for s in sources if not s.startswith(("http://", "https://"))]
    if bad:
        problems.append(f"{where}: sources must be http(s) URLs, not {bad}")
    if not sources and not unconfirmed:
        problems.append(f"{where}: no source (add 'sources', or mark it 'unconfirmed: true')")
    subject, facet = raw.get("subject"), raw.get("facet")
    if subject is not None and subject not in subjects:
        problems.append(f"{where}: subject '{subject}' is not declared under 'subjects'")
    if facet is not None and facet not in facets:
        problems.append(f"{where}: facet '{facet}' is not declared under 'facets'")
    return Answer(str(answer_id), texts, tuple(sources), subject, facet, unconfirmed)


def load_topic(path: Path, problems: List[str]) -> Optional[Topic]:
    """One topic file; faults are appended to ``problems``."""
    where = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        problems.append(f"{where}: not UTF-8 text ({error})")
        return None
    except yaml.YAMLError as error:
        problems.append(f"{where}: not valid YAML: {error}")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with topic, intent and answers")
        return None
    for key in ("topic", "intent", "answers"):
        if not raw.get(key):
            problems.append(f"{where}: '{key}' is missing")
    if not isinstance(raw.get("answers"), list):
        return None
    subjects_raw = raw.get("subjects") or {}
    facets_raw = raw.get("facets") or {}
    aliases = _phrase_index(f"{where}: subjects", subjects_raw, "aliases", problems)
    keywords = _phrase_index(f"{where}: facets", facets_raw, "keywords", problems)
    answers: Dict[Tuple[Optional[str], Optional[str]], Answer] = {}
    for index, raw_answer in enumerate(raw["answers"]):
        answer = _answer(f"{where}: answers[{index}]", raw_answer, subjects_raw, facets_raw, problems)
        if answer is None:
            continue
        answer_key = (answer.subject, answer.facet)
        if answer_key in answers:
            problems.append(
                f"{where}: answers '{answers[answer_key].id}' and '{answer.id}' both answer "
                f"subject={answer.subject} facet={answer.facet}"
            )
        answers[answer_key] = answer
    if (None, None) not in answers:
        problems.append(f"{where}: needs an overview answer (one without subject and facet)")
    for subject in subjects_raw if isinstance(subjects_raw, dict) else ():
        if (subject, None) not in answers:
            problems.append(f"{where}: subject '{subject}' needs an answer without a facet")
    return Topic(str(raw.get("topic")), str(raw.get("intent")), where, aliases, keywords, answers)


def load_strings(path: Path, problems: List[str]) -> Dict[str, Dict[str, str]]:
    """The interface strings (``ui.yml``)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(f"{path.name}: cannot be read: {error}")
        return {}
    strings = raw.get("strings") if isinstance(raw, dict) else None
    if not isinstance(strings, dict):
        problems.append(f"{path.name}: needs a 'strings' mapping")
        return {}
    result = {name: _texts(f"{path.name}: strings.{name}", value, problems) for name, value in strings.items()}
    for name in REQUIRED_STRINGS:
        if name not in result:
            problems.append(f"{path.name}: string '{name}' is missing")
    return result


def load_content(directory: Path = CONTENT_DIR) -> KnowledgeBase:
    """Load and validate every content file; raise ``ContentError`` listing all faults."""
    problems: List[str] = []
    topics: Dict[str, Topic] = {}
    seen_ids: Dict[str, str] = {}
    strings: Mapping[str, Mapping[str, str]] = {}
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise ContentError([f"{directory}: no content files (*.yml)"])
    for path in files:
        if path.name == STRINGS_FILE:
            strings = load_strings(path, problems)
            continue
        topic = load_topic(path, problems)
        if topic is None:
            continue
        if topic.intent in topics:
            problems.append(f"{path.name}: intent '{topic.intent}' is already answered by {topics[topic.intent].file}")
        topics[topic.intent] = topic
        for answer in topic.answers.values():
            if answer.id in seen_ids:
                problems.append(f"{path.name}: answer id '{answer.id}' is also used in {seen_ids[answer.id]}")
            seen_ids[answer.id] = path.name
    if not strings:
        problems.append(f"{directory / STRINGS_FILE}: missing")
    if problems:
        raise ContentError(problems)
    return KnowledgeBase(topics, strings)
