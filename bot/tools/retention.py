"""Retention: ``python -m bot privacy purge --older-than 30d`` deletes old conversations.

Reads the tracker store from endpoints.yml, so the same command works for the SQLite
file of ``make run`` and for PostgreSQL. Run it daily (cron, systemd timer) to keep
conversations no longer than the period stated in docs/privacy.md.
"""

from __future__ import annotations

import re
from pathlib import Path

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
SQL_STORE_TYPES = ("sql", "bot.plugins.tracker_store.privacy.privacytrackerstore")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> float:
    """Seconds in "30d", "12h", "90m", "45s" or "2w"; ValueError naming the input otherwise."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30d, 12h, 90m, 45s or 2w")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def purge(endpoints: Path, older_than: str) -> int:
    """Delete conversations idle for longer than ``older_than``; returns how many."""
    from rasa.utils.endpoints import read_endpoint_config

    from bot.plugins.tracker_store.privacy import PrivacyTrackerStore

    seconds = parse_duration(older_than)
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None or (config.type or "").lower() not in SQL_STORE_TYPES:
        raise ValueError(f"{endpoints}: tracker_store is not an SQL store; nothing to purge")
    store = PrivacyTrackerStore(host=config.url, **config.kwargs)
    try:
        return store.purge(seconds)
    finally:
        store.engine.dispose()
