"""Import, export, status and live answers of the FAQ, on a scratch project folder."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.faq as faq_action
from bot.tools.faq.check import check_sheet
from bot.tools.faq.project import FaqPaths, check_file, export_sheet, import_sheet, render_files, status, status_rows
from bot.tools.faq.sheet import read_sheet
from bot.conversation.clock import Clock
from bot.conversation.content import load_content
from bot.conversation.faq.answers import LiveFaqAnswers, render
from bot.conversation.faq.model import LANGUAGES
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "faq"


@pytest.fixture
def paths(tmp_path: Path) -> FaqPaths:
    """An empty project: no other training data, no held-out sets."""
    return FaqPaths(tmp_path / "project")


def snapshot(root: Path) -> dict:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_writes_training_data_rules_domain_and_store(paths):
    result, changed = import_sheet(FIXTURES / "valid.csv", paths)
    assert result.ok
    assert len(changed) == 9  # six NLU files, rules, domain, store
    assert "- intent: faq_smoking" in paths.nlu("de").read_text(encoding="utf-8")
    assert "    - darf ich hier rauchen?" in paths.nlu("de").read_text(encoding="utf-8")
    assert "  - intent: faq_cloakroom\n  - action: action_faq" in paths.rules.read_text(encoding="utf-8")
    assert paths.domain.read_text(encoding="utf-8").endswith("- faq_cloakroom\n- faq_smoking\nactions:\n- action_faq\n")
    stored = json.loads(paths.answers.read_text(encoding="utf-8"))
    assert [e["id"] for e in stored["entries"]] == ["cloakroom", "smoking"]


@pytest.mark.parametrize("bad", ["missing_language.csv", "not_utf8.csv", "duplicate_id.csv", "missing_column.csv"])
def test_a_bad_sheet_changes_nothing(paths, bad):
    import_sheet(FIXTURES / "valid.csv", paths)
    before = snapshot(paths.root)
    result, changed = import_sheet(FIXTURES / bad, paths)
    assert not result.ok and changed == []
    assert snapshot(paths.root) == before


def test_a_failure_while_renaming_rolls_back_every_file(paths, tmp_path, monkeypatch):
    import_sheet(FIXTURES / "valid.csv", paths)
    before = snapshot(paths.root)
    edited = tmp_path / "edited.csv"
    text = (FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")
    edited.write_bytes(text.replace("where is the cloakroom?", "where's the cloakroom located?").replace(
        "Ask at the information desk.", "Cloakroom next to the entrance.").encode("utf-8"))
    real_replace, calls = os.replace, []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        import_sheet(edited, paths)
    assert snapshot(paths.root) == before  # no temporary files left either


def test_an_answer_only_edit_rewrites_only_the_answer_store(paths, tmp_path):
    import_sheet(FIXTURES / "valid.csv", paths)
    edited = tmp_path / "edited.csv"
    text = (FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")
    edited.write_bytes(text.replace("[nl] Ask at the information desk.", "[nl] Garderobe bij de ingang.").encode())
    result, changed = import_sheet(edited, paths)
    assert result.ok and changed == [paths.answers]


def test_csv_round_trip_changes_nothing(paths, tmp_path):
    import_sheet(FIXTURES / "valid.csv", paths)
    exported = tmp_path / "out.csv"
    export_sheet(exported, paths)
    # Same text; the export adds a byte-order mark so that Excel shows accents and Arabic.
    assert exported.read_bytes() == b"\xef\xbb\xbf" + (FIXTURES / "valid.csv").read_bytes()


def test_xlsx_round_trip_changes_nothing(paths, tmp_path):
    import_sheet(FIXTURES / "valid.csv", paths)
    store = paths.answers.read_bytes()
    exported = tmp_path / "faq.xlsx"
    export_sheet(exported, paths)
    other = FaqPaths(tmp_path / "other")
    result, _ = import_sheet(exported, other)
    assert result.ok and result.findings == []
    assert other.answers.read_bytes() == store
    again = tmp_path / "again.xlsx"
    export_sheet(again, other)
    assert check_sheet(read_sheet(again)).entries == check_sheet(read_sheet(exported)).entries


def test_the_shipped_faq_is_valid_and_its_generated_files_are_current():
    paths = FaqPaths(ROOT)
    result = check_file(paths.spreadsheet, paths)
    assert result.findings == []
    for path, text in render_files(result.entries, paths).items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `python -m bot faq import`"


def test_the_shipped_faq_round_trips(tmp_path):
    exported = tmp_path / "faq.csv"
    export_sheet(exported, FaqPaths(ROOT))
    assert exported.read_bytes() == FaqPaths(ROOT).spreadsheet.read_bytes()


def test_status_counts_entries_examples_and_missing_translations():
    lines = {line.code: line for line in status(status_rows(FIXTURES / "missing_language.csv", FaqPaths(ROOT)))}
    assert (lines["en"].entries, lines["en"].examples, lines["en"].missing) == (2, 8, [])
    assert (lines["nl"].entries, lines["nl"].examples, lines["nl"].missing) == (1, 4, ["smoking"])
    assert lines["ar"].missing == ["cloakroom"]


def test_the_answer_store_reloads_on_change_and_keeps_the_last_good(paths):
    import_sheet(FIXTURES / "valid.csv", paths)
    store = LiveFaqAnswers(paths.answers)
    assert store.entry("faq_cloakroom").answers["en"] == "[en] Ask at the information desk."
    data = json.loads(paths.answers.read_text(encoding="utf-8"))
    data["entries"][0]["answers"]["en"] = "Cloakroom next to the entrance, longer text."
    paths.answers.write_text(json.dumps(data), encoding="utf-8")
    assert store.entry("faq_cloakroom").answers["en"] == "Cloakroom next to the entrance, longer text."
    paths.answers.write_text("{broken", encoding="utf-8")
    assert store.entry("faq_cloakroom").answers["en"] == "Cloakroom next to the entrance, longer text."
    assert store.entry("faq_unknown") is None and store.entry("ask_venue") is None


def test_render_uses_the_conversation_language_and_shows_the_registry_source(paths):
    import_sheet(FIXTURES / "valid.csv", paths)
    entry = LiveFaqAnswers(paths.answers).entry("faq_smoking")
    assert entry.source == "unconfirmed"
    assert render(entry, "de", "Quelle") == "[de] Ask at the information desk about smoking."
    assert render(entry, None, "Source") == "[en] Ask at the information desk about smoking."
    sourced = type(entry)(**{**entry.__dict__, "source": "lamot_heritage"})
    lamot = load_content().sources["lamot_heritage"]
    assert render(sourced, "fr", "Source", lamot) == (
        "[fr] Ask at the information desk about smoking.\nSource: http://lamot-mechelen.be/en/erfgoed/")


def test_render_picks_the_after_event_answer_once_the_conference_is_over(paths):
    import_sheet(FIXTURES / "valid.csv", paths)
    entry = LiveFaqAnswers(paths.answers).entry("faq_smoking")
    after = type(entry)(**{**entry.__dict__, "after_event": {code: f"[{code}] over" for code in LANGUAGES}})
    assert render(after, "nl", None, after_event=False) == "[nl] Ask at the information desk about smoking."
    assert render(after, "nl", None, after_event=True) == "[nl] over"
    assert render(entry, "nl", None, after_event=True) == "[nl] Ask at the information desk about smoking."


def run_action(intent: str, language: str):
    tracker = Tracker(sender_id="t", slots={"language": language}, events=[], paused=False,
                      latest_message={"text": "?", "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                      followup_action=None, active_loop={}, latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(faq_action.ActionFaq().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_the_action_answers_from_the_store_and_hands_over_for_removed_entries(paths, monkeypatch):
    import_sheet(FIXTURES / "valid.csv", paths)
    monkeypatch.setattr(faq_action, "ANSWERS", LiveFaqAnswers(paths.answers))
    messages, events = run_action("faq_cloakroom", "es")
    assert events == [] and [m["text"] for m in messages] == ["[es] Ask at the information desk."]
    messages, _ = run_action("faq_removed_entry", "es")
    assert [m["response"] for m in messages] == ["utter_request_human"]


AFTER_EVENT_HEADER = "".join(f",after_event_{code}" for code in LANGUAGES)


def with_after_event(text: str, complete: bool = True) -> str:
    """valid.csv with after-event columns at the end, filled for the first entry (all six, or five)."""
    lines = text.split("\r\n")
    lines[0] += AFTER_EVENT_HEADER
    cells = [f"[{code}] over" for code in LANGUAGES]
    if not complete:
        cells[2] = ""
    first = next(i for i, line in enumerate(lines) if line.startswith("cloakroom,"))
    end = next(i for i in range(first, len(lines)) if lines[i].endswith("2017-11-10"))
    lines[end] += "," + ",".join(cells)
    return "\r\n".join(lines)


def test_after_event_answers_round_trip_through_import_and_export(paths, tmp_path):
    sheet = tmp_path / "after.csv"
    sheet.write_bytes(with_after_event((FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")).encode("utf-8"))
    result, _ = import_sheet(sheet, paths)
    assert result.ok and result.findings == []
    stored = json.loads(paths.answers.read_text(encoding="utf-8"))
    assert stored["entries"][0]["after_event"]["ar"] == "[ar] over"
    assert "after_event" not in stored["entries"][1]
    exported = tmp_path / "out.csv"
    export_sheet(exported, paths)
    header = exported.read_bytes().decode("utf-8-sig").split("\r\n")[0].split(",")
    assert header.index("after_event_en") == header.index("answer_en") + 1
    again = FaqPaths(tmp_path / "again")
    result, _ = import_sheet(exported, again)
    assert result.ok and again.answers.read_bytes() == paths.answers.read_bytes()


def test_after_event_answers_are_all_six_or_none(paths, tmp_path):
    sheet = tmp_path / "partial.csv"
    text = with_after_event((FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig"), complete=False)
    sheet.write_bytes(text.encode("utf-8"))
    result, changed = import_sheet(sheet, paths)
    assert not result.ok and changed == []
    assert [(f.row, f.column) for f in result.errors] == [(2, "after_event_nl")]
    assert "give the after-event answer in all six languages or in none" in result.errors[0].message


def test_the_source_column_names_a_registry_id(tmp_path):
    text = (FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")
    for value, phrase in [
        ("information desk", "'information desk' is not a source id of data/sources.yml"),
        ("http://lamot-mechelen.be/en/erfgoed/", "(that address is the source 'lamot_heritage')"),
    ]:
        sheet = tmp_path / "source.csv"
        sheet.write_bytes(text.replace(",unconfirmed,2017-11-10", f",{value},2017-11-10", 1).encode("utf-8"))
        errors = check_sheet(read_sheet(sheet)).errors
        assert [(f.row, f.column) for f in errors] == [(2, "source")]
        assert phrase in errors[0].message
    sheet.write_bytes(text.replace(",unconfirmed,2017-11-10", ",lamot_heritage,2017-11-10", 1).encode("utf-8"))
    assert check_sheet(read_sheet(sheet)).entries[0].source == "lamot_heritage"


def test_a_weak_source_must_be_named_in_every_answer(tmp_path):
    text = (FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")
    sheet = tmp_path / "weak.csv"
    sheet.write_bytes(text.replace(",unconfirmed,2017-11-10", ",piglix_iom,2017-11-10", 1).encode("utf-8"))
    errors = check_sheet(read_sheet(sheet)).errors
    assert [(f.row, f.column) for f in errors] == [(2, f"answer_{code}") for code in LANGUAGES]
    assert "the source 'piglix_iom' is a mirror page: say that the answer is according to piglix" in errors[0].message


@pytest.mark.parametrize("moment, after", [("2017-11-16T10:45", False), (None, True)])
def test_the_action_answers_by_the_conference_clock(paths, tmp_path, monkeypatch, moment, after):
    sheet = tmp_path / "after.csv"
    sheet.write_bytes(with_after_event((FIXTURES / "valid.csv").read_bytes().decode("utf-8-sig")).encode("utf-8"))
    import_sheet(sheet, paths)
    monkeypatch.setattr(faq_action, "ANSWERS", LiveFaqAnswers(paths.answers))
    monkeypatch.setattr(faq_action, "CLOCK", Clock.from_environment({"BOT_CLOCK": moment} if moment else {}))
    for code in LANGUAGES:
        messages, _ = run_action("faq_cloakroom", code)
        assert messages[0]["text"] == (f"[{code}] over" if after else f"[{code}] Ask at the information desk.")
