"""The conference clock: what "now", "next", "tomorrow" and "after the event" are measured against.

Real time by default. For demonstrations and tests the action server can be started
with ``BOT_CLOCK=2017-11-16T10:45`` (local conference time, or any ISO time with an
offset); the clock then stands still at that moment. The agenda (relative times), the
knowledge base and the FAQ (answers that differ once the conference is over) share it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Optional
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

CLOCK_ENV = "BOT_CLOCK"
CONFERENCE_TIMEZONE = ZoneInfo("Europe/Brussels")
# The conference ran on 16 and 17 November 2017; it is over from midnight after the last day.
# (data/programme/programme.yml lists the same days; a unit test keeps the two in step.)
CONFERENCE_END = datetime(2017, 11, 18, 0, 0, tzinfo=CONFERENCE_TIMEZONE)


@dataclass(frozen=True)
class Clock:
    """Real time, or a fixed moment (naive values are conference local time)."""

    fixed: Optional[datetime] = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Clock":
        """The clock ``BOT_CLOCK`` asks for; a malformed value is logged and ignored."""
        value = environ.get(CLOCK_ENV, "").strip()
        if not value:
            return cls()
        try:
            return cls(datetime.fromisoformat(value))
        except ValueError:
            logger.error("%s=%r is not an ISO date-time such as 2017-11-16T10:45; using real time", CLOCK_ENV, value)
            return cls()

    def now(self, tz: ZoneInfo = CONFERENCE_TIMEZONE) -> datetime:
        if self.fixed is None:
            return datetime.now(tz)
        if self.fixed.tzinfo is None:
            return self.fixed.replace(tzinfo=tz)
        return self.fixed.astimezone(tz)

    def after_event(self) -> bool:
        """True once the conference is over (from 18 November 2017, 00:00 in Brussels)."""
        return is_after_event(self.now(CONFERENCE_TIMEZONE))


def is_after_event(moment: datetime) -> bool:
    """Whether ``moment`` (aware) is after the end of the conference."""
    return moment >= CONFERENCE_END


__all__ = ["CLOCK_ENV", "CONFERENCE_END", "CONFERENCE_TIMEZONE", "Clock", "is_after_event"]
