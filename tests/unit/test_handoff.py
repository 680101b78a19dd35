"""Hand-off to a person without servers: settings, time rules, the two policies, the
registry's claims, and what the desk posts to the organisers (docs/handoff.md)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
import sqlalchemy as sa
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.handoff import SLACK_CHANNEL_ENV, HandoffFileError, HandoffState, load_settings
from bot.plugins.components.handoff_policy import HandoffOfferPolicy, HandoffPolicy
from bot.plugins.handoff.desk import Desk
from bot.plugins.handoff.registry import Handoff, HandoffRegistry
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain"))
BRUSSELS_NOON = datetime.fromisoformat("2026-12-07T12:00:00+01:00")


def settings_file(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load((ROOT / "data" / "handoff.yml").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "handoff.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_projects_settings_load_and_recognise_going_back_in_six_languages():
    settings = load_settings()
    for text in ["Back to the bot!", "retour à l’assistant", "Terug naar de assistent", "volver al asistente",
                 "Zurück zum Bot", "العودة إلى المساعد"]:
        assert settings.is_back_to_assistant(text.replace("’", "'")), text
    assert not settings.is_back_to_assistant("I don't want to go back to the bot yet")
    assert settings.is_organiser_done("Done") and not settings.is_organiser_done("done with the badge? here it is")


@pytest.mark.parametrize("change, named", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"staffed": ["18:00-08:00"]}, "staffed[0]"),
    ({"staffed": ["morning"]}, "staffed[0]"),
    ({"timeout_minutes": 0}, "timeout_minutes"),
    ({"back_to_assistant": {"en": "back"}}, "back_to_assistant.en"),
])
def test_an_invalid_settings_file_is_refused_naming_the_entry(tmp_path, change, named):
    with pytest.raises(HandoffFileError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_settings(settings_file(tmp_path, **change))


def test_staffed_hours_and_the_next_staffed_moment(tmp_path):
    settings = load_settings(settings_file(tmp_path, staffed=["08:00-10:00", "14:00-18:00"]))
    assert not settings.staffed_at(BRUSSELS_NOON)
    assert settings.next_staffed(BRUSSELS_NOON) == datetime.fromisoformat("2026-12-07T14:00:00+01:00")
    evening = datetime.fromisoformat("2026-12-07T19:00:00+01:00")
    assert settings.describe(settings.next_staffed(evening)) == "2026-12-08 08:00 (Europe/Brussels)"
    assert settings.staffed_at(datetime.fromisoformat("2026-12-07T15:00:00+01:00"))
    assert load_settings(settings_file(tmp_path, staffed=[])).staffed_at(BRUSSELS_NOON)  # empty: always


def test_a_handoff_times_out_and_reminds_from_when_organisers_could_answer():
    settings = load_settings()  # 30 minutes, reminder after 10
    opened_at_night = HandoffState("h", opened=0.0, waits_from=3600.0)
    assert not opened_at_night.timed_out(settings, 3600.0 + 29 * 60)
    assert opened_at_night.timed_out(settings, 3600.0 + 30 * 60)
    assert opened_at_night.needs_reminder(settings, 3600.0 + 10 * 60)
    answered = HandoffState("h", 0.0, 0.0, answered=20 * 60.0)
    assert not answered.needs_reminder(settings, 25 * 60.0) and not answered.timed_out(settings, 49 * 60.0)
    assert HandoffState.from_slot(answered.as_slot()) == answered and HandoffState.from_slot(None) is None


# ---- the policies ---------------------------------------------------------------------

class _Context:
    is_finetuning = False


def tracker(*turns: Tuple[str, str], slots: Optional[dict] = None, entities=()) -> DialogueStateTracker:
    """A conversation whose last event is the user's message ``turns[-1]``; earlier turns
    are (text, the bot's action)."""
    events: List = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    events += [SlotSet(name, value) for name, value in (slots or {}).items()]
    *before, (text, intent) = turns
    for said, action in before:
        events += [UserUttered(said, intent={"name": "nlu_fallback"}), ActionExecuted(action),
                   ActionExecuted("action_listen")]
    events.append(UserUttered(text, intent={"name": intent}, entities=list(entities)))
    return DialogueStateTracker.from_events("attendee", events, slots=DOMAIN.slots)


def chosen(policy, conversation) -> Tuple[Optional[str], list]:
    prediction = policy.predict_action_probabilities(conversation, DOMAIN)
    action = DOMAIN.action_names_or_texts[prediction.probabilities.index(1.0)] if max(prediction.probabilities) else None
    return action, prediction.events


@pytest.fixture
def enabled(monkeypatch):
    monkeypatch.setenv(SLACK_CHANNEL_ENV, "C0ORGANISERS")


@pytest.fixture(scope="module")
def offers():
    return HandoffOfferPolicy.create(HandoffOfferPolicy.get_default_config(), None, None, _Context())


@pytest.fixture(scope="module")
def handoffs():
    return HandoffPolicy.create(HandoffPolicy.get_default_config(), None, None, _Context())


OPEN = {"handoff": HandoffState("h1", 1.0, 1.0).as_slot()}


def test_a_request_for_a_person_is_offered_a_handoff_only_when_organisers_can_be_reached(offers, monkeypatch):
    monkeypatch.delenv(SLACK_CHANNEL_ENV, raising=False)
    assert chosen(offers, tracker(("Quiero hablar con una persona", "request_human")))[0] is None
    monkeypatch.setenv(SLACK_CHANNEL_ENV, "C0ORGANISERS")
    assert chosen(offers, tracker(("Quiero hablar con una persona", "request_human")))[0] == "utter_handoff_offer"


def test_the_second_misunderstood_message_in_a_row_is_offered_a_handoff(offers, enabled):
    assert chosen(offers, tracker(("blorp", "nlu_fallback")))[0] is None
    second = tracker(("blorp", "utter_default"), ("zzz", "nlu_fallback"))
    assert chosen(offers, second)[0] == "utter_handoff_offer_fallback"
    after_an_offer = tracker(("blorp", "utter_handoff_offer_fallback"), ("zzz", "nlu_fallback"))
    assert chosen(offers, after_an_offer)[0] is None


def test_yes_opens_a_handoff_in_the_slot(handoffs, enabled):
    action, events = chosen(handoffs, tracker(("/request_human", "request_human"),
                                              entities=[{"entity": "handoff_step", "value": "open"}]))
    assert action == "utter_handoff_opened"
    state = HandoffState.from_slot(next(e.value for e in events if isinstance(e, SlotSet) and e.key == "handoff"))
    assert state is not None and len(state.id) == 32


@pytest.mark.parametrize("text, intent, expected", [
    ("¿Dónde está la sede?", "ask_venue", "action_listen"),  # a person answers, not the assistant
    ("hola", "greet", "action_listen"),
    ("Volver al asistente", "nlu_fallback", "utter_handoff_closed_attendee"),
    ("borra mis datos", "forget_me", None),  # passed through to its rule
])
def test_while_a_handoff_is_open_the_assistant_stays_silent(handoffs, enabled, text, intent, expected):
    action, events = chosen(handoffs, tracker((text, intent), slots=OPEN))
    assert action == expected
    if expected == "utter_handoff_closed_attendee":
        assert SlotSet("handoff", None) in events


def test_the_close_button_closes_and_the_assistant_listens_after_its_own_messages(handoffs, enabled):
    button = tracker(("/request_human", "request_human"), slots=OPEN,
                     entities=[{"entity": "handoff_step", "value": "close"}])
    assert chosen(handoffs, button)[0] == "utter_handoff_closed_attendee"
    button.update(ActionExecuted("utter_handoff_closed_attendee"))
    assert chosen(handoffs, button)[0] == "action_listen"


# ---- the registry and the desk ----------------------------------------------------------

@pytest.fixture
def registry(tmp_path) -> HandoffRegistry:
    return HandoffRegistry(sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}"))


def test_claims_succeed_once(registry):
    registry.add(Handoff("h1", "whatsapp:+32470", "twilio", "whatsapp:+32470", "es", 1.0, 1.0, thread="111.1"))
    assert registry.of_thread("111.1").sender_id == "whatsapp:+32470"
    assert registry.claim_reminder(registry.get("h1")) and not registry.claim_reminder(registry.get("h1"))
    registry.queue("s", "socketio", {"text": "hola"})
    assert registry.take_queued("s", "socketio") == [{"text": "hola"}] and registry.take_queued("s", "socketio") == []
    registry.queue("s", "rest", {"text": "never fetched"})
    assert registry.drop_queued_before(time.time() - 60) == 0 and registry.drop_queued_before(time.time() + 1) == 1
    assert registry.take_queued("s", "rest") == []
    assert registry.remove("h1") and not registry.remove("h1")


class RecordingOrganisers:
    """The organisers' channel, recording instead of calling Slack."""

    def __init__(self) -> None:
        self.posts: List[Tuple[str, Optional[str]]] = []
        self.deleted: List[str] = []

    async def post(self, text: str, thread: Optional[str] = None) -> str:
        self.posts.append((text, thread))
        return f"{len(self.posts)}.0"

    async def delete(self, ts: str) -> bool:
        self.deleted.append(ts)
        return True


def conversation_with_handoff(sender: str = "whatsapp:+32470", opened: float = 1.0) -> DialogueStateTracker:
    state = HandoffState(f"h{opened:.0f}", opened, opened)
    events = [ActionExecuted("action_listen"),
              UserUttered("Mi número es +32 470 12 34 56, ¿dónde está la sede?", timestamp=1.0,
                          intent={"name": "ask_venue"}, input_channel="twilio"),
              SlotSet("language", "es"), BotUttered("En Lamot, Mechelen.", timestamp=2.0),
              UserUttered("/request_human", timestamp=3.0, input_channel="twilio"),
              SlotSet("handoff", state.as_slot()), ActionExecuted("utter_handoff_opened")]
    return DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)


