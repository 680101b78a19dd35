"""bot.plugins.patches: each patch gives what Rasa's own code gives, only faster; nothing is
patched on import or on another Rasa version, and ``active`` sees what is in place."""

from __future__ import annotations

import asyncio

import dask
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.plugins import fastjson
from bot.plugins import patches as speedups
from tests.conftest import ROOT


def _installed(monkeypatch, owner: type, attribute: str, patch: str):
    """Rasa's function under the speed-up ``patch``, installed twice (which must keep Rasa's
    function underneath) and undone after the test."""
    monkeypatch.setattr(owner, attribute, owner.__dict__[attribute])
    speedups.SPEEDUPS[patch]()
    speedups.SPEEDUPS[patch]()
    assert patch in speedups.active()
    return getattr(owner, attribute).__wrapped__


def test_the_validator_is_built_when_installed_and_accepts_a_typical_reply(monkeypatch):
    from rasa.core.actions.action import RemoteAction

    monkeypatch.setattr(speedups, "_VALIDATORS", {})
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction.__dict__["_validate_action_result"])
    speedups.SPEEDUPS["validator"]()
    assert RemoteAction in speedups._VALIDATORS  # before the workers fork, not on a first action
    assert speedups.validate_action_result(RemoteAction("action_answer", None), speedups.TYPICAL_REPLY)


def test_the_setting_selects_patches_and_rejects_unknown_names():
    assert speedups.selected(None) == list(speedups.SPEEDUPS)
    assert speedups.selected("off") == []
    assert speedups.selected("validator, events") == ["validator", "events"]
    with pytest.raises(ValueError, match="unknown"):
        speedups.selected("validator,turbo")


def test_events_deserialise_to_the_classes_rasas_search_finds(monkeypatch):
    search = _installed(monkeypatch, Event, "resolve_by_type", "events")
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
    _installed(monkeypatch, EndpointConfig, "session", "action_session")
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
    assert first._json_serialize is fastjson.dumps  # the request encoded by ujson


def test_a_domain_is_empty_exactly_when_rasa_says_so(monkeypatch):
    rasa_is_empty = _installed(monkeypatch, Domain, "is_empty", "domain_empty")
    assert rasa_is_empty.__module__ == "rasa.shared.core.domain"
    domains = [Domain.empty(), Domain.from_dict({}), Domain.from_yaml("version: '3.1'"),
               Domain.from_yaml("version: '3.1'\nintents: [greet]"), Domain.load(str(ROOT / "domain.yml"))]
    assert [domain.is_empty() for domain in domains] == [rasa_is_empty(domain) for domain in domains]
    assert [domain.is_empty() for domain in domains] == [True, True, True, False, False]




def test_a_stored_domain_loads_as_rasa_loads_it(monkeypatch, tmp_path):
    """The project's domain, stored as Rasa's DomainProvider stores it at training."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.graph_components.providers.domain_provider import DomainProvider

    rasa_load = _installed(monkeypatch, DomainProvider, "load", "domain_load")
    storage, resource = LocalModelStorage(tmp_path), Resource("domain_provider")
    with storage.write_to(resource) as directory:
        Domain.load(str(ROOT / "domain")).persist(directory / speedups.DOMAIN_FILE)
    arguments = ({}, storage, resource, ExecutionContext(GraphSchema({}), "domain_provider"))
    ours = DomainProvider.load(*arguments).provide_inference()
    rasas = rasa_load(DomainProvider, *arguments).provide_inference()
    assert ours.as_dict() == rasas.as_dict() and len(ours.responses) > 20 and ours.intents == rasas.intents


def test_the_patched_domain_load_passes_rasas_graph_validation(monkeypatch):
    """Rasa validates a model's graph by its components' resolved type hints (a publish
    trains with the patches in place): the patched ``load`` must resolve like Rasa's."""
    from rasa.engine.validation import _get_type_hints
    from rasa.graph_components.providers.domain_provider import DomainProvider

    rasa_load = _installed(monkeypatch, DomainProvider, "load", "domain_load")
    hints = _get_type_hints(DomainProvider, DomainProvider.load)
    assert hints == _get_type_hints(DomainProvider, rasa_load) and "model_storage" in hints


