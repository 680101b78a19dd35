"""The tracker store that endpoints.yml names: the privacy store, plus the hand-off desk.

The desk must see every saved turn of a conversation with a hand-off (to post it to the
organisers, relay the attendee's messages, notice a close or "forget me"), and the
store is the one place every turn passes, on every channel, under the conversation's
lock, with the text exactly as stored (redacted). With ``HANDOFF_SLACK_CHANNEL`` unset
there is no desk and this is the privacy store unchanged (docs/handoff.md).

A failure of the desk (Slack down, a bug) is logged and never fails the turn: the
conversation is saved first, and an unposted hand-off is posted after the next turn.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Optional

from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.redact import redact_text
from bot.plugins.handoff.desk import Desk
from bot.plugins.handoff.organisers import OrganisersChannel
from bot.plugins.handoff.registry import HandoffRegistry
from bot.plugins.tracker_store.privacy import PrivacyTrackerStore, forget_requested

logger = logging.getLogger(__name__)


class HandoffTrackerStore(PrivacyTrackerStore):
    """PrivacyTrackerStore that hands each saved turn to the hand-off desk."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisers = OrganisersChannel.from_environment()
        self.desk: Optional[Desk] = (
            Desk(HandoffRegistry(self.engine), organisers, self.as_stored) if organisers else None
        )

    def as_stored(self, text: str) -> str:
        """``text`` as this store writes it (redacted unless switched off)."""
        return redact_text(text) if self.redact_personal_data else text

    async def save(self, tracker: DialogueStateTracker) -> None:
        forgotten = forget_requested(tracker)
        await super().save(tracker)
        if self.desk is not None:
            await _logged(self.desk.forget(tracker.sender_id) if forgotten else self.desk.saved(tracker))


async def _logged(work: Awaitable[None]) -> None:
    try:
        await work
    except Exception:  # the turn is saved; the desk tries again after the next one
        logger.exception("The hand-off desk failed after a saved turn")


def find_desk(tracker_store: Any) -> Optional[Desk]:
    """The desk of the server's tracker store (Rasa wraps it: FailSafe, Awaitable), if any."""
    store = tracker_store
    for _ in range(4):
        if isinstance(store, HandoffTrackerStore):
            return store.desk
        store = getattr(store, "_tracker_store", None)
    return None
