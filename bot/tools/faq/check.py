"""Validates the FAQ spreadsheet and turns its rows into entries.

Every finding names the spreadsheet row (the header is row 1) and the column, in
words an organiser understands. Errors block the import; warnings do not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Set, Tuple

from bot.conversation.content.loader import SOURCES_FILE, load_sources
from bot.conversation.content.model import WEAK_RANK, Source
from bot.conversation.faq.model import (
    AFTER_EVENT_COLUMNS,
    LANGUAGES,
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    MIN_QUESTIONS,
    UNCONFIRMED_SOURCE,
    FaqEntry,
    Finding,
    Sheet,
    after_event_column,
    answer_column,
    questions_column,
)
from bot.conversation.text import normalise
from bot.tools.faq.sheet import cells_text

REQUIRED_COLUMNS = ("id", "topic", "source", "updated") + tuple(
    column for code in LANGUAGES for column in (questions_column(code), answer_column(code))
)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Markup a chat client could render or execute: HTML tags, script URLs, Markdown images/links.
UNSAFE_MARKUP = re.compile(
    r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript\s*:|data\s*:\s*text/html"
    r"|!\[[^\]]*\]\(|\[[^\]]+\]\([^)]*\)",
    re.IGNORECASE,
)
# UTF-8 read as Windows-1252/Latin-1 ("CafÃ©", "â€™") and the replacement character.
MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]|Ø[\u00a0-\u00bf]|\ufffd")
CONTROL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")
SCIENTIFIC = re.compile(r"\b\d+(?:[.,]\d+)?E[+-]\d+\b", re.IGNORECASE)
EXCEL_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")  # days since 1900: 43055 is 16 Nov 2017
SLASH_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")


@dataclass
class KnownExamples:
    """Training and held-out examples outside the FAQ, normalised, to catch collisions."""

    training: Mapping[str, str] = field(default_factory=dict)  # text → intent
    held_out: Set[str] = field(default_factory=set)


@dataclass
class SourceRegistry:
    """The ids an FAQ row may name in its ``source`` column (data/sources.yml), or why it could not be read."""

    sources: Mapping[str, Source] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)


@dataclass
class CheckResult:
    """The entries that passed and every finding, in row order."""

    entries: List[FaqEntry]
    findings: List[Finding]

    @property
    def errors(self) -> List[Finding]:
        return [f for f in self.findings if f.error]

    @property
    def ok(self) -> bool:
        return not self.errors


def load_registry(path: Optional[Path] = None) -> SourceRegistry:
    """The source registry (data/sources.yml by default) as the FAQ check uses it."""
    problems: List[str] = []
    sources = load_sources(path or SOURCES_FILE, problems)
    return SourceRegistry(sources, problems)


def split_questions(cell: str) -> List[str]:
    """One question per line in the cell; blank lines ignored."""
    return [line.strip() for line in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def _date(raw: object, row: int, findings: List[Finding]) -> str:
    text = str(raw).strip()
    if ISO_DATE.match(text):
        try:
            dt.date.fromisoformat(text)
            return text
        except ValueError:
            pass
    if isinstance(raw, (int, float)) or EXCEL_SERIAL.match(text):
        hint = ""
        try:
            hint = f" ({(dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text.replace(',', '.'))))).isoformat()}?)"
        except (ValueError, OverflowError):
            pass
        findings.append(
            Finding(
                row,
                "updated",
                f"'{text}' looks like a date Excel turned into a number{hint}; "
                "format the column as text and write the date as YYYY-MM-DD",
            )
        )
    elif SLASH_DATE.match(text):
        findings.append(
            Finding(row, "updated", f"'{text}' is ambiguous (day/month or month/day?); write the date as YYYY-MM-DD")
        )
    elif not text:
        findings.append(Finding(row, "updated", "the last-updated date is empty; write it as YYYY-MM-DD"))
    else:
        findings.append(Finding(row, "updated", f"'{text}' is not a date; write it as YYYY-MM-DD"))
    return text


def _id(raw: object, row: int, findings: List[Finding]) -> str:
    text = str(raw).strip()
    if isinstance(raw, float) or SCIENTIFIC.fullmatch(text) or re.fullmatch(r"\d+([.,]\d+)?", text):
        findings.append(
            Finding(
                row,
                "id",
                f"'{text}' looks like a number the spreadsheet reformatted; "
                "use a short name such as 'wifi' or 'lost_and_found'",
            )
        )
    elif not text:
        findings.append(Finding(row, "id", "the id is empty"))
    elif not ID_PATTERN.match(text):
        findings.append(
            Finding(
                row,
                "id",
                f"'{text}' is not a valid id: use 2–40 lower-case letters, digits "
                "and '_', starting with a letter (e.g. 'wifi', 'lost_and_found')",
            )
        )
    return text


def _text_problems(text: str, row: int, column: str, findings: List[Finding]) -> None:
    """Encoding damage, control characters, unsafe markup and Excel-mangled numbers."""
    garbled = MOJIBAKE.search(text)
    if garbled:
        findings.append(
            Finding(
                row,
                column,
                f"garbled characters ('{garbled.group(0)}'): the file was "
                "saved or opened with the wrong encoding; export it again as UTF-8",
            )
        )
    if CONTROL.search(text):
        findings.append(Finding(row, column, "contains invisible control characters; retype the cell"))
    markup = UNSAFE_MARKUP.search(text)
    if markup:
        findings.append(
            Finding(
                row,
                column,
                f"contains markup ('{markup.group(0)[:40]}'); write plain text, links as plain https://… addresses",
            )
        )
    number = SCIENTIFIC.search(text)
    if number:
        findings.append(
            Finding(
                row,
                column,
                f"'{number.group(0)}' looks like a number Excel turned into "
                "scientific notation (a phone number?); format the cell as text and retype it",
            )
        )


def _language(row_number: int, row: Dict[str, object], code: str, findings: List[Finding]) -> Tuple[List[str], str]:
    q_column, a_column = questions_column(code), answer_column(code)
    questions = split_questions(cells_text(row, q_column))
    answer = cells_text(row, a_column).strip()
    if not questions:
        findings.append(Finding(row_number, q_column, f"no example questions in {code}"))
    elif len(questions) < MIN_QUESTIONS:
        findings.append(
            Finding(
                row_number,
                q_column,
                f"{len(questions)} example question(s) in {code}; "
                f"write at least {MIN_QUESTIONS}, one per line, worded differently",
            )
        )
    for question in questions:
        _text_problems(question, row_number, q_column, findings)
        if len(question) > MAX_QUESTION_CHARS:
            findings.append(
                Finding(
                    row_number,
                    q_column,
                    f"a question has {len(question)} characters (at most {MAX_QUESTION_CHARS}): '{question[:40]}…'",
                )
            )
    if not answer:
        findings.append(Finding(row_number, a_column, f"no answer in {code}"))
    elif len(answer) > MAX_ANSWER_CHARS:
        findings.append(
            Finding(
                row_number,
                a_column,
                f"the answer has {len(answer)} characters (at most {MAX_ANSWER_CHARS}: keep it chat-sized)",
            )
        )
    _text_problems(answer, row_number, a_column, findings)
    return questions, answer


def _after_event(row_number: int, row: Dict[str, object], findings: List[Finding]) -> Dict[str, str]:
    """The optional after-event answers: all six languages or none."""
    texts = {code: cells_text(row, after_event_column(code)).strip() for code in LANGUAGES}
    given = [code for code, text in texts.items() if text]
    if not given:
        return {}
    for code, text in texts.items():
        column = after_event_column(code)
        if not text:
            findings.append(
                Finding(
                    row_number,
                    column,
                    f"no after-event answer in {code}, but there is one in {', '.join(given)}: "
                    "give the after-event answer in all six languages or in none",
                )
            )
            continue
        if len(text) > MAX_ANSWER_CHARS:
            findings.append(
                Finding(
                    row_number,
                    column,
                    f"the after-event answer has {len(text)} characters "
                    f"(at most {MAX_ANSWER_CHARS}: keep it chat-sized)",
                )
            )
        _text_problems(text, row_number, column, findings)
    return texts


def _columns(sheet: Sheet, findings: List[Finding]) -> bool:
    missing = [c for c in REQUIRED_COLUMNS if c not in sheet.header]
    if missing:
        findings.append(Finding(1, "", f"missing column(s): {', '.join(missing)}"))
    duplicated = sorted({c for c in sheet.header if c and sheet.header.count(c) > 1})
    if duplicated:
        findings.append(Finding(1, "", f"column(s) appear twice: {', '.join(duplicated)}"))
    for name in sheet.header:
        if name and name not in REQUIRED_COLUMNS and name not in AFTER_EVENT_COLUMNS:
            findings.append(Finding(1, name, "unknown column, ignored", error=False))
    return not missing and not duplicated


def _source(
    row_number: int,
    row: Dict[str, object],
    registry: SourceRegistry,
    texts: List[Mapping[str, str]],
    findings: List[Finding],
) -> str:
    """The ``source`` column: an id of data/sources.yml, or 'unconfirmed'."""
    source = cells_text(row, "source").strip()
    if not source:
        findings.append(
            Finding(
                row_number,
                "source",
                "no source: give the id (from data/sources.yml) of the page the answer comes from, "
                f"or '{UNCONFIRMED_SOURCE}' when the answer only says what is not known",
            )
        )
        return source
    _text_problems(source, row_number, "source", findings)
    if source == UNCONFIRMED_SOURCE or registry.problems:
        return source
    known = registry.sources.get(source)
    if known is None:
        by_address = [s.id for s in registry.sources.values() if s.url and s.url.rstrip("/") == source.rstrip("/")]
        hint = f" (that address is the source '{by_address[0]}')" if by_address else ""
        findings.append(
            Finding(
                row_number,
                "source",
                f"'{source}' is not a source id of data/sources.yml{hint}: give the id of the page the answer "
                f"comes from (add the page there first if it is new), or '{UNCONFIRMED_SOURCE}' when the answer "
                "only says what is not known",
            )
        )
    elif known.rank >= WEAK_RANK:
        for variant, column_of in zip(texts, (answer_column, after_event_column), strict=True):
            for code, text in variant.items():
                if text and known.publisher.casefold() not in text.casefold():
                    findings.append(
                        Finding(
                            row_number,
                            column_of(code),
                            f"the source '{source}' is a {known.tag} page: say that the answer is according to "
                            f"{known.publisher} (name it in every language), or use an official or press source",
                        )
                    )
    return source


def _row(
    number: int,
    row: Dict[str, object],
    ids: Dict[str, int],
    seen: Dict[str, Tuple[int, str, str]],
    known: KnownExamples,
    registry: SourceRegistry,
    findings: List[Finding],
) -> Optional[FaqEntry]:
    """One spreadsheet row as an entry, or None when it has errors (added to ``findings``)."""
    before = sum(f.error for f in findings)
    entry_id = _id(row.get("id", ""), number, findings)
    if entry_id in ids:
        findings.append(Finding(number, "id", f"'{entry_id}' is already used in row {ids[entry_id]}"))
    ids.setdefault(entry_id, number)
    topic = cells_text(row, "topic").strip()
    if not topic:
        findings.append(Finding(number, "topic", "the topic is empty (e.g. 'practical', 'registration')"))
    questions, answers = {}, {}
    for code in LANGUAGES:
        questions[code], answers[code] = _language(number, row, code, findings)
        _collisions(number, code, entry_id, questions[code], seen, known, findings)
    after_event = _after_event(number, row, findings)
    source = _source(number, row, registry, [answers, after_event], findings)
    updated = _date(row.get("updated", ""), number, findings)
    if sum(f.error for f in findings) > before:
        return None
    return FaqEntry(entry_id, topic, questions, answers, source, updated, after_event)


def check_sheet(
    sheet: Sheet, known: Optional[KnownExamples] = None, registry: Optional[SourceRegistry] = None
) -> CheckResult:
    """Validate every row; return the valid entries and all findings (sorted by row).

    ``registry``: the source ids the ``source`` column may name (by default the project's
    data/sources.yml)."""
    known = known or KnownExamples()
    registry = registry if registry is not None else load_registry()
    findings: List[Finding] = list(sheet.findings)
    findings += [Finding(0, "source", f"the source registry is invalid: {problem}") for problem in registry.problems]
    entries: List[FaqEntry] = []
    if sheet.header and _columns(sheet, findings):
        ids: Dict[str, int] = {}
        seen: Dict[str, Tuple[int, str, str]] = {}
        for number, row in sheet.rows:
            if any(str(value).strip() for value in row.values()):  # skip blank lines between entries
                entry = _row(number, row, ids, seen, known, registry, findings)
                if entry is not None:
                    entries.append(entry)
        if not entries and not any(f.error for f in findings):
            findings.append(Finding(0, "", "the spreadsheet has no entries"))
    findings.sort(key=lambda f: (f.row, not f.error))
    return CheckResult(entries, findings)


def _collisions(
    number: int,
    code: str,
    entry_id: str,
    questions: List[str],
    seen: Dict[str, Tuple[int, str, str]],
    known: KnownExamples,
    findings: List[Finding],
) -> None:
    """The same question twice, or a question the model already learns for something else."""
    column = questions_column(code)
    for question in questions:
        key = normalise(question)
        if key in seen:
            other_row, other_id, other_code = seen[key]
            if other_row != number:
                findings.append(
                    Finding(
                        number,
                        column,
                        f"'{question}' is also a question of '{other_id}' (row {other_row}): one question, one answer",
                    )
                )
            elif other_code == code:
                findings.append(Finding(number, column, f"'{question}' is listed twice", error=False))
            continue  # the same words in two languages of one entry ("wifi?") are fine
        seen[key] = (number, entry_id, code)
        if key in known.training:
            findings.append(
                Finding(
                    number,
                    column,
                    f"'{question}' is already answered by the assistant's "
                    f"'{known.training[key]}' topic; reword it or leave it out",
                )
            )
        if key in known.held_out:
            findings.append(
                Finding(
                    number,
                    column,
                    f"'{question}' is one of the held-out test questions "
                    "(tests/), which must never be used for training; reword it",
                )
            )