def test_the_desk_posts_a_redacted_summary_relays_once_and_forgets(registry):
    from bot.conversation.redact import redact_text

    organisers = RecordingOrganisers()
    desk = Desk(registry, organisers, redact_text)  # type: ignore[arg-type]
    conversation = conversation_with_handoff()
    asyncio.run(desk.saved(conversation))
    first, thread = organisers.posts[0]
    assert thread is None and "Channel: twilio" in first and "Español (es)" in first
    assert "[phone]" in first and "470" not in first and "En Lamot" in first and "/request_human" not in first

    conversation.update(UserUttered("¿Hay alguien?", timestamp=4.0, input_channel="twilio"))
    asyncio.run(desk.saved(conversation))
    asyncio.run(desk.saved(conversation))  # saved again (an organiser's reply): nothing new to relay
    assert organisers.posts[1:] == [("attendee: ¿Hay alguien?", "1.0")]

    asyncio.run(desk.forget("whatsapp:+32470"))
    assert organisers.deleted == ["2.0", "1.0"] and registry.of_sender("whatsapp:+32470") is None


def test_the_attendee_going_back_closes_the_handoff_with_a_note(registry):
    organisers = RecordingOrganisers()
    desk = Desk(registry, organisers, str)  # type: ignore[arg-type]
    conversation = conversation_with_handoff()
    asyncio.run(desk.saved(conversation))
    conversation.update(UserUttered("volver al asistente", timestamp=5.0))
    conversation.update(SlotSet("handoff", None))
    asyncio.run(desk.saved(conversation))
    assert registry.all_open() == [] and "went back to the assistant" in organisers.posts[-1][0]


