"""The conference clock: what "now", "next" and "tomorrow" are measured against.

Real time by default. For demonstrations and tests the action server can be started
with ``BOT_CLOCK=2017-11-16T10:45`` (local conference time, or any ISO time with an
offset); the clock then stands still at that moment.
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

    def now(self, tz: ZoneInfo) -> datetime:
        if self.fixed is None:
            return datetime.now(tz)
        if self.fixed.tzinfo is None:
            return self.fixed.replace(tzinfo=tz)
        return self.fixed.astimezone(tz)
