"""Rasa's SQL tracker store with redaction, "forget me", a size cap and clear failures.

It builds on :class:`bot.plugins.tracker_store.sql.ResilientSQLTrackerStore` (bounded start-up check,
outage retries, the SQLite fast path). Configured in endpoints.yml (SQLite or
PostgreSQL, the same keys as ``type: SQL``)::

    tracker_store:
      type: bot.plugins.tracker_store.privacy.PrivacyTrackerStore
      dialect: sqlite
      db: var/tracker.db
      redact_personal_data: true   # default
      max_events: 1000             # default

Why here: Rasa saves the whole tracker after every turn, so anything done elsewhere
(the action server deleting rows, say) would be undone by the next save. The store is
the one place that sees every write:

- **redaction**: e-mail addresses and phone numbers are replaced before the events are
  written; the turn that contained them was already understood and answered;
- **forget me**: a turn that ran ``utter_forget_me_done`` deletes every stored event of
  the conversation instead of saving it;
- **size cap**: a conversation session longer than ``max_events`` gets a new session
  (language and other slots carried over), so loading it stays fast;
- **failures**: a database error is logged and recorded for the channel that is
  handling the message (:func:`watch_storage`). Rasa wraps every tracker store in a
  ``FailSafeTrackerStore`` that swallows the error and keeps the turn in memory only,
  so the user would get an answer and the conversation would silently never reach the
  database; our channels answer 503 / "please send it again" instead once the
  outage outlasts the retries of ``ResilientSQLTrackerStore``. Pooled connections are
  checked before use, so storage resumes by itself when the database returns.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sqlalchemy.exc import SQLAlchemyError

from bot.conversation.redact import redact_value
from bot.plugins.components.base import latest_turn_has
from bot.plugins.tracker_store.sql import ResilientSQLTrackerStore

logger = logging.getLogger(__name__)

FORGET_ME_ACTION = "utter_forget_me_done"
DEFAULT_MAX_EVENTS = 1000

T = TypeVar("T")

# Failures during the message being handled in this task (see watch_storage).
_FAILURES: ContextVar[Optional[List[str]]] = ContextVar("tracker_store_failures", default=None)


class TrackerStoreUnavailable(RasaException):
    """The conversation database cannot be read or written right now."""


@contextmanager
def watch_storage() -> Iterator[List[str]]:
    """Collect the tracker store's failures while a channel handles one message.

    Rasa awaits the store in the channel's own task, so a context variable carries
    the failures back past the ``FailSafeTrackerStore`` that hides them::

        with watch_storage() as failures:
            await on_new_message(message)
        if failures: ...  # answer "not saved, please send it again"
    """
    failures: List[str] = []
    token = _FAILURES.set(failures)
    try:
        yield failures
    finally:
        _FAILURES.reset(token)


def forget_requested(tracker: DialogueStateTracker) -> bool:
    """Whether the latest turn (after the last user message) ran the forget-me reply."""
    return latest_turn_has(tracker, lambda e: isinstance(e, ActionExecuted) and e.action_name == FORGET_ME_ACTION)


def session_reset_events(slots: Dict[Text, Any]) -> List[Event]:
    """A new session, like Rasa's own ``action_session_start``, keeping ``slots``."""
    return [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        *(SlotSet(name, value) for name, value in slots.items()),
        ActionExecuted(ACTION_LISTEN_NAME),
    ]


class PrivacyTrackerStore(ResilientSQLTrackerStore):
    """SQLTrackerStore that redacts, forgets on request, caps sessions and fails clearly."""

    def __init__(
        self,
        *args: Any,
        redact_personal_data: bool = True,
        max_events: int = DEFAULT_MAX_EVENTS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.redact_personal_data = bool(redact_personal_data)
        self.max_events = int(max_events)

    async def _guarded(self, what: str, sender_id: Text, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except SQLAlchemyError as error:
            logger.error("Tracker store unavailable (%s %s): %s", what, sender_id, error.__class__.__name__)
            failures = _FAILURES.get()
            if failures is not None:
                failures.append(what)
            raise TrackerStoreUnavailable(
                f"The conversation store is unavailable; could not {what} conversation {sender_id!r}."
            ) from error

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._guarded("read", sender_id, lambda: super(PrivacyTrackerStore, self).retrieve(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if forget_requested(tracker):
            deleted = await self._guarded("delete", tracker.sender_id, lambda: self.delete(tracker.sender_id))
            logger.info("Forgot conversation on request (%d events deleted)", deleted)
            return
        if len(tracker.events) > self.max_events:
            tracker = self._with_new_session(tracker)
        await self._guarded("save", tracker.sender_id, lambda: super(PrivacyTrackerStore, self).save(tracker))

    def stored_data(self, event: Event) -> Dict[Text, Any]:
        """The event redacted. Only the events a save adds pass here (the stored ones
        already did), so a turn costs the same however long the conversation is."""
        data = event.as_dict()
        return redact_value(data) if self.redact_personal_data else data

    def _with_new_session(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The tracker followed by a new session that carries its slots over."""
        logger.info("Conversation longer than %d events: starting a new session", self.max_events)
        carried = {
            name: value
            for name, value in tracker.current_slot_values().items()
            if value is not None and self._carries_over(name)
        }
        events = [event.as_dict() for event in tracker.events]
        events += [event.as_dict() for event in session_reset_events(carried)]
        slots = self.domain.slots if self.domain else []
        return DialogueStateTracker.from_dict(tracker.sender_id, events, slots)

    def _carries_over(self, slot: Text) -> bool:
        return not slot.startswith("session_started") and (
            self.domain is None or self.domain.session_config.carry_over_slots
        )

    async def delete(self, sender_id: Text) -> int:
        """Delete every stored event of one conversation; returns how many."""
        if self._cache is not None:
            self._cache.forget(sender_id)
        with self.session_scope() as session:
            count = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return count

    def purge(self, older_than_seconds: float, now: Optional[float] = None) -> int:
        """Delete conversations whose latest event is older than the limit; returns how many."""
        cutoff = (time.time() if now is None else now) - older_than_seconds
        with self.session_scope() as session:
            stale = (
                session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(sa.func.max(self.SQLEvent.timestamp) < cutoff)
                .all()
            )
            sender_ids = [sender_id for (sender_id,) in stale]
            for start in range(0, len(sender_ids), 500):
                chunk = sender_ids[start : start + 500]
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id.in_(chunk)).delete(
                    synchronize_session=False
                )
            session.commit()
        return len(sender_ids)
