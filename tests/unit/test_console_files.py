"""The console's answers and programme files (bot/tools/console/knowledge.py): a save passes
the assistant's own validator or writes nothing; each save is in the history and undoable."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.tools.console.knowledge import UnknownFile, content_area, programme_area
from bot.tools.console.stores import Stores
from tests.conftest import ROOT


@pytest.fixture
def content(content_dir, tmp_path):
    return content_area(content_dir, Stores.in_folder(tmp_path / "var").history, tmp_path / "var" / "lock")


def edited(path, change) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True)


def test_a_valid_answer_edit_is_saved_and_recorded(content, content_dir):
    venue = content_dir / "venue.yml"
    before = venue.read_text(encoding="utf-8")
    text = edited(venue, lambda data: data["answers"][0]["text"].update(nl="[nl] nieuw overzicht"))
    outcome = content.save("marie", "venue.yml", text)
    assert outcome.saved and outcome.problems == []
    assert venue.read_text(encoding="utf-8") == text
    [change] = content.history.changes("content", "venue.yml")
    assert (change.user, change.before, change.after) == ("marie", before, text)
    assert content.restore("jan", change.id, "before").saved
    assert venue.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("change, expected", [
    (lambda data: data["answers"][0]["text"].pop("ar"), "venue.overview"),
    (lambda data: data["answers"][0].pop("sources"), "venue.overview"),
])
def test_an_answer_without_a_language_or_a_source_is_refused_naming_it(content, content_dir, change, expected):
    venue = content_dir / "venue.yml"
    before = venue.read_bytes()
    outcome = content.save("marie", "venue.yml", edited(venue, change))
    assert not outcome.saved
    assert any("venue.yml" in problem and expected in problem for problem in outcome.problems), outcome.problems
    assert venue.read_bytes() == before
    assert content.history.changes("content") == []


def test_a_source_the_answers_need_cannot_be_removed_from_the_registry(content, content_dir):
    registry = content_dir.parent / "sources.yml"
    outcome = content.save("marie", "sources.yml", edited(registry, lambda data: data["sources"].pop("b")))
    assert not outcome.saved and any("'b'" in problem for problem in outcome.problems), outcome.problems


def test_only_the_area_s_files_can_be_named(content):
    assert content.names() == ["sources.yml", "ui.yml", "venue.yml"]
    with pytest.raises(UnknownFile):
        content.save("marie", "../../etc/passwd", "x")


def test_the_programme_is_checked_by_its_validator(tmp_path):
    programme = tmp_path / "programme.yml"
    shutil.copy(ROOT / "data" / "programme" / "programme.yml", programme)
    area = programme_area(programme, Stores.in_folder(tmp_path / "var").history, tmp_path / "lock")
    text = programme.read_text(encoding="utf-8")
    assert area.check("programme.yml", text) == []
    broken = area.save("marie", "programme.yml", text.replace("timezone: Europe/Brussels", "timezone: Mars/Olympus"))
    assert not broken.saved
    assert broken.problems[0] == "programme.yml: conference: unknown timezone 'Mars/Olympus'"
    assert programme.read_text(encoding="utf-8") == text


def test_an_answer_s_texts_are_replaced_in_place_and_nothing_else_changes():
    from bot.tools.console.knowledge import answers_in, with_answer_texts

    source = (ROOT / "data" / "content" / "venue.yml").read_text(encoding="utf-8")
    new_fr = 'Le lieu : « Lamot », "ancienne brasserie"\\ à Malines.'
    new_ar = "عُقد المؤتمر في لاموت."
    unchanged_en = next(a for a in answers_in(source) if a["id"] == "venue.overview")["text"]["en"]
    changed = with_answer_texts(source, "venue.overview", {"text": {"fr": new_fr, "ar": new_ar, "en": unchanged_en}})
    before, after = source.splitlines(), changed.splitlines()
    assert len(before) == len(after)
    assert sum(1 for old, new in zip(before, after) if old != new) == 2  # the fr and ar lines only
    overview = next(a for a in answers_in(changed) if a["id"] == "venue.overview")
    assert overview["text"]["fr"] == new_fr and overview["text"]["ar"] == new_ar
    with pytest.raises(ValueError, match="no answer 'venue.nothing'"):
        with_answer_texts(source, "venue.nothing", {"text": {"fr": "x"}})
    with pytest.raises(ValueError, match="not in the file"):
        with_answer_texts(source, "venue.overview", {"text": {"xx": "x"}})
