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


# Export order: the columns organisers see, left to right.
COLUMNS: Tuple[str, ...] = (
    ("id", "topic")
    + tuple(column for code in LANGUAGES for column in (questions_column(code), answer_column(code)))
    + ("source", "updated")
)


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ entry: the questions that ask for it and its answer, per language."""

    id: str
    topic: str
    questions: Mapping[str, Sequence[str]]
    answers: Mapping[str, str]
    source: str
    updated: str  # ISO date, YYYY-MM-DD

    @property
    def intent(self) -> str:
        return INTENT_PREFIX + self.id

    def to_dict(self) -> Dict[str, object]:
        return {
            "id": self.id,
            "topic": self.topic,
            "source": self.source,
            "updated": self.updated,
            "questions": {c: list(self.questions.get(c, [])) for c in LANGUAGES},
            "answers": {c: self.answers.get(c, "") for c in LANGUAGES},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FaqEntry":
        """An entry of the answers file, as decoded from JSON (``faq import`` wrote and checked it)."""
        questions = data.get("questions") or {}
        answers = data.get("answers") or {}
        return cls(
            id=str(data["id"]),
            topic=str(data.get("topic", "")),
            questions={c: list(v) for c, v in dict(questions).items()},
            answers=dict(answers),
            source=str(data.get("source", "")),
            updated=str(data.get("updated", "")),
        )

    def to_row(self) -> Dict[str, str]:
        """The spreadsheet row: questions one per line in their cell."""
        row = {"id": self.id, "topic": self.topic, "source": self.source, "updated": self.updated}
        for code in LANGUAGES:
            row[questions_column(code)] = "\n".join(self.questions.get(code, []))
            row[answer_column(code)] = self.answers.get(code, "")
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
