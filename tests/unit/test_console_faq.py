"""The console's FAQ editing (bot/tools/console/faq_store.py) on a scratch project: one entry
saved through the checks and the import of `faq import`, the sheet kept as the source of
truth, every change in the history and restorable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tools.console.faq_store import FaqEditError, FaqStore, layout_for
from bot.tools.console.stores import Stores
from bot.tools.faq.project import FaqPaths, import_sheet
from bot.tools.faq.sheet import csv_text
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "faq"
TODAY = "2017-11-16"


@pytest.fixture
def store(tmp_path: Path) -> FaqStore:
    paths = FaqPaths(tmp_path / "project")
    paths.spreadsheet.parent.mkdir(parents=True)
    paths.spreadsheet.write_bytes((FIXTURES / "valid.csv").read_bytes())
    result, _ = import_sheet(paths.spreadsheet, paths)
    assert result.ok
    return FaqStore(paths, Stores.in_folder(tmp_path / "var").history, tmp_path / "var" / "faq.lock", lambda: TODAY)


def stored_answers(store: FaqStore) -> dict:
    data = json.loads(store.paths.answers.read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data["entries"]}


def test_an_answer_edit_is_written_to_the_sheet_and_the_live_answers_only(store):
    nlu_before = store.paths.nlu("en").read_bytes()
    entry = store.entry("cloakroom")
    outcome = store.save("marie", {**entry, "answer_fr": "[fr] Le vestiaire est à l'entrée."}, "cloakroom")
    assert outcome.saved and not outcome.publish
    assert stored_answers(store)["cloakroom"]["answers"]["fr"] == "[fr] Le vestiaire est à l'entrée."
    assert store.entry("cloakroom")["answer_fr"] == "[fr] Le vestiaire est à l'entrée."  # the sheet
    assert store.entry("cloakroom")["updated"] == TODAY
    assert store.paths.nlu("en").read_bytes() == nlu_before  # nothing to retrain
    change = store.history.changes("faq", "cloakroom")[0]
    assert (change.user, change.action) == ("marie", "edit")
    assert change.before["answer_fr"] == entry["answer_fr"] and change.after["answer_fr"].endswith("à l'entrée.")
    assert store.unpublished() == {}


def test_a_question_edit_needs_publishing(store):
    entry = store.entry("smoking")
    outcome = store.save("jan", {**entry, "questions_nl": entry["questions_nl"] + "\nwaar mag ik een sigaret opsteken?"},
                         "smoking")
    assert outcome.saved and outcome.publish
    assert "waar mag ik een sigaret opsteken?" in store.paths.nlu("nl").read_text(encoding="utf-8")
    assert store.unpublished() == {"smoking": "questions"}


def test_a_save_with_errors_changes_nothing_and_names_the_fields(store):
    before = {path: path.read_bytes() for path in store.paths.root.rglob("*") if path.is_file()}
    entry = store.entry("smoking")
    outcome = store.save("marie", {**entry, "answer_de": "<b>Nein</b>", "questions_es": "¿fumar?"}, "smoking")
    assert not outcome.saved
    own = {f.column for f in outcome.findings if f.error and f.row == outcome.row}
    assert own == {"answer_de", "questions_es"}
    assert {path: path.read_bytes() for path in store.paths.root.rglob("*") if path.is_file()} == before
    assert store.history.changes("faq") == []


def test_a_question_another_entry_owns_is_reported_on_that_field(store):
    cloakroom = store.entry("cloakroom")
    taken = cloakroom["questions_en"].splitlines()[0]
    smoking = store.entry("smoking")
    outcome = store.check({**smoking, "questions_en": smoking["questions_en"] + "\n" + taken}, "smoking")
    [finding] = [f for f in outcome.findings if f.error]
    assert finding.column == "questions_en" and "'cloakroom'" in finding.message


def test_a_new_entry_a_taken_id_and_a_deletion_restored(store):
    smoking = store.entry("smoking")
    new = {**smoking, "id": "smoking_area", "questions_en": "\n".join(f"{q} outside" for q in smoking["questions_en"].splitlines())}
    for code in ("fr", "nl", "es", "de", "ar"):
        new[f"questions_{code}"] = "\n".join(f"{q} (2)" for q in smoking[f"questions_{code}"].splitlines())
    created = store.save("marie", new, None)
    assert created.saved and created.publish and "faq_smoking_area" in store.paths.domain.read_text(encoding="utf-8")
    with pytest.raises(FaqEditError, match="taken"):
        store.save("marie", new, None)
    assert store.delete("jan", "smoking_area").saved
    assert "smoking_area" not in stored_answers(store)
    deletion = store.history.changes("faq", "smoking_area")[0]
    assert deletion.action == "delete" and deletion.after is None
    assert store.restore("marie", deletion.id, "before").saved
    assert stored_answers(store)["smoking_area"]["questions"]["en"][0].endswith("outside")
    assert [c.action for c in store.history.changes("faq", "smoking_area")] == ["restore", "delete", "create"]


def test_an_earlier_answer_is_restored(store):
    original = store.entry("cloakroom")["answer_en"]
    store.save("marie", {**store.entry("cloakroom"), "answer_en": "[en] First edit."}, "cloakroom")
    store.save("marie", {**store.entry("cloakroom"), "answer_en": "[en] Second edit."}, "cloakroom")
    first = store.history.changes("faq", "cloakroom")[-1]
    assert store.restore("jan", first.id, "before").saved
    assert stored_answers(store)["cloakroom"]["answers"]["en"] == original


def test_an_imported_sheet_with_errors_is_refused_by_row(store):
    outcome = store.import_file("marie", FIXTURES / "missing_language.csv")
    assert not outcome.saved
    assert any(f.row >= 2 and f.column.endswith("_ar") for f in outcome.findings if f.error)
    assert store.history.changes("faq") == []


def test_export_writes_what_the_sheet_holds(store, tmp_path):
    exported = tmp_path / "faq.csv"
    exported.write_bytes(store.export(".csv"))
    assert exported.read_bytes() == b"\xef\xbb\xbf" + (FIXTURES / "valid.csv").read_bytes()
    assert store.export(".xlsx")[:2] == b"PK"


def test_the_shipped_sheet_is_rewritten_byte_for_byte(tmp_path):
    """A console save touches only the row it changes: the rest of faq.csv reads back the same."""
    shipped = FaqStore(FaqPaths(ROOT), Stores.in_folder(tmp_path).history, tmp_path / "lock")
    rows = shipped.rows()
    assert csv_text(layout_for(rows), rows).encode("utf-8") == FaqPaths(ROOT).spreadsheet.read_bytes()
