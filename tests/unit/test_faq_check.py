"""Every `faq check` finding, each on a small bad spreadsheet in tests/fixtures/faq/."""

from __future__ import annotations


import pytest
import yaml

from bot.tools.faq.check import KnownExamples, check_sheet
from bot.conversation.faq.model import LANGUAGES
from bot.tools.faq.project import FaqPaths, check_file
from bot.tools.faq.sheet import read_sheet
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "faq"


def check(name: str, known: KnownExamples | None = None):
    return check_sheet(read_sheet(FIXTURES / name), known)


def errors(name: str) -> list[tuple[int, str, str]]:
    return [(f.row, f.column, f.message) for f in check(name).findings if f.error]


@pytest.mark.parametrize("name", ["valid.csv", "semicolons.csv"])
def test_a_valid_sheet_gives_entries_and_no_findings(name):
    result = check(name)
    assert result.findings == []
    assert [e.id for e in result.entries] == ["cloakroom", "smoking"]
    cloakroom = result.entries[0]
    assert cloakroom.questions["fr"][0] == "où est le vestiaire ?"
    assert all(len(cloakroom.questions[code]) == 4 for code in LANGUAGES)
    assert cloakroom.answers["ar"] == "[ar] Ask at the information desk."
    assert cloakroom.updated == "2017-11-10"


# (fixture, the exact error locations (row, column), a phrase of each message in order)
BAD = [
    ("missing_column.csv", [(1, "")], ["missing column(s): answer_de"]),
    ("missing_language.csv", [(2, "answer_ar"), (3, "questions_nl")], ["no answer in ar", "no example questions in nl"]),
    ("too_few_questions.csv", [(2, "questions_es")], ["2 example question(s) in es; write at least 4"]),
    ("duplicate_question.csv", [(3, "questions_en")], ["'Where is the CLOAKROOM' is also a question of 'cloakroom' (row 2)"]),
    ("duplicate_id.csv", [(3, "id")], ["'cloakroom' is already used in row 2"]),
    ("long_answer.csv", [(2, "answer_fr")], ["characters (at most 600"]),
    ("unsafe_markup.csv", [(2, "answer_en"), (3, "answer_de")], ["markup ('<script>')", "markup ('[hier](javascript:"]),
    ("not_utf8.csv", [(0, "")], ["not UTF-8 (first bad byte on line"]),
    ("mojibake.csv", [(2, "answer_fr")], ["garbled characters"]),
    ("excel_dates.csv", [(2, "updated"), (3, "updated")],
     ["'43055' looks like a date Excel turned into a number (2017-11-16?)", "'11/10/2017' is ambiguous"]),
    ("excel_numbers.csv", [(2, "id"), (3, "answer_en")], ["'1.00E+03' looks like a number", "'3.24E+11' looks like a number"]),
    ("bad_id_topic_source.csv", [(2, "id"), (3, "topic"), (3, "source")],
     ["'Cloak Room!' is not a valid id", "the topic is empty", "no source"]),
]


@pytest.mark.parametrize("name, locations, phrases", BAD, ids=[b[0] for b in BAD])
def test_each_problem_is_reported_with_its_row_and_column(name, locations, phrases):
    found = errors(name)
    assert [(row, column) for row, column, _ in found] == locations
    for (_, _, message), phrase in zip(found, phrases):
        assert phrase in message


def test_questions_the_model_already_has_or_tests_hold_out_are_refused():
    result = check_file(FIXTURES / "known_question.csv", FaqPaths(ROOT))
    messages = [f.message for f in result.errors]
    assert len(messages) == 2
    assert "already answered by the assistant's 'ask_dates' topic" in messages[0]
    assert "held-out test questions" in messages[1]


def test_findings_print_with_row_and_column():
    finding = check("duplicate_id.csv").errors[0]
    assert str(finding) == "ERROR: row 3, column id: 'cloakroom' is already used in row 2"


def test_unknown_columns_are_warnings_not_errors(tmp_path):
    text = (FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig").replace("updated\r\n", "updated,notes\r\n", 1)
    path = tmp_path / "notes.csv"
    path.write_bytes(text.encode("utf-8"))
    result = check_sheet(read_sheet(path))
    assert result.ok and len(result.entries) == 2
    assert [(f.column, f.error) for f in result.findings] == [("notes", False)]


def test_wrong_file_type_and_empty_file(tmp_path):
    (tmp_path / "faq.ods").write_bytes(b"x")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "use a .csv or .xlsx file" in check_sheet(read_sheet(tmp_path / "faq.ods")).errors[0].message
    assert check_sheet(read_sheet(tmp_path / "empty.csv")).errors[0].message == "the file is empty"
    header_only = tmp_path / "header.csv"
    header_only.write_bytes((FIXTURES / "valid.csv").read_bytes().split(b"\r\n")[0] + b"\r\n")
    assert check_sheet(read_sheet(header_only)).errors[0].message == "the spreadsheet has no entries"


def test_xlsx_real_dates_are_accepted_and_numbers_in_text_columns_are_not(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    sheet = read_sheet(FIXTURES / "valid.csv")
    workbook = Workbook()
    workbook.active.append(sheet.header)
    for _, row in sheet.rows:
        workbook.active.append([row[column] for column in sheet.header])
    workbook.active["A3"] = 1000  # the id of row 3 typed as a number
    workbook.active.cell(row=2, column=sheet.header.index("updated") + 1, value=dt.datetime(2017, 11, 16))
    path = tmp_path / "faq.xlsx"
    workbook.save(path)
    result = check_sheet(read_sheet(path))
    assert [(f.row, f.column) for f in result.errors] == [(3, "id")]
    assert result.entries[0].updated == "2017-11-16"


def test_a_broken_xlsx_is_a_finding_not_a_crash(tmp_path):
    path = tmp_path / "faq.xlsx"
    path.write_bytes(b"not a zip file")
    assert "cannot read the workbook" in check_sheet(read_sheet(path)).errors[0].message


def test_the_same_words_in_two_languages_of_one_entry_are_fine(tmp_path):
    text = (FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")
    text = text.replace("where is the cloakroom?", "vestiaire?").replace("où est le vestiaire ?", "vestiaire ?")
    text = text.replace("wo ist die Garderobe?", "wo ist die Garderobe?\nWO IST DIE GARDEROBE")
    path = tmp_path / "words.csv"
    path.write_bytes(text.encode("utf-8"))
    result = check_sheet(read_sheet(path))
    assert result.ok
    assert [(f.row, f.column, f.message) for f in result.findings] == [
        (2, "questions_de", "'WO IST DIE GARDEROBE' is listed twice")]


@pytest.mark.parametrize("folder", ["tests/nlu_fresh", "tests/blind/nlu", "tests/regression/nlu_multipart"])
def test_a_question_of_any_set_kept_out_of_training_is_refused(folder, tmp_path):
    test_set = yaml.safe_load((ROOT / folder / "en.yml").read_text(encoding="utf-8"))
    question = next(line.strip()[2:] for block in test_set["nlu"] for line in block["examples"].splitlines()
                    if line.strip().startswith("- ") and '"' not in line)
    sheet = (FIXTURES / "known_question.csv").read_text(encoding="utf-8")
    (tmp_path / "sheet.csv").write_text(sheet.replace("hellooo", question), encoding="utf-8")
    messages = [f.message for f in check_file(tmp_path / "sheet.csv", FaqPaths(ROOT)).errors]
    assert any("held-out test questions" in message and question in message for message in messages)
