"""The console's hand-offs (bot/tools/console/handoffs.py) over the hand-off API on a real
tracker store, Slack recorded: the list with the latest messages as stored, a reply that
reaches the attendee's channel and the Slack thread, Close, bad replies, hand-offs off."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any, Optional

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from bot.conversation.handoff import SLACK_CHANNEL_ENV
from bot.plugins.handoff.desk import CONSOLE_URL_ENV
from bot.plugins.handoff.store import HandoffTrackerStore
from bot.tools.console.handoffs import MAX_REPLY_CHARS, handoff_close, handoff_list, handoff_reply, handoff_view
from bot.tools.console.sessions import Session
from tests.unit.test_handoff import DOMAIN, RecordingOrganisers, conversation_with_handoff

ORGANISER = Session("marie", "csrf")
SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://127.0.0.1:9/api"}


def agent_on(tmp_path) -> SimpleNamespace:
    store = HandoffTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    return SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore(),
                           nlg=TemplatedNaturalLanguageGenerator(DOMAIN.responses))


@pytest.fixture
def agent(tmp_path, monkeypatch):
    """A REST attendee (Spanish) with an open hand-off "h1", posted to the recorded Slack channel."""
    for name, value in {**SLACK, SLACK_CHANNEL_ENV: "C0ORG", CONSOLE_URL_ENV: "https://bot.example.org/admin/"}.items():
        monkeypatch.setenv(name, value)
    agent = agent_on(tmp_path)
    agent.tracker_store.desk.organisers = RecordingOrganisers()
    conversation = conversation_with_handoff()
    conversation.latest_message.input_channel = "rest"
    asyncio.run(agent.tracker_store.save(conversation))
    return agent


def request(agent: Any, body: Optional[Any] = None) -> SimpleNamespace:
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)), json=body,
                           content_type="application/json" if body is not None else None)


def call(handler, agent, *args, body=None) -> tuple[int, dict]:
    reply = asyncio.run(handler(request(agent, body), ORGANISER, *args))
    return reply.status, json.loads(reply.body)


def queued(agent) -> list:
    return agent.tracker_store.desk.registry.take_queued("whatsapp:+32470", "rest")


def test_the_list_shows_each_open_handoff_with_its_latest_messages_as_stored(agent):
    status, body = call(handoff_list, agent)
    [listed] = body["handoffs"]
    assert status == 200 and body["enabled"] is True
    assert (listed["id"], listed["channel"], listed["language"], listed["answered"]) == ("h1", "rest", "es", 0.0)
    assert [line["author"] for line in listed["last"]] == ["attendee", "assistant"]
    assert "[phone]" in listed["last"][0]["text"] and "470" not in listed["last"][0]["text"]
    [(summary, _)] = agent.tracker_store.desk.organisers.posts  # and the Slack post links to it
    assert "https://bot.example.org/admin/#handoffs/h1" in summary


def test_a_reply_reaches_the_attendee_and_the_slack_thread_and_close_ends_the_handoff(agent):
    status, _ = call(handoff_reply, agent, "h1", body={"text": "  Hola, soy Ana. ¿Dónde está?  "})
    assert status == 200
    assert queued(agent) == [{"text": "Hola, soy Ana. ¿Dónde está?"}]  # REST: with the attendee's next message
    assert ("organiser (console): Hola, soy Ana. ¿Dónde está?", "1.0") in agent.tracker_store.desk.organisers.posts
    status, body = call(handoff_view, agent, "h1")
    assert status == 200 and body["lines"][-1] == {"author": "organiser", "text": "Hola, soy Ana. ¿Dónde está?"}
    assert body["handoff"]["answered"] > 0

    assert call(handoff_close, agent, "h1")[0] == 200
    [closing] = queued(agent)
    assert closing["text"].startswith("El organizador ha cerrado esta conversación")
    assert call(handoff_list, agent)[1]["handoffs"] == []
    for handler, body in ((handoff_view, None), (handoff_reply, {"text": "¿Sigue ahí?"}), (handoff_close, None)):
        status, answer = call(handler, agent, "h1", body=body)
        assert status == 404 and "h1" in answer["error"], handler.__name__
    assert queued(agent) == []


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": " \n "}, {"text": 42},
                                  {"text": "x" * (MAX_REPLY_CHARS + 1)}, ["Hola"], None])
def test_a_reply_without_text_or_too_long_is_refused_and_nothing_is_sent(agent, body):
    status, answer = call(handoff_reply, agent, "h1", body=body)
    assert status == 400 and "'text'" in answer["error"]
    assert queued(agent) == [] and call(handoff_view, agent, "h1")[1]["lines"][-1]["author"] == "assistant"


def test_an_unknown_handoff_is_not_found(agent):
    assert call(handoff_view, agent, "not-a-handoff")[0] == 404
    assert call(handoff_reply, agent, "not-a-handoff", body={"text": "Hola"})[0] == 404
    assert call(handoff_close, agent, "not-a-handoff")[0] == 404
    assert [h["id"] for h in call(handoff_list, agent)[1]["handoffs"]] == ["h1"]


def test_with_handoffs_off_the_page_is_told_so(tmp_path, monkeypatch):
    monkeypatch.delenv(SLACK_CHANNEL_ENV, raising=False)
    agent = agent_on(tmp_path)
    status, body = call(handoff_list, agent)
    assert status == 200 and body["enabled"] is False and body["handoffs"] == []
    for handler, sent in ((handoff_view, None), (handoff_reply, {"text": "Hola"}), (handoff_close, None)):
        status, answer = call(handler, agent, "h1", body=sent)
        assert status == 503 and answer["code"] == "off" and SLACK_CHANNEL_ENV in answer["error"], handler.__name__
