"""Numbered options out, a number or an option's title back in, read from the tracker."""

import asyncio

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.channels.choices import chosen_payload, numbered_list, pending_buttons, resolve_choice

BUTTONS = [
    {"title": "Venue", "payload": "/ask_venue"},
    {"title": "Cómo llegar", "payload": "/ask_travel"},
    {"title": "Programme", "payload": "/ask_programme"},
]


def test_numbered_list_shows_text_then_one_numbered_line_per_option():
    assert numbered_list("Choose a topic:", BUTTONS) == "Choose a topic:\n\n1. Venue\n2. Cómo llegar\n3. Programme"


def test_a_number_selects_that_option():
    assert chosen_payload("2", BUTTONS) == "/ask_travel"
    assert chosen_payload(" 3. ", BUTTONS) == "/ask_programme"
    assert chosen_payload("٢", BUTTONS) == "/ask_travel"  # Arabic-Indic digit


def test_the_title_selects_that_option_ignoring_case_and_accents():
    assert chosen_payload("como llegar", BUTTONS) == "/ask_travel"


def test_other_answers_select_nothing():
    for reply in ("0", "4", "2 please", "where is the venue?", ""):
        assert chosen_payload(reply, BUTTONS) is None


def test_only_options_offered_since_the_user_last_spoke_count():
    offered = BotUttered("Choose", data={"buttons": BUTTONS})
    assert pending_buttons([UserUttered("help"), offered]) == BUTTONS
    assert pending_buttons([offered, UserUttered("Where?"), BotUttered("In Mechelen")]) == []
    assert pending_buttons([offered, BotUttered("Or type a question")]) == BUTTONS


def _store_with(events):
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker.from_events("u1", events)
    asyncio.run(store.save(tracker))
    return store


def test_a_reply_to_offered_options_becomes_the_payload_via_the_tracker_store():
    store = _store_with([UserUttered("help"), BotUttered("Choose", data={"buttons": BUTTONS})])
    assert asyncio.run(resolve_choice(store, "u1", "2")) == "/ask_travel"
    assert asyncio.run(resolve_choice(store, "u1", "What is the programme?")) == "What is the programme?"


def test_a_number_without_offered_options_stays_text():
    store = _store_with([UserUttered("hi"), BotUttered("Hello!")])
    assert asyncio.run(resolve_choice(store, "u1", "2")) == "2"
    assert asyncio.run(resolve_choice(store, "nobody", "2")) == "2"
