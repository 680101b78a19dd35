"""The FAQ as the console edits it: entry by entry, through the spreadsheet and ``faq import``.

The spreadsheet (``data/faq/faq.csv``) stays the source of truth, so the CLI and git keep
working beside the console: a save replaces one row, checks the whole sheet with the
checks of ``faq check`` (bot/tools/faq/check.py) and, only when there is no error, writes
the sheet and everything ``faq import`` generates, all or nothing
(bot/tools/faq/project.py). Answers are then live on the next question; changed
questions need a publish. Every change is recorded in the history with the row before
and after.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Hashable, List, Mapping, Optional, Tuple

from bot.conversation.faq.model import AFTER_EVENT_COLUMNS, LANGUAGES, Finding, Sheet, columns, questions_column
from bot.conversation.reloading import directory_signature
from bot.tools.console.database import exclusive
from bot.tools.console.history import History
from bot.tools.faq.check import CheckResult, KnownExamples, check_sheet, load_registry, split_questions
from bot.tools.faq.project import FaqPaths, check_file, known_examples, render_files, write_atomically
from bot.tools.faq.sheet import cells_text, csv_text, read_sheet, write_sheet

AREA = "faq"
Row = Dict[str, str]
LAYOUT = columns(after_event=True)
FIRST_ROW = 2  # row 1 is the header


class FaqEditError(ValueError):
    """A request the FAQ cannot carry out (unknown entry, id taken); the message says why."""


@dataclass
class Outcome:
    """What a change did: ``saved`` only without errors; ``findings`` of the entry's row
    (``column`` names the field) and of the file; ``live`` the answers, ``publish`` when
    questions or entries changed and the model must learn them."""

    saved: bool
    findings: List[Finding] = field(default_factory=list)
    publish: bool = False
    row: Optional[int] = None  # the entry's row in the checked sheet: its findings are its fields'

    def to_dict(self) -> dict:
        return {
            "saved": self.saved,
            "publish": self.publish,
            "row": self.row,
            "findings": [
                {"row": f.row, "column": f.column, "message": f.message, "error": f.error} for f in self.findings
            ],
        }


def _clean(row: Mapping[str, object]) -> Row:
    """A row as text in the export layout (absent columns empty)."""
    return {column: cells_text(row, column).replace("\r\n", "\n").strip() for column in LAYOUT}


def questions(row: Row) -> Dict[str, List[str]]:
    return {code: split_questions(row.get(questions_column(code), "")) for code in LANGUAGES}


def layout_for(rows: List[Row]) -> Tuple[str, ...]:
    """The sheet's columns: the after-event ones only when some entry has them (as the export)."""
    return columns(after_event=any(row.get(column) for row in rows for column in AFTER_EVENT_COLUMNS))


def _training_signature(paths: FaqPaths) -> Hashable:
    nlu = paths.root / "data" / "nlu"
    folders = sorted(p for p in nlu.iterdir() if p.is_dir()) if nlu.is_dir() else []
    held_out = tuple(directory_signature(folder, "*.yml") for folder in paths.held_out)
    return tuple(directory_signature(folder, "*.yml") for folder in folders), held_out


