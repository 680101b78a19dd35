"""The console's own texts (``data/web/console.yml``) in English, French and Dutch.

The organisers in Mechelen work in all three; the entries they edit always show all six
languages of the assistant. Every text must exist in every console language: a missing
one is reported naming its key, and the page falls back to English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import yaml

from bot import PROJECT_ROOT

TEXTS_FILE = PROJECT_ROOT / "data" / "web" / "console.yml"
CONSOLE_LANGUAGES = ("en", "fr", "nl")


class TextsError(ValueError):
    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_texts(path: Path = TEXTS_FILE) -> Dict[str, Dict[str, str]]:
    """{language: {key: text}}; TextsError lists every missing or malformed text."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TextsError([f"{path}: cannot be read: {error}"]) from None
    texts = raw.get("texts") if isinstance(raw, dict) else None
    if not isinstance(texts, dict) or not texts:
        raise TextsError([f"{path}: needs a 'texts' mapping"])
    problems: List[str] = []
    result: Dict[str, Dict[str, str]] = {code: {} for code in CONSOLE_LANGUAGES}
    for key, value in texts.items():
        for code in CONSOLE_LANGUAGES:
            text = value.get(code) if isinstance(value, dict) else None
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{path}: texts.{key}: the '{code}' text is missing")
            else:
                result[code][str(key)] = text
    if problems:
        raise TextsError(problems)
    return result
