"""What the organisers' console (issue 20) calls to work on hand-offs, beside Slack.

Each function takes the Rasa agent of the worker serving the request
(``request.app.ctx.agent`` in a Sanic route) and works from any worker or replica: the
state is in the conversation and the registry, replies are delivered like Slack
replies (bot/plugins/handoff/desk.py). They raise ``HandoffsOff`` when hand-offs are not
configured and ``HandoffNotFound`` for an id that is not open (answer 404). The console
authenticates organisers; nothing here does.
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot.plugins.handoff.desk import CLOSED_BY_ORGANISER, NOTES, Desk
from bot.plugins.handoff.registry import Handoff
from bot.plugins.handoff.store import find_desk


class HandoffsOff(LookupError):
    """HANDOFF_SLACK_CHANNEL is not set: there are no hand-offs."""


class HandoffNotFound(LookupError):
    """No open hand-off has this id (closed meanwhile, or never existed)."""


def _desk(agent: Any) -> Desk:
    desk = find_desk(agent.tracker_store)
    if desk is None:
        raise HandoffsOff("hand-offs are off: HANDOFF_SLACK_CHANNEL is not set (docs/handoff.md)")
    return desk


def _open(desk: Desk, handoff_id: str) -> Handoff:
    handoff = desk.registry.get(handoff_id)
    if handoff is None:
        raise HandoffNotFound(handoff_id)
    return handoff


def open_handoffs(agent: Any) -> List[Dict[str, Any]]:
    """The open hand-offs, oldest first: id, channel, language, times (seconds since the
    epoch: opened, organisers could answer from, last answered or 0), the Slack thread."""
    return [
        {
            "id": h.id,
            "channel": h.channel,
            "language": h.language,
            "opened": h.opened,
            "waits_from": h.waits_from,
            "answered": h.answered,
            "slack_thread": h.thread,
        }
        for h in _desk(agent).registry.all_open()
    ]


async def conversation(agent: Any, handoff_id: str) -> List[Dict[str, str]]:
    """The hand-off's conversation as stored (redacted): [{"author", "text"}], oldest first."""
    desk = _desk(agent)
    handoff = _open(desk, handoff_id)
    tracker = await agent.tracker_store.retrieve(handoff.sender_id)
    if tracker is None:
        raise HandoffNotFound(handoff_id)
    return [{"author": line.author, "text": line.text} for line in desk.lines(tracker, limit=None)]


async def reply(agent: Any, handoff_id: str, text: str) -> None:
    """Send an organiser's reply to the attendee (also posted to the Slack thread, so
    organisers on Slack see it)."""
    desk = _desk(agent)
    handoff = _open(desk, handoff_id)
    if not await desk.reply(agent, handoff, text):
        raise HandoffNotFound(handoff_id)
    await desk.note(handoff, f"organiser (console): {text}")


async def close(agent: Any, handoff_id: str) -> None:
    """Close the hand-off as an organiser's "done" does."""
    desk = _desk(agent)
    if not await desk.close(agent, _open(desk, handoff_id), CLOSED_BY_ORGANISER, NOTES["organiser"]):
        raise HandoffNotFound(handoff_id)
