"""The FAQ's data types and spreadsheet layout (see docs/organisers.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from bot.conversation.languages import load_catalogue

LANGUAGES: Tuple[str, ...] = tuple(load_catalogue().codes)
INTENT_PREFIX = "faq_"
MIN_QUESTIONS = 4  # per language: fewer examples and the model cannot learn the entry
MAX_ANSWER_CHARS = 600  # chat-sized, as for data/content/
MAX_QUESTION_CHARS = 200


def questions_column(code: str) -> str:
    return f"questions_{code}"


def answer_column(code: str) -> str:
    return f"answer_{code}"


def after_event_column(code: str) -> str:
    """The answer once the conference is over (optional: all six languages or none per row)."""
    return f"after_event_{code}"


# The source column's value for an answer that only says what is not known (no "Source:" line).
UNCONFIRMED_SOURCE = "unconfirmed"


def columns(after_event: bool = False) -> Tuple[str, ...]:
    """Export order, the columns organisers see, left to right; the after-event columns only
    when some entry has after-event answers."""
    per_language = tuple(
        column
        for code in LANGUAGES
        for column in (questions_column(code), answer_column(code))
        + ((after_event_column(code),) if after_event else ())
    )
    return ("id", "topic") + per_language + ("source", "updated")


COLUMNS: Tuple[str, ...] = columns()
AFTER_EVENT_COLUMNS: Tuple[str, ...] = tuple(after_event_column(code) for code in LANGUAGES)


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ entry: the questions that ask for it and its answer, per language."""

    id: str
    topic: str
    questions: Mapping[str, Sequence[str]]
    answers: Mapping[str, str]
    source: str  # an id of data/sources.yml, or UNCONFIRMED_SOURCE
    updated: str  # ISO date, YYYY-MM-DD
    after_event: Mapping[str, str] = field(default_factory=dict)  # empty: the same answer after the event

    @property
    def intent(self) -> str:
        return INTENT_PREFIX + self.id

    def answer_for(self, after_event: bool) -> Mapping[str, str]:
        """The answers for the conference clock's side of the event."""
        return self.after_event if after_event and self.after_event else self.answers

    def to_dict(self) -> Dict[str, object]:
        data: Dict[str, object] = {
            "id": self.id,
            "topic": self.topic,
            "source": self.source,
            "updated": self.updated,
            "questions": {c: list(self.questions.get(c, [])) for c in LANGUAGES},
            "answers": {c: self.answers.get(c, "") for c in LANGUAGES},
        }
        if self.after_event:
            data["after_event"] = {c: self.after_event.get(c, "") for c in LANGUAGES}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FaqEntry":
        """An entry of the answers file, as decoded from JSON (``faq import`` wrote and checked it)."""
        questions = data.get("questions") or {}
        answers = data.get("answers") or {}
        after_event = data.get("after_event") or {}
        return cls(
            id=str(data["id"]),
            topic=str(data.get("topic", "")),
            questions={c: list(v) for c, v in dict(questions).items()},
            answers=dict(answers),
            source=str(data.get("source", "")),
            updated=str(data.get("updated", "")),
            after_event=dict(after_event),
        )

    def to_row(self) -> Dict[str, str]:
        """The spreadsheet row: questions one per line in their cell."""
        row = {"id": self.id, "topic": self.topic, "source": self.source, "updated": self.updated}
        for code in LANGUAGES:
            row[questions_column(code)] = "\n".join(self.questions.get(code, []))
            row[answer_column(code)] = self.answers.get(code, "")
            row[after_event_column(code)] = self.after_event.get(code, "")
        return row


@dataclass(frozen=True)
class Finding:
    """One problem in a spreadsheet, located by row (1 = header) and column."""

    row: int
    column: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        if self.column:
            where += f", column {self.column}"
        return f"{'ERROR' if self.error else 'warning'}: {where}: {self.message}"


@dataclass
class Sheet:
    """Raw rows of a spreadsheet: header names and each data row with its row number."""

    path: str
    header: List[str] = field(default_factory=list)
    rows: List[Tuple[int, Dict[str, object]]] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)  # problems found while reading
