"""bot.speedups: each patch gives what Rasa's own code gives, only faster."""

from __future__ import annotations

import asyncio

import dask
import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot import speedups


def test_the_setting_selects_patches_and_rejects_unknown_names():
    assert speedups.selected(None) == list(speedups.PATCHES)
    assert speedups.selected("off") == []
    assert speedups.selected("validator, events") == ["validator", "events"]
    with pytest.raises(ValueError, match="unknown"):
        speedups.selected("validator,turbo")


def test_events_deserialise_to_the_classes_rasas_search_finds(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])  # undone after
    speedups.PATCHES["events"]()
    speedups.PATCHES["events"]()  # patching twice keeps Rasa's search underneath
    search = Event.resolve_by_type.__wrapped__
    assert search.__module__ == "rasa.shared.core.events"
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is search(cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is search(cls.type_name)  # remembered
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    events = [UserUttered("hi", {"name": "greet"}), SlotSet("language", "fr"),
              ActionExecuted("utter_greet"), BotUttered("hello")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_the_depth_first_runner_gives_dask_s_results_for_a_graph_like_rasa_s():
    calls = []

    def node(name):
        def run(*inputs):
            calls.append(name)
            return name, [value for _, value in inputs]
        return run

    graph = {
        "__message__": ("__message__", "hello"),  # an input: a value, not a task
        "tokenizer": (node("tokenizer"), "__message__"),
        "featurizer": (node("featurizer"), "tokenizer"),
        "classifier": (node("classifier"), "featurizer", "tokenizer"),
        "unused": (node("unused"), "__message__"),
    }
    expected = dask.get(graph, ["classifier", "tokenizer"])
    calls.clear()
    assert speedups._run_depth_first(graph, ["classifier", "tokenizer"]) == list(expected)
    assert sorted(calls) == ["classifier", "featurizer", "tokenizer"]  # each needed node once


def test_an_endpoint_keeps_one_session_per_event_loop_with_rasa_s_settings(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)  # undone after the test
    speedups.PATCHES["action_session"]()
    speedups.PATCHES["action_session"]()  # patching twice keeps Rasa's settings underneath
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", headers={"X-Test": "1"})

    async def two_requests():
        async with endpoint.session() as first:
            pass
        async with endpoint.session() as second:
            assert not first.closed  # the request's end does not close it
        return first, second

    first, second = asyncio.run(two_requests())
    assert first is second
    assert first.headers["X-Test"] == "1"
    another_loop, _ = asyncio.run(two_requests())
    assert another_loop is not first
