"""The channels' own replies (rate limited, unreadable, too long, try again) in six languages.

A channel refuses some messages before Rasa sees them, so it cannot use the domain's
responses; these texts live in ``data/channel_notices.yml`` instead. The language is
the one the client announces in the message metadata (the web widget sends it),
otherwise English, the assistant's default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.languages import DEFAULT_LANGUAGE, load_catalogue, metadata_language

NOTICES_FILE = PROJECT_ROOT / "data" / "channel_notices.yml"
NOTICE_NAMES = ("rate_limited", "unreadable", "too_long", "try_again")


@lru_cache(maxsize=1)
def load_notices(path: Path = NOTICES_FILE) -> Dict[str, Dict[str, str]]:
    """Every notice in every language; ValueError naming the file and entry otherwise."""
    raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    languages = set(load_catalogue().codes)
    for name in NOTICE_NAMES:
        texts = raw.get(name) if isinstance(raw, dict) else None
        missing = languages - set(texts or {})
        if missing:
            raise ValueError(f"{path.name}: {name} lacks {sorted(missing)}")
    return raw


def notice(name: str, metadata: Optional[Any] = None, **values: Any) -> str:
    """The notice ``name`` in the language announced in ``metadata`` (or English)."""
    texts = load_notices()[name]
    code = (metadata_language(metadata) or "")[:2].lower()
    return texts.get(code, texts[DEFAULT_LANGUAGE]).format(**values)
