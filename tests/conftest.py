"""Shared fixtures: project paths and a small valid content set to break on purpose."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LANGS = ("en", "fr", "nl", "es", "de", "ar")


def six(text: str) -> dict:
    """A text in six 'languages' (tagged, so tests can tell which one was rendered)."""
    return {code: f"[{code}] {text}" for code in LANGS}


def venue_topic() -> dict:
    return {
        "topic": "venue",
        "intent": "ask_venue",
        "subjects": {"lamot": {"aliases": ["Lamot", "brouwerij"]}},
        "facets": {"address": {"keywords": ["address", "adresse", "عنوان"]}},
        "answers": [
            {"id": "venue.overview", "text": six("overview"), "sources": ["https://example.org/a"]},
            {"id": "venue.address", "facet": "address", "text": six("address"),
             "sources": ["https://example.org/b"]},
            {"id": "venue.lamot", "subject": "lamot", "text": six("lamot"),
             "sources": ["https://example.org/c"]},
            {"id": "venue.lamot.address", "subject": "lamot", "facet": "address",
             "text": six("lamot address"), "unconfirmed": True},
        ],
    }


def ui_strings() -> dict:
    return {"strings": {name: six(name) for name in ("source_label", "unknown_topic", "content_unavailable")}}


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A valid two-file content directory."""
    write_yaml(tmp_path / "venue.yml", venue_topic())
    write_yaml(tmp_path / "ui.yml", ui_strings())
    return tmp_path
