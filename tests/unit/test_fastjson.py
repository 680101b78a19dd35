"""bot.plugins.fastjson: ujson's text decodes to what Python's json gives, both ways."""

from __future__ import annotations

import json
import random

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.plugins import fastjson


def tracker_state() -> dict:
    """A tracker's state as Rasa sends it to the action server, in several scripts."""
    events = [ActionExecuted("action_listen"),
              UserUttered("Waar is de conferentie? / أين المؤتمر؟ ¿Dónde? Straße", {
                  "name": "ask_venue", "confidence": 0.9123456789012345},
                  entities=[{"entity": "day", "value": "2017-11-16"}],
                  parse_data={"text": "x", "intent_ranking": [{"name": "ask_venue", "confidence": 1e-300}]}),
              SlotSet("language", "nl"), SlotSet("shown", [1, 2.5, None, True, {"nested": "😀"}]),
              ActionExecuted("action_answer"),
              BotUttered("Nekkerhal, Mechelen", {"elements": None}, {"language": "nl"}),
              ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("ünïcode", events).current_state(EventVerbosity.ALL)


def test_encoding_decodes_to_what_json_gives():
    state = tracker_state()
    assert json.loads(fastjson.dumps(state)) == json.loads(json.dumps(state))
    assert fastjson.dumps(state) != json.dumps(state)  # ujson wrote it, not json


def test_what_neither_encodes_raises_json_s_error():
    with pytest.raises(TypeError, match="not JSON serializable"):
        fastjson.dumps({"value": object()})


def test_decoding_what_json_wrote_gives_json_s_values():
    numbers = random.Random(3)
    values = [tracker_state(), [numbers.random() * 10 ** numbers.randint(-30, 30) for _ in range(20_000)],
              {"lone surrogate": "\ud800", "emoji": "😀", "big": 2 ** 70}]
    for value in values:
        text = json.dumps(value)
        assert fastjson.loads(text) == json.loads(text)
