"""Token-bucket rate limiting per key (a sender id, or a client address).

Each key may send ``burst`` requests at once and then ``per_minute`` per minute. A
refused request learns how many seconds to wait (``Retry-After``).

Where the buckets live decides what the limit covers. The channels count in the
deployment's shared state (``SharedBuckets``: the lock store's SQLite file for
``make run``, its Redis for the cluster; bot/plugins/shared_state.py), so a limit
holds for the whole assistant however many workers and replicas answer one
conversation. The public gateway, one process, counts in memory (``MemoryBuckets``:
idle keys dropped, at most ``max_keys`` kept, so a flood of new ids cannot exhaust
memory).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional, Protocol, Tuple

from bot.plugins.shared_state import SharedState, refill, seconds_to_wait

logger = logging.getLogger(__name__)


class Buckets(Protocol):
    def take(self, key: str, per_second: float, burst: float) -> float:
        """0 when ``key`` may go ahead (a token spent), else the seconds until it may."""


class MemoryBuckets:
    """Buckets in this process's memory, least recently seen dropped beyond ``max_keys``."""

    def __init__(self, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, per_second: float, burst: float) -> float:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (burst, now))
            tokens = refill(tokens, last, now, per_second, burst)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / per_second
            self._buckets[key] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


class SharedBuckets:
    """The deployment's shared buckets, found when first used (in the serving worker,
    after Sanic forked it). When the shared store fails the message goes ahead: the
    conversation itself then fails or succeeds on its own store, and says so."""

    def __init__(self, shared_state: Optional[Callable[[], SharedState]] = None) -> None:
        if shared_state is None:
            from bot.plugins.endpoints import process_shared_state

            shared_state = process_shared_state
        self._shared_state = shared_state

    def take(self, key: str, per_second: float, burst: float) -> float:
        try:
            return self._shared_state().take(key, per_second, burst)
        except Exception:  # any store failure: log it, do not refuse the user
            logger.exception("Rate limit not counted: the shared state is unavailable")
            return 0.0


class RateLimiter:
    """``allow(key)`` returns None, or the whole seconds to wait before the next try."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
        buckets: Optional[Buckets] = None,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be > 0 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: Buckets = buckets if buckets is not None else MemoryBuckets(max_keys, clock)

    def allow(self, key: str) -> Optional[int]:
        return seconds_to_wait(self._buckets.take(key, self.rate, self.burst))
