"""The organisers' Slack channel: where hand-offs are posted and organisers answer in threads.

Through the project's Slack app (the Slack channel's ``SLACK_BOT_TOKEN``, ``SLACK_API_URL``;
docs/channels.md) into ``HANDOFF_SLACK_CHANNEL``. Every post is plain text, escaped, so
nothing an attendee writes becomes a mention or a link. Slack lets a bot delete its own
posts (``chat.delete``), which is how "forget me" removes the attendee's words from the
thread; organisers' own replies can only be deleted by them or a workspace admin.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Mapping, Optional

from bot.conversation.handoff import SLACK_CHANNEL_ENV
from bot.plugins.channels.slack import SlackInput, SlackOutput, escape

logger = logging.getLogger(__name__)


class OrganisersChannelError(ValueError):
    """The hand-off channel is set but the Slack app is not configured."""


class OrganisersChannel:
    """Posts to and deletes from the organisers' Slack channel."""

    def __init__(self, channel: str, slack: Mapping[str, str]) -> None:
        self.channel = channel
        self._slack = SlackOutput(dict(slack))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Optional["OrganisersChannel"]:
        """None when ``HANDOFF_SLACK_CHANNEL`` is unset (no hand-offs); an error naming what is
        missing when it is set without the Slack app."""
        channel = environ.get(SLACK_CHANNEL_ENV, "").strip()
        if not channel:
            return None
        slack = SlackInput.settings_from_environment()
        if not slack:
            raise OrganisersChannelError(
                f"{SLACK_CHANNEL_ENV} is set but the Slack app is not: set SLACK_BOT_TOKEN and "
                "SLACK_SIGNING_SECRET too (docs/handoff.md)."
            )
        return cls(channel, slack)

    def _url(self, method: str) -> str:
        return f"{self._slack.settings['SLACK_API_URL'].rstrip('/')}/{method}"

    async def _call(self, method: str, body: Mapping[str, Any]) -> Any:
        return await self._slack.call_api(
            self._url(method),
            json=dict(body),
            headers={"Authorization": f"Bearer {self._slack.settings['SLACK_BOT_TOKEN']}"},
        )

    async def post(self, text: str, thread: Optional[str] = None) -> Optional[str]:
        """Post ``text`` (in ``thread``); the new message's ts, or None (logged) on failure."""
        body = {"channel": self.channel, "text": escape(text), "unfurl_links": False, "unfurl_media": False}
        if thread:
            body["thread_ts"] = thread
        answer = await self._call("chat.postMessage", body)
        return str(answer["ts"]) if isinstance(answer, dict) and answer.get("ts") else None

    async def delete(self, ts: str) -> bool:
        answer = await self._call("chat.delete", {"channel": self.channel, "ts": ts})
        return isinstance(answer, dict) and bool(answer.get("ok"))

    def is_organisers(self, slack_channel: Optional[str]) -> bool:
        return slack_channel == self.channel
