"""The hand-off desk: between an attendee's conversation and the organisers' Slack thread.

The dialogue (open, stay silent, close on "back to the assistant") is decided by the
policies (bot/plugins/components/handoff_policy.py) and kept in the ``handoff`` slot.
The desk does what a policy must not: talk to Slack and to the attendee's channel.

* After every saved turn (``saved``, called by the tracker store, which sees every
  write, under the conversation's lock): a newly opened hand-off is posted to the
  organisers' channel (channel, language, the last messages *as stored*, i.e.
  redacted, and a reference); later attendee messages go to its thread; a hand-off
  the attendee closed gets a closing note.
* An organiser's reply in the thread (``organiser_message``, from the Slack webhook of
  any worker, or ``reply`` from the console API) is added to the conversation as a bot
  message (so the web chat's history and every replica see it) and delivered on the
  attendee's channel (bot/plugins/handoff/delivery.py); "done" closes the hand-off.
* Every worker sweeps every few seconds (``sweep``): a hand-off nobody answered for
  ``timeout_minutes`` closes, an attendee nobody answered within ``no_reply_minutes``
  is told their message is kept (data/handoff.yml), and a hand-off Slack did not take
  at its opening is posted again.
* "Forget me" (``forget``) closes the hand-off and deletes the desk's posts, which hold
  the attendee's words, from the thread.

Changes to a conversation are made under its lock (the lock store), read-modify-save,
like a turn of Rasa's; claims on the registry make two workers never close or remind
the same hand-off twice.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.handoff import HandoffState, Line, LiveHandoffSettings, summary
from bot.conversation.languages import load_catalogue
from bot.plugins.components.base import latest_turn_has
from bot.plugins.components.handoff_policy import HANDOFF_SLOT
from bot.plugins.handoff.delivery import deliver
from bot.plugins.handoff.organisers import OrganisersChannel
from bot.plugins.handoff.registry import Handoff, HandoffRegistry

logger = logging.getLogger(__name__)

CONSOLE_URL_ENV = "HANDOFF_CONSOLE_URL"  # the organisers' console: a post links to <url>/#handoffs/<id>
SUMMARY_LINES = 8
# A queued reply (web chat, REST) whose attendee has not come back for this long is deleted.
QUEUED_KEEP_S = 24 * 3600.0
LINE_CHARS = 500
CLOSED_BY_ORGANISER = "utter_handoff_closed_organiser"
CLOSED_BY_TIMEOUT = "utter_handoff_closed_timeout"
WAITING = "utter_handoff_waiting"
NOTES = {
    "attendee": "The attendee went back to the assistant; this hand-off is closed.",
    "organiser": "Closed; the attendee is back with the assistant.",
    "timeout": "Closed: nobody answered for {minutes:g} minutes; the attendee was told and is back with the assistant.",
    "reminded": "Nobody has answered for {minutes:g} minutes; the attendee was told their messages are kept.",
    "forgotten": "The attendee asked to delete their data: their messages were deleted from this thread.",
    "gone": "This hand-off is closed; replies here no longer reach the attendee.",
}


# Events to add to a conversation, given it and its open hand-off.
Changes = Callable[[DialogueStateTracker, HandoffState], Awaitable[List[Any]]]


def touched_handoff(tracker: DialogueStateTracker) -> bool:
    """Whether the latest turn set the ``handoff`` slot (opened or closed a hand-off)."""
    return latest_turn_has(tracker, lambda e: isinstance(e, SlotSet) and e.key == HANDOFF_SLOT)


def attendee_text(event: Any) -> Optional[str]:
    """What the attendee typed (button payloads are not words of theirs)."""
    text = event.text if isinstance(event, UserUttered) else None
    return text if text and not text.startswith("/") else None


class Desk:
    """Posts hand-offs to the organisers, relays both ways, closes them."""

    def __init__(self, registry: HandoffRegistry, organisers: OrganisersChannel, redact: Callable[[str], str]) -> None:
        self.registry = registry
        self.organisers = organisers
        self.redact = redact
        self.settings = LiveHandoffSettings()
        self._languages = load_catalogue()

    # ---- the attendee's side, after each saved turn ----------------------------------

    async def saved(self, tracker: DialogueStateTracker) -> None:
        state = HandoffState.from_slot(tracker.get_slot(HANDOFF_SLOT))
        if state is None and not touched_handoff(tracker):
            return  # the common case: no hand-off, no query
        handoff = self.registry.of_sender(tracker.sender_id)
        if state is None:
            if handoff and self.registry.remove(handoff.id):
                await self.note(handoff, NOTES["attendee"])
            return
        if handoff is None or handoff.id != state.id:
            handoff = self._register(tracker, state)
        if handoff.thread is None:
            await self._post_summary(tracker, handoff)
        else:
            await self._relay(tracker, handoff)

    def _register(self, tracker: DialogueStateTracker, state: HandoffState) -> Handoff:
        message = tracker.latest_message
        channel = (message.input_channel if message else None) or "unknown"
        metadata = (message.metadata if message else None) or {}
        handoff = Handoff(
            id=state.id,
            sender_id=tracker.sender_id,
            channel=channel,
            recipient=str(metadata.get("out_channel") or tracker.sender_id),
            language=str(tracker.get_slot("language") or "en"),
            opened=state.opened,
            waits_from=state.waits_from,
        )
        self.registry.add(handoff)
        logger.info("Hand-off %s opened on %s", handoff.id, channel)
        return handoff

    def lines(self, tracker: DialogueStateTracker, limit: Optional[int] = SUMMARY_LINES) -> List[Line]:
        """The conversation's messages as stored (redacted), the last ``limit`` of them."""
        lines: List[Line] = []
        for event in tracker.events:
            if isinstance(event, BotUttered) and event.text:
                author = str((event.metadata or {}).get("author") or "assistant")
                lines.append(Line(author, self.redact(event.text)[:LINE_CHARS]))
            elif (text := attendee_text(event)) is not None:
                lines.append(Line("attendee", self.redact(text)[:LINE_CHARS]))
        return lines[-limit:] if limit else lines

    def _reference(self, handoff: Handoff) -> str:
        console = os.environ.get(CONSOLE_URL_ENV, "").strip()
        # #handoffs/<id>: the console's Hand-offs area with this one open (web/admin/handoffs.js)
        return f"{console.rstrip('/')}/#handoffs/{handoff.id}" if console else handoff.id

    def _language_name(self, code: str) -> str:
        language = self._languages.languages.get(code)
        return f"{language.name} ({code})" if language else code

    async def _post_summary(self, tracker: DialogueStateTracker, handoff: Handoff) -> None:
        text = summary(
            handoff.channel, self._language_name(handoff.language), self.lines(tracker), self._reference(handoff)
        )
        if handoff.waits_from > time.time():
            text += f"\nOutside staffed hours: the attendee was told someone answers from {self._when(handoff)}."
        thread = await self.organisers.post(text)
        if thread is None:
            return  # Slack unreachable: tried again after the next message or by the next sweep
        self.registry.update(handoff.id, thread=thread, posts=[thread], relayed_until=_latest_user_time(tracker))

    def _when(self, handoff: Handoff) -> str:
        settings = self.settings.get()
        return settings.describe(datetime.fromtimestamp(handoff.waits_from, timezone.utc))

    async def _relay(self, tracker: DialogueStateTracker, handoff: Handoff) -> None:
        posts, relayed_until = list(handoff.posts), handoff.relayed_until
        for event in tracker.events:
            text = attendee_text(event)
            if text is None or event.timestamp <= handoff.relayed_until:
                continue
            posted = await self.organisers.post(f"attendee: {self.redact(text)}", handoff.thread)
            if posted is None:
                break  # the rest goes after the next message
            posts.append(posted)
            relayed_until = event.timestamp
        if relayed_until != handoff.relayed_until:
            self.registry.update(handoff.id, posts=posts, relayed_until=relayed_until)

    async def forget(self, sender_id: str) -> None:
        """The attendee said "forget me": close, and delete our posts of their words."""
        handoff = self.registry.of_sender(sender_id)
        self.registry.forget(sender_id)
        if handoff is None:
            return
        for ts in reversed(handoff.posts):
            await self.organisers.delete(ts)
        await self.note(handoff, NOTES["forgotten"])

    async def _post_late(self, agent: Any, handoff: Handoff) -> None:
        """Post a hand-off Slack did not take at its opening (under the conversation's
        lock, so a turn or another worker doing the same waits and then finds it posted)."""
        async with agent.lock_store.lock(handoff.sender_id):
            current = self.registry.get(handoff.id)
            tracker = await agent.tracker_store.retrieve(handoff.sender_id)
            if current is not None and current.thread is None and tracker is not None:
                await self._post_summary(tracker, current)

    # ---- the organisers' side ---------------------------------------------------------

    async def organiser_message(self, agent: Any, thread: str, text: str) -> None:
        """A message in a thread of the organisers' channel."""
        handoff = self.registry.of_thread(thread)
        if handoff is None:
            await self.organisers.post(NOTES["gone"], thread)
        elif self.settings.get().is_organiser_done(text):
            await self.close(agent, handoff, CLOSED_BY_ORGANISER, NOTES["organiser"])
        elif not await self.reply(agent, handoff, text):
            await self.note(handoff, NOTES["gone"])

    async def reply(self, agent: Any, handoff: Handoff, text: str) -> bool:
        """Add an organiser's reply to the conversation and deliver it; False when the
        hand-off is no longer open."""
        now = time.time()

        async def answered(tracker: DialogueStateTracker, state: HandoffState) -> List[Any]:
            return [
                BotUttered(text, metadata={"handoff": handoff.id, "author": "organiser"}),
                SlotSet(HANDOFF_SLOT, replace(state, answered=now).as_slot()),
            ]

        if not await self._change(agent, handoff, answered):
            self.registry.remove(handoff.id)
            return False
        self.registry.update(handoff.id, answered=now)
        await deliver(self.registry, handoff, {"text": text})
        return True

    async def close(self, agent: Any, handoff: Handoff, response: str, note: str) -> bool:
        """Close with ``response`` to the attendee and ``note`` in the thread; False when
        someone else closed it first."""
        message: Dict[str, Any] = {}
        claimed: List[bool] = []

        def claim() -> bool:
            claimed.append(self.registry.remove(handoff.id))
            return claimed[0]

        async def closed(tracker: DialogueStateTracker, state: HandoffState) -> List[Any]:
            message.update(await self._render(agent, response, tracker, handoff))
            return [SlotSet(HANDOFF_SLOT, None), _bot_message(message, handoff)]

        if await self._change(agent, handoff, closed, claim):
            await deliver(self.registry, handoff, message)
        if not any(claimed):
            return False
        await self.note(handoff, note)
        return True

    async def remind(self, agent: Any, handoff: Handoff, minutes: float) -> None:
        message: Dict[str, Any] = {}

        async def reminded(tracker: DialogueStateTracker, state: HandoffState) -> List[Any]:
            message.update(await self._render(agent, WAITING, tracker, handoff))
            return [SlotSet(HANDOFF_SLOT, replace(state, reminded=True).as_slot()), _bot_message(message, handoff)]

        if await self._change(agent, handoff, reminded, lambda: self.registry.claim_reminder(handoff)):
            await deliver(self.registry, handoff, message)
            await self.note(handoff, NOTES["reminded"].format(minutes=minutes))

    async def sweep(self, agent: Any) -> None:
        """Close the hand-offs nobody answered in time; tell the attendees nobody answered yet;
        drop queued replies nobody came back for in a day."""
        settings = self.settings.get()
        now = time.time()
        staffed = settings.staffed_at(datetime.fromtimestamp(now, timezone.utc))
        self.registry.drop_queued_before(now - QUEUED_KEEP_S)
        for handoff in self.registry.all_open():
            state = HandoffState(handoff.id, handoff.opened, handoff.waits_from, handoff.answered, handoff.reminded)
            if state.timed_out(settings, now):
                note = NOTES["timeout"].format(minutes=settings.timeout_minutes)
                await self.close(agent, handoff, CLOSED_BY_TIMEOUT, note)
            elif handoff.thread is None:
                await self._post_late(agent, handoff)
            elif staffed and state.needs_reminder(settings, now):
                await self.remind(agent, handoff, settings.no_reply_minutes)

    async def note(self, handoff: Handoff, text: str) -> None:
        """A line in the hand-off's thread (none if it never reached Slack)."""
        if handoff.thread:
            await self.organisers.post(text, handoff.thread)

    # ---- changing a conversation from outside a turn ----------------------------------

    async def _change(
        self, agent: Any, handoff: Handoff, events: Changes, claim: Callable[[], bool] = lambda: True
    ) -> bool:
        """Apply ``events(tracker, state)`` to the conversation under its lock and save;
        False when ``claim()`` (made under the lock, so no turn of the attendee runs between
        it and the change) fails or the conversation no longer has this hand-off open."""
        async with agent.lock_store.lock(handoff.sender_id):
            if not claim():
                return False
            tracker = await agent.tracker_store.retrieve(handoff.sender_id)
            state = HandoffState.from_slot(tracker.get_slot(HANDOFF_SLOT)) if tracker else None
            if tracker is None or state is None or state.id != handoff.id:
                return False
            for event in await events(tracker, state):
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        return True

    async def _render(
        self, agent: Any, response: str, tracker: DialogueStateTracker, handoff: Handoff
    ) -> Dict[str, Any]:
        """A response of the domain in the conversation's language, as Rasa renders it."""
        return dict(await agent.nlg.generate(response, tracker, handoff.channel) or {})


def _bot_message(message: Dict[str, Any], handoff: Handoff) -> BotUttered:
    data = {"buttons": message["buttons"]} if message.get("buttons") else {}
    return BotUttered(message.get("text"), data, metadata={"handoff": handoff.id, "author": "assistant"})


def _latest_user_time(tracker: DialogueStateTracker) -> float:
    return max((event.timestamp for event in tracker.events if isinstance(event, UserUttered)), default=0.0)
