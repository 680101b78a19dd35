"""The Slack channel that credentials.yml names: attendees' direct messages as before, and
the organisers' replies in hand-off threads.

One Slack app serves both, so both arrive at the same signed webhook
(``/webhooks/slack/webhook``, verified by ``SlackInput``: signature and replay window).
A message in a thread of ``HANDOFF_SLACK_CHANNEL`` goes to the hand-off desk, in the
background like every Slack event; anything else in that channel (the desk's own posts,
mentions) is ignored, so organisers never talk to the assistant there by accident.

Each worker also runs the desk's round (``desk_rounds``): every second it pushes queued
web-chat replies to the sockets it holds, every few seconds it sweeps for hand-offs
that timed out or whose attendee should be told nobody answered yet.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from sanic.request import Request

from bot.plugins.channels.platform import Parsed
from bot.plugins.channels.slack import SlackInput, typed_text
from bot.plugins.handoff.delivery import SOCKETS
from bot.plugins.handoff.store import find_desk

logger = logging.getLogger(__name__)

ROUND_S = 1.0
SWEEP_EVERY = 2  # rounds


def thread_reply(event: Dict[str, Any]) -> Optional[Tuple[str, str]]:
    """(thread ts, text) of a person's reply in a thread; None for anything else."""
    thread = event.get("thread_ts")
    if event.get("type") != "message" or event.get("bot_id") or event.get("subtype"):
        return None
    if not thread or thread == event.get("ts") or not isinstance(event.get("text"), str):
        return None
    return str(thread), typed_text(event["text"])


class HandoffSlackInput(SlackInput):
    """``SlackInput`` that routes the organisers' channel to the hand-off desk."""

    def parse(self, request: Request) -> Parsed:
        body = request.json if "payload" not in request.form else None
        event = (body or {}).get("event") or {}
        desk = find_desk(request.app.ctx.agent.tracker_store)
        if desk is None or not desk.organisers.is_organisers(event.get("channel")):
            return super().parse(request)
        if request.headers.get("X-Slack-Retry-Reason") == "http_timeout":
            return []
        reply = thread_reply(event)
        if reply and reply[1]:
            self.in_background(desk.organiser_message(request.app.ctx.agent, *reply))
        return []

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.listener("after_server_start")
        async def start_rounds(app: Any, _loop: Any) -> None:
            if find_desk(app.ctx.agent.tracker_store) is not None:
                app.add_task(desk_rounds(app))

        return webhook


async def desk_rounds(app: Any) -> None:
    """Push queued web-chat replies every second, sweep every few seconds (this worker)."""
    rounds = 0
    while True:
        await asyncio.sleep(ROUND_S)
        rounds += 1
        try:
            desk = find_desk(app.ctx.agent.tracker_store)
            if desk is None:
                continue
            await SOCKETS.flush_all(desk.registry)
            if rounds % SWEEP_EVERY == 0:
                await desk.sweep(app.ctx.agent)
        except Exception:  # a bad round must not end the rounds
            logger.exception("The hand-off desk's round failed")
