"""Reads and validates the content files and the source registry; every error names the file and the entry.

The rules (docs/content.md): every answer in every language; every fact from a source of
``data/sources.yml``, referenced by id with a note of what the page says that supports the
answer; the displayed (first) source the most authoritative of the answer's sources; an
answer shown with a mirror, personal or hostile page says whose claim it is; practical
answers carry the text for after the event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.content.model import TAGS, WEAK_RANK, Answer, KnowledgeBase, Source, SourceRef, Topic
from bot.conversation.languages import load_catalogue
from bot.conversation.text import has_arabic_letter, normalise

CONTENT_DIR = PROJECT_ROOT / "data" / "content"
SOURCES_FILE_NAME = "sources.yml"
SOURCES_FILE = PROJECT_ROOT / "data" / SOURCES_FILE_NAME
STRINGS_FILE = "ui.yml"
# Every answer must exist in every language of data/languages.yml.
LANGUAGE_CODES = tuple(load_catalogue().codes)
MAX_ANSWER_CHARS = 600
REQUIRED_STRINGS = ("source_label", "unknown_topic", "unknown_facet", "content_unavailable")
ANSWER_KEYS = (
    "id",
    "subject",
    "facet",
    "covers",
    "text",
    "after_event",
    "sources",
    "unconfirmed",
    "practical",
    "attributed",
)
SOURCE_KEYS = ("title", "publisher", "tag", "url", "note")


class ContentError(ValueError):
    """A content file is invalid. ``problems`` lists every fault found, each located."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def sources_file_for(directory: Path) -> Path:
    """The source registry of a content folder: ``sources.yml`` beside it (``data/sources.yml``
    for ``data/content``), or the project's when the folder has none beside it (a copy)."""
    beside = directory.parent / SOURCES_FILE_NAME
    return beside if beside.is_file() else SOURCES_FILE


def _texts(where: str, value: Any, problems: List[str], name: str = "text") -> Dict[str, str]:
    """The six language variants of one text, reporting each missing one."""
    label = "" if name == "text" else f"{name} "
    if not isinstance(value, dict):
        problems.append(f"{where}: '{name}' must map each language ({', '.join(LANGUAGE_CODES)}) to a text")
        return {}
    texts: Dict[str, str] = {}
    for code in LANGUAGE_CODES:
        text = value.get(code)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: the '{code}' {label}text is missing or empty")
        elif len(text) > MAX_ANSWER_CHARS:
            problems.append(
                f"{where}: the '{code}' {label}text has {len(text)} characters (at most {MAX_ANSWER_CHARS})"
            )
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


def load_sources(path: Path, problems: List[str]) -> Dict[str, Source]:
    """The source registry: ``sources: {id: {title, publisher, tag, url?, note?}}``."""
    where = path.name
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"{where}: cannot be read ({error})")
        return {}
    except UnicodeDecodeError as error:
        problems.append(f"{where}: not UTF-8 text ({error})")
        return {}
    except yaml.YAMLError as error:
        problems.append(f"{where}: not valid YAML: {error}")
        return {}
    entries = raw.get("sources") if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or not entries:
        problems.append(f"{where}: needs a 'sources' mapping of ids to {{title, publisher, tag, url}}")
        return {}
    registry: Dict[str, Source] = {}
    for source_id, entry in entries.items():
        here = f"{where}: sources.{source_id}"
        if not isinstance(entry, dict):
            problems.append(f"{here}: must be a mapping with title, publisher, tag and (if it has one) url")
            continue
        for key in entry:
            if key not in SOURCE_KEYS:
                problems.append(f"{here}: unknown key '{key}' (allowed: {', '.join(SOURCE_KEYS)})")
        title = entry.get("title")
        titles: Dict[str, str] = {}
        if isinstance(title, str) and title.strip():
            titles = {code: title.strip() for code in LANGUAGE_CODES}
        elif isinstance(title, dict):
            titles = _texts(here, title, problems, "title")
        else:
            problems.append(f"{here}: 'title' is missing (a text, or one per language)")
        publisher = entry.get("publisher")
        if not isinstance(publisher, str) or not publisher.strip():
            problems.append(f"{here}: 'publisher' is missing")
            publisher = ""
        tag = entry.get("tag")
        if tag not in TAGS:
            problems.append(f"{here}: 'tag' must be one of {', '.join(TAGS)} (not {tag!r})")
        url = entry.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            problems.append(f"{here}: 'url' must be an http(s) address (leave it out for a source without one)")
            url = None
        if titles and publisher and tag in TAGS:
            registry[str(source_id)] = Source(str(source_id), titles, publisher.strip(), str(tag), url)
    return registry