class FaqStore:
    """Reads and changes the FAQ of one project (``paths``), recording in ``history``."""

    def __init__(
        self, paths: FaqPaths, history: History, lock: Path, today: Optional[Callable[[], str]] = None
    ) -> None:
        self.paths = paths
        self.history = history
        self._lock = lock
        self._today = today or (lambda: dt.datetime.now(dt.timezone.utc).date().isoformat())
        self._known: Tuple[Hashable, Optional[KnownExamples]] = (None, None)

    # --- reading -----------------------------------------------------------------------
    def rows(self) -> List[Row]:
        sheet = read_sheet(self.paths.spreadsheet)
        return [_clean(row) for _, row in sheet.rows if any(str(value).strip() for value in row.values())]

    def entry(self, entry_id: str) -> Optional[Row]:
        return next((row for row in self.rows() if row["id"] == entry_id), None)

    def model_time(self) -> float:
        """When the current model was installed (0 when there is none)."""
        model = self.paths.root / "models" / "current.tar.gz"
        return model.stat().st_mtime if model.exists() else 0.0

    def unpublished(self) -> Dict[str, str]:
        """Entry id → what changed since the model was installed ('new', 'questions', 'deleted')."""
        marks: Dict[str, str] = {}
        for change in self.history.since(AREA, self.model_time()):
            before, after = change.before, change.after
            if after is None:
                marks[change.item] = "deleted"
            elif before is None:
                marks[change.item] = "new"
            elif questions(before) != questions(after) or before.get("id") != after.get("id"):
                marks.setdefault(change.item, "questions")
        return marks

    # --- checking ----------------------------------------------------------------------
    def known(self) -> KnownExamples:
        """Other intents' training and held-out examples, re-read only when their files change."""
        signature = _training_signature(self.paths)
        if self._known[0] != signature or self._known[1] is None:
            self._known = (signature, known_examples(self.paths))
        assert self._known[1] is not None
        return self._known[1]

    def _check(self, rows: List[Row]) -> CheckResult:
        sheet = Sheet(str(self.paths.spreadsheet), header=list(LAYOUT))
        sheet.rows = [(number, dict(row)) for number, row in enumerate(rows, start=FIRST_ROW)]
        return check_sheet(sheet, self.known(), load_registry(self.paths.sources))

    @staticmethod
    def _findings_of(result: CheckResult, number: Optional[int]) -> List[Finding]:
        """The findings of one row (its fields) and of the file; other rows' errors too, as
        they block the save (they name their row)."""
        return [f for f in result.findings if f.row == number or f.row <= 1 or f.error]

    def _replaced(self, rows: List[Row], original: Optional[str], row: Optional[Row]) -> Tuple[List[Row], int]:
        """The rows with ``original`` replaced by ``row`` (appended when new, removed when None)."""
        index = next((i for i, r in enumerate(rows) if r["id"] == original), None) if original else None
        if original and index is None:
            raise FaqEditError(f"there is no entry '{original}' (deleted meanwhile?)")
        changed = list(rows)
        if row is None:
            assert index is not None
            del changed[index]
            return changed, 0
        if index is None:
            changed.append(row)
            return changed, FIRST_ROW + len(changed) - 1
        changed[index] = row
        return changed, FIRST_ROW + index

    def check(self, row: Mapping[str, object], original: Optional[str]) -> Outcome:
        """The findings a save of ``row`` would meet, without saving."""
        draft = {**_clean(row), "updated": self._today()}
        changed, number = self._replaced(self.rows(), original, draft)
        return Outcome(False, self._findings_of(self._check(changed), number), row=number)

    # --- changing ----------------------------------------------------------------------
    def _write(self, rows: List[Row]) -> None:
        entries = self._check(rows).entries
        files = render_files(entries, self.paths)
        files[self.paths.spreadsheet] = csv_text(layout_for(rows), rows)
        write_atomically(files)

    def save(self, user: str, row: Mapping[str, object], original: Optional[str], action: str = "edit") -> Outcome:
        """Replace entry ``original`` by ``row`` (a new entry when ``original`` is None)."""
        new = {**_clean(row), "updated": self._today()}
        with exclusive(self._lock):
            rows = self.rows()
            before = next((r for r in rows if r["id"] == original), None) if original else None
            if original is None and any(r["id"] == new["id"] for r in rows):
                raise FaqEditError(f"the id '{new['id']}' is taken: choose another")
            changed, number = self._replaced(rows, original, new)
            result = self._check(changed)
            findings = self._findings_of(result, number)
            if not result.ok:
                return Outcome(False, findings, row=number)
            self._write(changed)
        publish = before is None or questions(before) != questions(new) or before["id"] != new["id"]
        recorded = "create" if before is None and action == "edit" else action
        self.history.record(user, AREA, new["id"], recorded, before, new)
        return Outcome(True, findings, publish, row=number)

    def delete(self, user: str, entry_id: str) -> Outcome:
        with exclusive(self._lock):
            rows = self.rows()
            before = next((r for r in rows if r["id"] == entry_id), None)
            changed, _ = self._replaced(rows, entry_id, None)
            result = self._check(changed)
            if not result.ok:
                return Outcome(False, self._findings_of(result, None))
            self._write(changed)
        self.history.record(user, AREA, entry_id, "delete", before, None)
        return Outcome(True, publish=True)

    def restore(self, user: str, change_id: int, version: str) -> Outcome:
        """Put back the row as it was ``before`` or ``after`` change ``change_id``."""
        change = self.history.get(change_id)
        if change is None or change.area != AREA:
            raise FaqEditError(f"there is no FAQ change {change_id}")
        row = change.before if version == "before" else change.after
        current = self.entry(change.item)
        if row is None:
            if current is None:
                return Outcome(True)
            outcome = self.delete(user, change.item)
        else:
            outcome = self.save(user, row, change.item if current else None, action="restore")
        return outcome

    def import_file(self, user: str, upload: Path) -> Outcome:
        """A whole sheet, as ``faq import`` does: checked first, nothing changed on any error.
        Findings name the uploaded sheet's rows."""
        with exclusive(self._lock):
            result = check_file(upload, self.paths)
            if not result.ok:
                return Outcome(False, result.findings)
            before = self.rows()
            sheet = read_sheet(upload)
            rows = [_clean(row) for _, row in sheet.rows if any(str(value).strip() for value in row.values())]
            self._write(rows)
        self.history.record(user, AREA, "(whole sheet)", "import", before, rows)
        changed = {r["id"]: questions(r) for r in before} != {r["id"]: questions(r) for r in rows}
        return Outcome(True, result.findings, publish=changed)

    def export(self, suffix: str) -> bytes:
        """The sheet as .csv or .xlsx (after-event columns only when some entry has them)."""
        rows = self.rows()
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"faq{suffix}"
            write_sheet(target, layout_for(rows), rows)
            return target.read_bytes()


def summary(row: Row, marks: Dict[str, str]) -> dict:
    """One line of the FAQ table."""
    complete = [code for code in LANGUAGES if row.get(questions_column(code)) and row.get(f"answer_{code}")]
    return {
        "id": row["id"],
        "topic": row["topic"],
        "updated": row["updated"],
        "question": split_questions(row.get("questions_en", ""))[:1],
        "answer": row.get("answer_en", ""),
        "languages": complete,
        "unpublished": marks.get(row["id"], ""),
        "searchable": " ".join(row.values()).casefold(),
    }