def test_a_training_without_cache_fingerprints_nothing_and_one_with_cache_is_rasa_s(monkeypatch, tmp_path):
    """Both hooks of a training node: with the cache off, no fingerprint is computed and
    nothing stored; with it on, Rasa's fingerprint key and stored output."""
    from rasa.engine.caching import CACHE_SIZE_ENV, LocalTrainingCache
    from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.training.hooks import TrainingHook
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    monkeypatch.setattr(TrainingHook, "on_after_node", TrainingHook.__dict__["on_after_node"])
    _installed(monkeypatch, TrainingHook, "on_before_node", "training_hook")
    fingerprinted = []
    original = TrainingData.fingerprint
    monkeypatch.setattr(TrainingData, "fingerprint", lambda self: fingerprinted.append(self) or original(self))
    schema = GraphSchema({"tokenizer": SchemaNode({}, WhitespaceTokenizer, "create", "process_training_data", {})})
    context = ExecutionContext(schema, node_name="tokenizer")
    data = TrainingData([Message(data={"text": "hello there", "intent": "greet"})])

    def run_hooks(cache_size: str) -> LocalTrainingCache:
        monkeypatch.setenv(CACHE_SIZE_ENV, cache_size)
        monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / f"cache-{cache_size}"))
        cache = LocalTrainingCache()
        hook = TrainingHook(cache, LocalModelStorage(tmp_path / f"storage-{cache_size}"), schema)
        remembered = hook.on_before_node("tokenizer", context, {}, {"training_data": data})
        hook.on_after_node("tokenizer", context, {}, data, remembered)
        return cache

    run_hooks("0")
    assert fingerprinted == []
    cache = run_hooks("1000")
    assert fingerprinted  # Rasa's keys and output fingerprint
    from rasa.engine.training import fingerprinting

    key = fingerprinting.calculate_fingerprint_key(WhitespaceTokenizer, {}, {"training_data": data})
    assert cache.get_cached_output_fingerprint(key) == data.fingerprint()


@pytest.fixture
def rasa_as_shipped(monkeypatch):
    """Rasa's own functions in every patched place during the test; as before, after."""
    import importlib

    for module_name, class_name, attribute in speedups.TARGETS.values():
        owner = importlib.import_module(module_name)
        owner = getattr(owner, class_name) if class_name else owner
        current = owner.__dict__[attribute]
        if isinstance(current, (staticmethod, classmethod)):
            monkeypatch.setattr(owner, attribute, type(current)(speedups._original(current.__func__)))
        else:
            monkeypatch.setattr(owner, attribute, speedups._original(current))
    assert speedups.active() == ()


def test_nothing_is_patched_on_another_rasa_version(monkeypatch, rasa_as_shipped):
    import rasa
    import rasa.core.actions.action as rasa_actions

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    monkeypatch.setattr(rasa_actions, "DEFAULT_REQUEST_TIMEOUT", 300)
    assert speedups.apply() == ()
    assert speedups.active() == ()
    assert speedups.set_action_timeout(3.0) is False and rasa_actions.DEFAULT_REQUEST_TIMEOUT == 300


def test_the_pinned_version_gets_every_selected_patch(monkeypatch, rasa_as_shipped):
    import rasa.core.actions.action as rasa_actions

    monkeypatch.setenv(speedups.DISABLE_ENV, "events,domain_empty")
    monkeypatch.setattr(rasa_actions, "DEFAULT_REQUEST_TIMEOUT", 300)
    assert speedups.supported()
    assert speedups.apply() == ("events", "domain_empty") == speedups.active()
    assert speedups.set_action_timeout(3.0) is True and rasa_actions.DEFAULT_REQUEST_TIMEOUT == 3.0
    monkeypatch.setenv(speedups.DISABLE_ENV, "on")
    assert set(speedups.apply()) == set(speedups.SPEEDUPS)


def test_importing_the_plugins_patches_nothing():
    """The tracker store, lock store, channels and components change no Rasa internals
    by being imported (they once installed the patches as a side effect)."""
    import subprocess
    import sys

    code = ("import bot.plugins.tracker_store.privacy, bot.plugins.lock_store, bot.plugins.channels.rest, "
            "bot.plugins.channels.socketio, bot.plugins.components.rule_policy, "
            "bot.plugins.components.count_vectors, bot.plugins.components.action_failure\n"
            "from bot.plugins import patches; print(','.join(patches.active()))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""
