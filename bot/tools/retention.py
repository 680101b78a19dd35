"""Retention: ``python -m bot privacy purge --older-than 30d`` deletes old conversations.

Reads the tracker store from endpoints.yml, so the same command works for the SQLite
file of ``make run`` and for PostgreSQL. Run it daily (cron, systemd timer) to keep
conversations no longer than the period stated in docs/privacy.md.
"""

from __future__ import annotations

import re
from pathlib import Path

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> float:
    """Seconds in "30d", "12h", "90m", "45s" or "2w"; ValueError naming the input otherwise."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30d, 12h, 90m, 45s or 2w")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def purge(endpoints: Path, older_than: str) -> int:
    """Delete conversations idle for longer than ``older_than``; returns how many."""
    from bot.plugins.tracker_store.privacy import PrivacyTrackerStore
    from bot.tools.reports.tracker import TrackerStoreError, tracker_store_config

    seconds = parse_duration(older_than)
    try:
        config = dict(tracker_store_config(endpoints))
    except TrackerStoreError as error:
        raise ValueError(str(error)) from None
    config.pop("type", None)
    store = PrivacyTrackerStore(host=config.pop("url", None), **config)
    try:
        return store.purge(seconds)
    finally:
        store.engine.dispose()
