"""The texts of the conference web page (``data/web/page.yml``), checked and per language.

The page and its chat widget are static files; everything they say comes from here,
so that organisers edit one YAML file (with a source for every fact) instead of HTML,
and so that the page cannot drift from the six languages the assistant speaks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.content.loader import ContentError, _texts
from bot.conversation.languages import load_catalogue

PAGE_FILE = PROJECT_ROOT / "data" / "web" / "page.yml"
# What the page shows beside the chat; each is a fact and needs a source.
ESSENTIALS = ("name", "dates", "venue")
# Labels the page and the widget use; a missing one would leave a hole in the interface.
INTERFACE = (
    "dates_label",
    "venue_label",
    "chat_title",
    "language_label",
    "log_label",
    "message_label",
    "placeholder",
    "send",
    "you",
    "assistant",
    "typing",
    "connecting",
    "reconnecting",
    "connected",
)


def _sources(where: str, value: Any, problems: List[str]) -> List[str]:
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: needs at least one source URL")
        return []
    bad = [s for s in value if not (isinstance(s, str) and s.startswith(("http://", "https://")))]
    if bad:
        problems.append(f"{where}: sources must be http(s) URLs, not {bad!r}")
    return [s for s in value if s not in bad]


def load_page(path: Path = PAGE_FILE) -> Dict[str, Any]:
    """The page texts as the widget reads them (``/chat/strings.json``).

    ``{"languages": [{"code", "name", "dir"}…], "texts": {code: {key: text}}, "sources": {key: [url]}}``.
    Raises ContentError listing every problem, each naming the file and entry.
    """
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError([f"{path}: cannot be read: {error}"]) from error
    if not isinstance(raw, dict):
        raise ContentError([f"{path}: needs 'essentials' and 'interface' mappings"])
    catalogue = load_catalogue()
    problems: List[str] = []
    texts: Dict[str, Dict[str, str]] = {code: {} for code in catalogue.codes}
    sources: Dict[str, List[str]] = {}
    essentials = raw.get("essentials")
    if not isinstance(essentials, dict):
        essentials = {}
    interface = raw.get("interface")
    if not isinstance(interface, dict):
        interface = {}
    for key in ESSENTIALS:
        entry = essentials.get(key)
        where = f"{path}: essentials.{key}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: is missing (needs 'text' and 'sources')")
            continue
        for code, text in _texts(where, entry.get("text"), problems).items():
            texts[code][key] = text
        sources[key] = _sources(where, entry.get("sources"), problems)
    for key in INTERFACE:
        for code, text in _texts(f"{path}: interface.{key}", interface.get(key), problems).items():
            texts[code][key] = text
    rtl = raw.get("right_to_left") or []
    unknown = [code for code in rtl if code not in catalogue.codes] if isinstance(rtl, list) else rtl
    if unknown:
        problems.append(f"{path}: right_to_left must list language codes of data/languages.yml, not {unknown!r}")
    if problems:
        raise ContentError(problems)
    languages = [
        {"code": code, "name": lang.name, "dir": "rtl" if code in rtl else "ltr"}
        for code, lang in catalogue.languages.items()
    ]
    return {"languages": languages, "texts": texts, "sources": sources}