def test_messages_of_a_handoff_nobody_answered_are_kept_in_the_inbox(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.tools.reports.tracker import database_url, read_messages
    from bot.tools.reports.unanswered import group_unanswered

    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))

    def handoff(sender: str, question: str, answered: bool) -> None:
        state = HandoffState(f"h-{sender}", 1.0, 1.0)
        conversation = DialogueStateTracker(sender, DOMAIN.slots)
        for event in [UserUttered("/request_human", {"name": "request_human", "confidence": 1.0}),
                      SlotSet("language", "es"), SlotSet("handoff", state.as_slot()),
                      UserUttered(question, {"name": "ask_venue", "confidence": 0.99}),
                      *([SlotSet("handoff", HandoffState(state.id, 1.0, 1.0, answered=2.0).as_slot())] if answered else []),
                      UserUttered("volver al asistente", {"name": "ask_participants", "confidence": 0.98}),
                      SlotSet("handoff", None)]:
            conversation.update(event)
        asyncio.run(store.save(conversation))

    handoff("a", "¿Dónde recojo mi acreditación perdida?", answered=False)
    handoff("b", "¿Hay una sala de oración?", answered=True)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: tracker.db\n", encoding="utf-8")
    groups = group_unanswered(read_messages(database_url(endpoints, tmp_path)))
    assert [(g.language, sorted(g.wordings)) for g in groups] == [("es", ["¿Dónde recojo mi acreditación perdida?"])]


