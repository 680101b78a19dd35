"""The programme file: the real one is valid and truthful, broken ones are refused with
the entry named, and the store hot-reloads while keeping the last good programme."""

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.conversation.agenda.loader import PROGRAMME_FILE, ProgrammeError, load_programme
from bot.conversation.agenda.render import strings
from bot.conversation.agenda.live import LiveProgramme
from tests.conftest import LANGS, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "programme_fictional.yml"


def test_the_real_programme_is_valid_and_holds_only_confirmed_items():
    programme = load_programme(PROGRAMME_FILE)
    assert programme.conference.days == (date(2017, 11, 16), date(2017, 11, 17))
    assert not programme.conference.complete
    opening = programme.session("opening")
    assert (opening.day, f"{opening.start:%H:%M}", f"{opening.end:%H:%M}") == (date(2017, 11, 16), "09:00", "10:15")
    discussion = programme.session("guided_discussion")
    assert [p.person for p in discussion.moderators] == ["mohamed_boussraoui"]
    assert (f"{discussion.start:%H:%M}", f"{discussion.end:%H:%M}") == ("10:30", "12:00")
    assert programme.session("thursday_1245").unconfirmed
    assert all(s.room is None for s in programme.sessions), "no room is confirmed by the sources"
    for session in programme.sessions:
        assert session.sources and all(s.startswith("http") for s in session.sources)


def test_the_fictional_fixture_is_marked_as_test_data():
    assert "FICTIONAL TEST DATA" in FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    assert len(load_programme(FIXTURE).sessions) >= 12


def broken(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "programme.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def session(raw, session_id):
    return next(s for s in raw["sessions"] if s["id"] == session_id)


@pytest.mark.parametrize("change,message", [
    (lambda raw: session(raw, "t_youth_side").update(room="Room B"),
     "sessions 't_housing_workshop' and 't_youth_side': overlap in room 'Room B' on 2017-11-16"),
    (lambda raw: session(raw, "t_opening").update(start="10:15", end="09:00"),
     "(id t_opening): end 09:00 is not after start 10:15"),
    (lambda raw: session(raw, "t_plenary_1")["speakers"].append({"person": "nobody"}),
     "(id t_plenary_1).speakers[1]: unknown person 'nobody'"),
    (lambda raw: session(raw, "t_closing")["title"].pop("de"),
     "(id t_closing).title: the 'de' translation is missing or empty"),
    (lambda raw: raw["people"]["ada_test"]["role"].pop("ar"),
     "people.ada_test.role: the 'ar' translation is missing or empty"),
    (lambda raw: session(raw, "t_closing").update(day="2017-11-18"),
     "(id t_closing): day 2017-11-18 is not one of the conference days"),
    (lambda raw: session(raw, "t_closing").update(start="25:00"),
     "(id t_closing): start '25:00' is not a time like 09:30"),
    (lambda raw: session(raw, "t_closing").update(type="party"),
     "(id t_closing): type 'party' is not one of"),
    (lambda raw: session(raw, "t_closing").update(topics=["cooking"]),
     "(id t_closing): unknown topic 'cooking'"),
    (lambda raw: session(raw, "t_closing").update(sources=[]),
     "(id t_closing): needs 'sources'"),
    (lambda raw: session(raw, "t_closing").update(id="t_opening"),
     "id 't_opening' is also used by sessions[0]"),
    (lambda raw: session(raw, "t_closing")["aliases"].append("test opening"),
     "alias 'test opening' is also an alias of"),
])
def test_a_broken_file_is_refused_naming_the_entry(tmp_path, change, message):
    with pytest.raises(ProgrammeError) as error:
        load_programme(broken(tmp_path, change))
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert all(problem.startswith("programme.yml: ") for problem in error.value.problems)


def test_every_problem_is_reported_at_once(tmp_path):
    def two_faults(raw):
        session(raw, "t_opening").update(start="10:15", end="09:00")
        session(raw, "t_closing")["title"].pop("fr")
    with pytest.raises(ProgrammeError) as error:
        load_programme(broken(tmp_path, two_faults))
    assert len(error.value.problems) == 2


def test_invalid_yaml_is_refused(tmp_path):
    path = tmp_path / "programme.yml"
    path.write_text("sessions: [unclosed", encoding="utf-8")
    with pytest.raises(ProgrammeError, match="programme.yml: not valid UTF-8 YAML"):
        load_programme(path)


def _touch_later(path: Path) -> None:
    """Make sure the next stat sees a new modification time even on coarse clocks."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_store_reloads_an_edit_and_keeps_the_last_good_programme(tmp_path):
    path = tmp_path / "programme.yml"
    shutil.copy(FIXTURE, path)
    store = LiveProgramme(path)
    assert store.get().session("t_opening").room == "Hall A"

    path.write_text(path.read_text(encoding="utf-8").replace("room: Hall A", "room: Hall Z", 1), encoding="utf-8")
    _touch_later(path)
    assert store.get().session("t_opening").room == "Hall Z"

    path.write_text("sessions: [unclosed", encoding="utf-8")
    _touch_later(path)
    assert store.get().session("t_opening").room == "Hall Z"  # the last good one
    assert "not valid UTF-8 YAML" in str(store.last_error)


def test_store_without_any_valid_programme_raises(tmp_path):
    path = tmp_path / "programme.yml"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ProgrammeError):
        LiveProgramme(path).get()


def test_every_sentence_exists_in_every_language_with_the_same_placeholders():
    table = strings()
    for key, texts in table["text"].items():
        assert sorted(texts) == sorted(LANGS), key
        placeholders = {code: sorted(re.findall(r"{(\w+)}", text)) for code, text in texts.items()}
        assert len({tuple(p) for p in placeholders.values()}) == 1, (key, placeholders)
    for group in ("weekdays", "months", "parts", "types"):
        assert sorted(table[group]) == sorted(LANGS), group
        assert len({len(v) for v in table[group].values()}) == 1, group
