"""The console's texts (data/web/console.yml): every text in English, French and Dutch, and
every key the pages ask for exists."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.tools.console.texts import CONSOLE_LANGUAGES, TextsError, load_texts
from tests.conftest import ROOT

PAGES = ROOT / "web" / "admin"


def test_every_text_is_in_the_three_console_languages():
    texts = load_texts()
    assert set(texts) == set(CONSOLE_LANGUAGES) == {"en", "fr", "nl"}
    assert set(texts["en"]) == set(texts["fr"]) == set(texts["nl"])


def used_keys() -> set:
    """Keys the pages pass to t(…) or name in data-text / label, literally or as a prefix + variable."""
    keys = set()
    for path in PAGES.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        keys |= {key for key in re.findall(r"\bt\(\"([a-z_]+)\"", source) if not key.endswith("_")}  # "action_" + …: below
        keys |= set(re.findall(r"export const label = \"([a-z_]+)\"", source))
    keys |= set(re.findall(r'data-text="([a-z_]+)"', (PAGES / "index.html").read_text(encoding="utf-8")))
    return keys


def test_every_key_the_pages_use_exists():
    missing = sorted(used_keys() - set(load_texts()["en"]))
    assert missing == []


def test_keys_built_from_a_value_exist():
    """t("action_" + change.action), t("publish_" + outcome), … for each value the server sends."""
    texts = load_texts()["en"]
    built = [f"action_{a}" for a in ("create", "edit", "delete", "restore", "import", "inbox")]
    built += [f"publish_{o}" for o in ("running", "published", "failed")]
    built += [f"unpublished_{m}" for m in ("new", "questions", "deleted")]
    built += [f"{area}_{part}" for area in ("content", "programme") for part in ("title", "explain")]
    built += [f"col_{c}" for c in ("id", "topic", "first_question", "languages", "updated", "state")]
    built += [f"gate_{c}" for c in ("language", "examples", "accuracy", "macro_f1", "passed")]
    assert [key for key in built if key not in texts] == []


def test_a_missing_translation_is_named(tmp_path):
    raw = yaml.safe_load((ROOT / "data" / "web" / "console.yml").read_text(encoding="utf-8"))
    del raw["texts"]["save"]["nl"]
    path = tmp_path / "console.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TextsError, match="texts.save: the 'nl' text is missing"):
        load_texts(path)
