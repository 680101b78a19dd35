"""Reading and writing the FAQ spreadsheet as CSV or XLSX.

Organisers export from Excel, LibreOffice or Google Sheets, which differ in
encoding (UTF-8 with or without BOM, or a legacy code page), delimiter (``,`` or,
in European locales, ``;``) and cell types (XLSX dates are real dates). Reading
accepts all of these and turns what cannot be read into findings with row numbers;
writing produces UTF-8 CSV (with BOM, so Excel shows accents) or XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Iterable, List, Mapping, Sequence

from bot.conversation.faq.model import Finding, Sheet

DELIMITERS = (",", ";", "\t")


def header_key(name: object) -> str:
    """Column names compared loosely: 'Questions EN' and 'questions_en' are the same."""
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def read_sheet(path: Path) -> Sheet:
    """The rows of ``path`` (.csv or .xlsx); unreadable content becomes findings."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    return Sheet(str(path), findings=[Finding(0, "", f"{path.name}: use a .csv or .xlsx file (not '{suffix}')")])


def _decode(path: Path, sheet: Sheet) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        sheet.findings.append(
            Finding(
                0,
                "",
                (
                    f"the file is not UTF-8 (first bad byte on line {line} of the file); "
                    "save it as 'CSV UTF-8' (Excel) or 'Text CSV' with character set UTF-8 (LibreOffice)"
                ),
            )
        )
        return ""


def _delimiter(first_line: str) -> str:
    return max(DELIMITERS, key=first_line.count)


def _read_csv(path: Path) -> Sheet:
    sheet = Sheet(str(path))
    text = _decode(path, sheet)
    if not text.strip():
        if not sheet.findings:
            sheet.findings.append(Finding(0, "", "the file is empty"))
        return sheet
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    records = list(reader)
    sheet.header = [header_key(name) for name in records[0]]
    for number, record in enumerate(records[1:], start=2):
        if len(record) > len(sheet.header) and any(cell.strip() for cell in record[len(sheet.header) :]):
            sheet.findings.append(
                Finding(
                    number,
                    "",
                    (
                        f"{len(record)} cells but the header has {len(sheet.header)} columns "
                        "(a cell with an unquoted delimiter?)"
                    ),
                )
            )
        # A short row lacks its last cells; a long one was reported above.
        sheet.rows.append((number, dict(zip(sheet.header, record, strict=False))))
    return sheet


def _read_xlsx(path: Path) -> Sheet:
    import zipfile

    from openpyxl import load_workbook  # imported here: only the CLI reads XLSX
    from openpyxl.utils.exceptions import InvalidFileException

    sheet = Sheet(str(path))
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        sheet.findings.append(Finding(0, "", f"cannot read the workbook ({error}); save it again as .xlsx"))
        return sheet
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    if not rows:
        sheet.findings.append(Finding(0, "", "the first worksheet is empty"))
        return sheet
    sheet.header = [header_key(name) for name in rows[0]]
    for number, values in enumerate(rows[1:], start=2):
        cells = zip(sheet.header, values, strict=False)  # rows may be shorter or longer than the header
        sheet.rows.append((number, {name: _cell(value) for name, value in cells}))
    return sheet


def _cell(value: object) -> object:
    """Text stays text; a real date cell becomes ISO; numbers stay numbers for the checker."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _table(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> List[List[str]]:
    return [[str(row.get(column, "")) for column in columns] for row in rows]


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """The CSV file's text, BOM first (Excel then reads it as UTF-8), CRLF line ends."""
    out = io.StringIO(newline="")
    out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerows([list(columns)] + _table(columns, rows))
    return out.getvalue()


def write_sheet(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """Write ``rows`` to ``path`` as CSV or XLSX, by its suffix."""
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, columns, _table(columns, rows))
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(csv_text(columns, rows))


def _write_xlsx(path: Path, columns: Sequence[str], table: List[List[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "FAQ"
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in table:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"  # text: stops Excel turning dates and numbers into values
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    workbook.save(path)


def cells_text(row: Mapping[str, object], column: str) -> str:
    """A cell as text ('' when absent)."""
    value = row.get(column, "")
    return value if isinstance(value, str) else str(value)
