"""The load: C concurrent conversations over REST, each one attendee asking in order.

Every conversation waits for the reply before its next message (as a person does), so
C is the number of messages in flight. Latency is measured per message on the client,
from sending the request to having read the whole reply.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import statistics
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List

import aiohttp
import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


def load_conversations(path: Path = MESSAGES_FILE) -> List[List[str]]:
    """One script per language, in file order."""
    data: Dict[str, List[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data.values())


def percentile(values: List[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    concurrency: int
    messages: int
    errors: int
    seconds: float
    throughput: float  # answered messages per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    conversations: int = 0  # started, each with a new sender id
    cpu_ms_per_message: Dict[str, float] = field(default_factory=dict)  # filled by the caller

    def as_dict(self) -> Dict[str, float]:
        return asdict(self)


async def _conversation_worker(session: aiohttp.ClientSession, url: str, script: List[str],
                               stop_at: float, max_messages: int, latencies: List[float],
                               errors: List[str], senders: List[str]) -> None:
    """Conversations back to back until the time or message budget is used up."""
    while time.monotonic() < stop_at and len(latencies) < max_messages:
        sender = f"bench-{uuid.uuid4().hex[:16]}"
        senders.append(sender)
        for message in script:
            if time.monotonic() >= stop_at or len(latencies) >= max_messages:
                return
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": message}) as response:
                    body = await response.read()
                    ok = response.status == 200 and body.startswith(b"[")
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                ok, body = False, str(error).encode()
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors.append(body[:200].decode(errors="replace"))


async def run_load(base_url: str, concurrency: int, seconds: float, max_messages: int = 10**9,
                   conversations: List[List[str]] | None = None) -> LoadResult:
    """``concurrency`` conversations for ``seconds`` (or until ``max_messages`` answered)."""
    scripts = itertools.cycle(conversations or load_conversations())
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: List[float] = []
    errors: List[str] = []
    senders: List[str] = []
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(*(
            _conversation_worker(session, url, next(scripts), stop_at, max_messages, latencies, errors, senders)
            for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    if not latencies:
        raise RuntimeError(f"no message answered at {base_url}; first errors: {errors[:3]}")
    ms = [1000 * s for s in latencies]
    return LoadResult(concurrency=concurrency, messages=len(ms), conversations=len(senders), errors=len(errors),
                      seconds=round(elapsed, 2), throughput=round(len(ms) / elapsed, 1),
                      p50_ms=round(statistics.median(ms), 1), p95_ms=round(percentile(ms, 0.95), 1),
                      p99_ms=round(percentile(ms, 0.99), 1), mean_ms=round(statistics.fmean(ms), 1))


def load(base_url: str, concurrency: int, seconds: float, max_messages: int = 10**9) -> LoadResult:
    return asyncio.run(run_load(base_url, concurrency, seconds, max_messages))