def test_a_worker_that_lost_the_race_to_create_the_tables_uses_them(tmp_path, monkeypatch):
    """Both Sanic workers build the registry at once: one's CREATE fails, the tables exist."""
    from bot.plugins.handoff import registry as module

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    other_worker = HandoffRegistry(engine)
    create_all, attempts = module.METADATA.create_all, []

    def racing(bind, **options):
        attempts.append(bind)
        if len(attempts) == 1:
            raise sa.exc.OperationalError("CREATE TABLE handoffs", {}, Exception("table handoffs already exists"))
        return create_all(bind, **options)

    monkeypatch.setattr(module.METADATA, "create_all", racing)
    HandoffRegistry(engine).queue("s", "rest", {"text": "x"})
    assert len(attempts) == 2 and other_worker.take_queued("s", "rest") == [{"text": "x"}]


def test_the_console_api_lists_replies_and_closes_from_the_stored_conversation(tmp_path, monkeypatch):
    """bot/plugins/handoff/api.py on a real store; Slack unreachable (its posts are only logged)."""
    from types import SimpleNamespace

    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    from bot.plugins.handoff import api
    from bot.plugins.handoff.store import HandoffTrackerStore

    for name, value in {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", SLACK_CHANNEL_ENV: "C0ORG",
                        "SLACK_API_URL": "http://127.0.0.1:9/api"}.items():
        monkeypatch.setenv(name, value)
    store = HandoffTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    agent = SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore(),
                            nlg=TemplatedNaturalLanguageGenerator(DOMAIN.responses))
    conversation = conversation_with_handoff()
    conversation.latest_message.input_channel = "rest"
    asyncio.run(store.save(conversation))

    [listed] = api.open_handoffs(agent)
    assert (listed["id"], listed["channel"], listed["language"], listed["slack_thread"]) == ("h1", "rest", "es", None)
    asyncio.run(api.reply(agent, "h1", "Hola, soy Ana."))
    lines = asyncio.run(api.conversation(agent, "h1"))
    assert lines[0]["text"].startswith("Mi número es [phone]") and lines[-1] == {"author": "organiser",
                                                                                 "text": "Hola, soy Ana."}
    assert store.desk.registry.take_queued("whatsapp:+32470", "rest") == [{"text": "Hola, soy Ana."}]

    asyncio.run(api.close(agent, "h1"))
    assert api.open_handoffs(agent) == []
    [closing] = store.desk.registry.take_queued("whatsapp:+32470", "rest")
    assert closing["text"].startswith("El organizador ha cerrado esta conversación")
    with pytest.raises(api.HandoffNotFound):
        asyncio.run(api.reply(agent, "h1", "¿sigue ahí?"))

    # Slack back: a hand-off it did not take at the opening is posted by the next sweep.
    now = time.time()
    asyncio.run(store.save(conversation_with_handoff("telegram:77", opened=now)))
    store.desk.organisers = RecordingOrganisers()
    asyncio.run(store.desk.sweep(agent))
    assert "Español (es)" in store.desk.organisers.posts[0][0]
    assert store.desk.registry.get(f"h{now:.0f}").thread == "1.0"


def test_a_handoff_left_open_when_the_organisers_channel_was_switched_off_closes(handoffs, monkeypatch):
    monkeypatch.delenv(SLACK_CHANNEL_ENV, raising=False)  # nobody could answer: no silence forever
    assert chosen(handoffs, tracker(("¿Hola?", "greet"), slots=OPEN))[0] == "utter_handoff_closed_attendee"