def _source_refs(where: str, raw: Any, registry: Mapping[str, Source], problems: List[str]) -> List[SourceRef]:
    """An answer's ``sources``: ``[{source: <id>, supports: "…"}, …]``, the displayed one first."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{where}: 'sources' must be a list of {{source: <id>, supports: \"…\"}}")
        return []
    refs: List[SourceRef] = []
    for index, item in enumerate(raw):
        here = f"{where}: sources[{index}]"
        if not isinstance(item, dict):
            problems.append(
                f'{here}: write {{source: <id of {SOURCES_FILE_NAME}>, supports: "what the page says"}}, '
                f"not {str(item)[:60]!r}"
            )
            continue
        for key in item:
            if key not in ("source", "supports"):
                problems.append(f"{here}: unknown key '{key}' (allowed: source, supports)")
        source_id = str(item.get("source") or "")
        supports = item.get("supports")
        if not source_id:
            problems.append(f"{here}: 'source' (an id of {SOURCES_FILE_NAME}) is missing")
            continue
        if source_id not in registry:
            problems.append(f"{here}: unknown source id '{source_id}' (not in {SOURCES_FILE_NAME})")
        if any(ref.source == source_id for ref in refs):
            problems.append(f"{here}: source '{source_id}' is listed twice")
        if supports is not None and not isinstance(supports, str):
            problems.append(f"{here}: 'supports' must be a text")
            supports = None
        if index == 0 and not (supports or "").strip():
            problems.append(
                f"{here}: the displayed source '{source_id}' needs a 'supports' note "
                "(a short paraphrase of what its page says that supports this answer)"
            )
        refs.append(SourceRef(source_id, (supports or "").strip()))
    return refs


def _source_quality(
    where: str,
    refs: List[SourceRef],
    attributed: bool,
    texts: Sequence[Mapping[str, str]],
    registry: Mapping[str, Source],
    problems: List[str],
) -> None:
    """The displayed source is the best the answer has; a weak one is named in every language."""
    known = [registry[ref.source] for ref in refs if ref.source in registry]
    if not refs or refs[0].source not in registry:
        if attributed:
            problems.append(f"{where}: 'attributed: true' but no known displayed source to attribute the answer to")
        return
    shown = known[0]
    better = [source for source in known[1:] if source.rank < shown.rank]
    if better:
        problems.append(
            f"{where}: the displayed source '{shown.id}' is {shown.tag}, but '{better[0].id}' is "
            f"{better[0].tag}: put the most authoritative source first (official > press > others)"
        )
    if shown.rank >= WEAK_RANK and not attributed:
        problems.append(
            f"{where}: the displayed source '{shown.id}' is a {shown.tag} page and the answer has no official or "
            f"press source: mark it 'attributed: true' and say in every language that it is according to "
            f"{shown.publisher}"
        )
    if attributed:
        wanted = shown.publisher.casefold()
        for variant in texts:
            for code, text in variant.items():
                if wanted not in text.casefold():
                    problems.append(f"{where}: attributed, but the '{code}' text does not name '{shown.publisher}'")


def _flag(where: str, raw: Mapping[str, Any], key: str, problems: List[str]) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        problems.append(f"{where}: '{key}' must be true or false")
        return False
    return value


def _answer(
    where: str,
    raw: Any,
    subjects: Iterable[str],
    facets: Iterable[str],
    registry: Mapping[str, Source],
    problems: List[str],
) -> Optional[Answer]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    answer_id = raw.get("id")
    if not answer_id:
        problems.append(f"{where}: 'id' is missing")
        return None
    where = f"{where} (id {answer_id})"
    for key in raw:
        if key not in ANSWER_KEYS:
            problems.append(f"{where}: unknown key '{key}' (allowed: {', '.join(ANSWER_KEYS)})")
    texts = _texts(where, raw.get("text"), problems)
    after_event: Optional[Dict[str, str]] = None
    if raw.get("after_event") is not None:
        after_event = _texts(where, raw.get("after_event"), problems, "after_event")
    unconfirmed = _flag(where, raw, "unconfirmed", problems)
    practical = _flag(where, raw, "practical", problems)
    attributed = _flag(where, raw, "attributed", problems)
    if practical and after_event is None:
        problems.append(
            f"{where}: a practical answer needs 'after_event' texts (what to say once the conference is over)"
        )
    refs = _source_refs(where, raw.get("sources"), registry, problems)
    if not refs and not unconfirmed:
        problems.append(f"{where}: no source (add 'sources', or mark it 'unconfirmed: true')")
    _source_quality(where, refs, attributed, [texts] + ([after_event] if after_event else []), registry, problems)
    subject, facet = raw.get("subject"), raw.get("facet")
    if subject is not None and subject not in subjects:
        problems.append(f"{where}: subject '{subject}' is not declared under 'subjects'")
    if facet is not None and facet not in facets:
        problems.append(f"{where}: facet '{facet}' is not declared under 'facets'")
    covers = raw.get("covers") or []
    if not isinstance(covers, list) or any(not isinstance(c, str) or c not in facets for c in covers):
        problems.append(f"{where}: 'covers' must list facets declared under 'facets'")
    elif covers and facet is not None:
        problems.append(f"{where}: 'covers' is for an answer without a facet of its own")
    return Answer(
        str(answer_id),
        texts,
        tuple(refs),
        subject,
        facet,
        unconfirmed,
        after_event or None,
        practical,
        attributed,
        tuple(covers) if isinstance(covers, list) else (),
    )


def load_topic(path: Path, problems: List[str], registry: Optional[Mapping[str, Source]] = None) -> Optional[Topic]:
    """One topic file; faults are appended to ``problems``."""
    registry = registry or {}
    where = path.name
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
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
        answer = _answer(f"{where}: answers[{index}]", raw_answer, subjects_raw, facets_raw, registry, problems)
        if answer is None:
            continue
        for facet in (answer.facet, *answer.covers):
            answer_key = (answer.subject, facet)
            if answer_key in answers:
                problems.append(
                    f"{where}: answers '{answers[answer_key].id}' and '{answer.id}' both answer "
                    f"subject={answer.subject} facet={facet}"
                )
            answers[answer_key] = answer
    if (None, None) not in answers:
        problems.append(f"{where}: needs an overview answer (one without subject and facet)")
    for subject in subjects_raw if isinstance(subjects_raw, dict) else ():
        if (subject, None) not in answers:
            problems.append(f"{where}: subject '{subject}' needs an answer without a facet")
    names = {
        str(subject): _subject_name(f"{where}: subjects.{subject}", entry, problems)
        for subject, entry in (subjects_raw.items() if isinstance(subjects_raw, dict) else ())
        if isinstance(entry, dict) and isinstance(entry.get("aliases"), list) and entry["aliases"]
    }
    anchors = _words(where, raw, "anchors", problems)
    of_last_answer = _words(where, raw, "of_last_answer", problems)
    topic_name, intent = str(raw.get("topic")), str(raw.get("intent"))
    thing_name = _texts(where, raw["name"], problems, "name") if raw.get("name") is not None else {}
    also = {
        str(subject): str(entry["also"])
        for subject, entry in (subjects_raw.items() if isinstance(subjects_raw, dict) else ())
        if isinstance(entry, dict) and entry.get("also")
    }
    return Topic(
        topic_name, intent, where, aliases, keywords, answers, names, anchors, thing_name, also, of_last_answer
    )


def _subject_name(where: str, entry: Mapping[str, Any], problems: List[str]) -> Dict[str, str]:
    """How replies name the subject in each language ("About IOM", "Sobre la OIM"): its
    ``name`` if given, else its first alias (an Arabic reply, its first alias in Arabic script)."""
    if entry.get("name") is not None:
        return _texts(where, entry["name"], problems, "name")
    aliases = [str(alias) for alias in entry["aliases"]]
    arabic = next((alias for alias in aliases if has_arabic_letter(alias)), aliases[0])
    return {code: arabic if code == "ar" else aliases[0] for code in LANGUAGE_CODES}


def _words(where: str, topic: Mapping[str, Any], key: str, problems: List[str]) -> FrozenSet[str]:
    """The normalised words of an optional list (``anchors``, ``of_last_answer``)."""
    raw = topic.get(key)
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(word, str) for word in raw):
        problems.append(f"{where}: '{key}' must be a list of words")
        return frozenset()
    return frozenset(word for word in (normalise(w) for w in raw) if word)


def load_strings(path: Path, problems: List[str]) -> Dict[str, Dict[str, str]]:
    """The interface strings (``ui.yml``)."""
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
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


def _also_problems(topics: Mapping[str, Topic]) -> List[str]:
    """A subject's ``also`` must name a topic that is one thing (it has a ``name``)."""
    things = {topic.name for topic in topics.values() if topic.thing_name}
    return [
        f"{topic.file}: subjects.{subject}.also: '{other}' is not a topic that is one thing "
        f"(one of: {', '.join(sorted(things))})"
        for topic in topics.values()
        for subject, other in topic.subject_also.items()
        if other not in things
    ]


def load_content(directory: Path = CONTENT_DIR, sources_file: Optional[Path] = None) -> KnowledgeBase:
    """Load and validate every content file and the source registry (``sources_file``, by default
    the one of ``sources_file_for(directory)``); raise ``ContentError`` listing all faults."""
    problems: List[str] = []
    registry = load_sources(sources_file or sources_file_for(directory), problems)
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
        topic = load_topic(path, problems, registry)
        if topic is None:
            continue
        if topic.intent in topics:
            problems.append(f"{path.name}: intent '{topic.intent}' is already answered by {topics[topic.intent].file}")
        topics[topic.intent] = topic
        for answer in topic.distinct_answers():
            if answer.id in seen_ids:
                problems.append(f"{path.name}: answer id '{answer.id}' is also used in {seen_ids[answer.id]}")
            seen_ids[answer.id] = path.name
    problems += _also_problems(topics)
    if not strings:
        problems.append(f"{directory / STRINGS_FILE}: missing")
    if problems:
        raise ContentError(problems)
    return KnowledgeBase(topics, strings, registry)
