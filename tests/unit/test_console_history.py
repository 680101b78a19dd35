"""The console's history (bot/tools/console/history.py): who, when, what, before and after,
newest first, per area and item, shared by the workers through the var folder's file."""

from __future__ import annotations

from bot.tools.console.stores import Stores
from tests.unit.test_console_accounts import Clock


def test_changes_are_kept_with_who_when_what_and_both_versions(tmp_path):
    clock = Clock()
    history = Stores.in_folder(tmp_path).history
    history._clock = clock
    first = history.record("marie", "faq", "wifi", "edit", {"answer_fr": "avant"}, {"answer_fr": "après"})
    clock.now += 60
    second = history.record("jan", "content", "venue.yml", "edit", "old: text\n", "new: text\n")
    clock.now += 60
    third = history.record("marie", "faq", "cloakroom", "create", None, {"id": "cloakroom"})

    other_worker = Stores.in_folder(tmp_path).history  # its own connection to the same file
    assert [c.id for c in other_worker.changes()] == [third, second, first]
    [wifi] = other_worker.changes("faq", "wifi")
    assert (wifi.user, wifi.action, wifi.at) == ("marie", "edit", 1_000_000.0)
    assert (wifi.before, wifi.after) == ({"answer_fr": "avant"}, {"answer_fr": "après"})
    assert other_worker.get(third).before is None
    assert other_worker.get(9999) is None
    assert [c.item for c in other_worker.since("faq", 1_000_030.0)] == ["cloakroom"]
    assert other_worker.get(second).to_dict()["after"] == "new: text\n"
