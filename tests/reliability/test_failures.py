"""Failing parts: the action server down, slow or crashed, broken content (a Rasa crash:
tests/e2e/test_persistence.py).

Elapsed times are printed (``-s``) and recorded in docs/reliability.md, never asserted.
"""

from __future__ import annotations

import time

import pytest

from tests.reliability.conftest import new_sender, response_text
from tests.support.servers import ACTIONS

VENUE_FR = "Où se déroule la conférence ?"
VENUE_EN = "Where does the conference take place?"


def timed(stack, text, sender):
    started = time.monotonic()
    reply = stack.say(text, sender)
    print(f"\n{text!r}: {time.monotonic() - started:.1f} s")
    return reply


def test_action_server_down_gives_an_apology_and_recovers_without_restart(stack):
    sender = new_sender()
    assert "Lamot" in stack.say(VENUE_FR, sender)
    stack.action_proxy.cut()  # connections refused, as when the action server is down
    try:
        assert timed(stack, VENUE_FR, sender) == response_text("utter_action_unavailable", "fr")
        # Answers that need no action keep working, in the conversation language.
        assert stack.say("Bonjour !", sender) == response_text("utter_greet", "fr")
    finally:
        stack.action_proxy.restore()
    assert "Lamot" in stack.say(VENUE_FR, sender)


def test_action_server_slower_than_its_timeout_gives_an_apology(stack):
    sender = new_sender()
    stack.action_proxy.stall()
    try:
        assert timed(stack, "Wo findet die Konferenz statt?", sender) == \
            response_text("utter_action_unavailable", "de")
    finally:
        stack.action_proxy.restore()
    assert "Lamot" in stack.say("Wo findet die Konferenz statt?", sender)


def test_broken_content_keeps_the_last_good_answers_and_names_the_file_and_entry(stack):
    venue = stack.content / "venue.yml"
    good = venue.read_text(encoding="utf-8")
    assert "Lamot" in stack.say(VENUE_EN)
    # An organiser deletes the French text of the first answer while the bot runs.
    broken = good.replace("      fr: \"La conférence s'est tenue au centre", "      xx: \"La conférence s'est tenue", 1)
    assert broken != good
    venue.write_text(broken, encoding="utf-8")
    try:
        assert "Lamot" in stack.say(VENUE_FR)
        log = (stack.logs / "actions.log").read_text(encoding="utf-8", errors="replace")
        assert "venue.yml" in log and "venue.overview" in log
    finally:
        venue.write_text(good, encoding="utf-8")
    assert "Lamot" in stack.say(VENUE_EN)


@pytest.mark.parametrize("language, question", [
    ("en", VENUE_EN), ("es", "¿Dónde se celebra la conferencia?"), ("ar", "أين يعقد المؤتمر؟"),
    ("nl", "Waar vindt de conferentie plaats?"),
])
def test_the_apology_is_in_the_users_language(stack, language, question):
    stack.action_proxy.cut()
    try:
        assert stack.say(question) == response_text("utter_action_unavailable", language)
    finally:
        stack.action_proxy.restore()


def test_a_crashed_action_server_is_restarted_by_make_run(stack):
    sender = new_sender()
    assert "Lamot" in stack.say(VENUE_EN, sender)
    crashed = stack.servers.crash(ACTIONS)
    started = time.monotonic()
    restarted = stack.servers.recovered(ACTIONS, crashed)
    print(f"\naction server back after {time.monotonic() - started:.1f} s")
    assert restarted != crashed
    assert "Lamot" in stack.say(VENUE_EN, sender)
    log = (stack.logs.parent.parent / "make-run.log").read_text(encoding="utf-8", errors="replace")
    assert f"action server exited with code -9; restarting in 1 s" in log
