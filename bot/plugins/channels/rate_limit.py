"""Token-bucket rate limiting per key (a sender id, or a client address).

Each key may send ``burst`` requests at once and then ``per_minute`` per minute. A
refused request learns how many seconds to wait (``Retry-After``). Idle keys are
dropped, and at most ``max_keys`` are tracked, so a flood of new sender ids cannot
exhaust memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional, Tuple


class RateLimiter:
    """``allow(key)`` returns None, or the whole seconds to wait before the next try."""

    def __init__(self, per_minute: float, burst: int, max_keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be > 0 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> Optional[int]:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._remember(key, tokens - 1.0, now)
                return None
            self._remember(key, tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # least recently seen
