"""The web page's texts (data/web/page.yml): complete in six languages, facts sourced."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.conversation.content.loader import ContentError
from bot.conversation.page_texts import ESSENTIALS, INTERFACE, PAGE_FILE, load_page
from tests.conftest import LANGS


def test_the_shipped_page_has_every_text_in_every_language():
    page = load_page()
    assert [language["code"] for language in page["languages"]] == list(LANGS)
    assert {language["code"]: language["dir"] for language in page["languages"]}["ar"] == "rtl"
    for code in LANGS:
        assert set(page["texts"][code]) == set(ESSENTIALS) | set(INTERFACE), code
    assert all(page["sources"][key] for key in ESSENTIALS)


def test_the_essentials_agree_with_the_facts():
    texts = load_page()["texts"]
    assert all("2017" in texts[code]["dates"] and "16" in texts[code]["dates"] for code in LANGS)
    assert all("Lamot" in texts[code]["venue"] for code in LANGS)


def _broken(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(PAGE_FILE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "page.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda raw: raw["essentials"]["venue"]["text"].pop("ar"), "essentials.venue: the 'ar' text is missing"),
        (lambda raw: raw["essentials"]["dates"].pop("sources"), "essentials.dates: needs at least one source"),
        (lambda raw: raw["essentials"]["name"].update(sources=["ftp://x"]), "essentials.name: sources must be http(s)"),
        (lambda raw: raw["essentials"].pop("name"), "essentials.name: is missing"),
        (lambda raw: raw["interface"].pop("send"), "interface.send: 'text' must map each language"),
        (lambda raw: raw.update(right_to_left=["he"]), "right_to_left must list language codes"),
    ],
)
def test_a_broken_page_file_is_refused_naming_the_entry(tmp_path, change, expected):
    path = _broken(tmp_path, change)
    with pytest.raises(ContentError) as error:
        load_page(path)
    assert any(expected in problem and str(path) in problem for problem in error.value.problems), error.value.problems


def test_an_unreadable_page_file_is_refused(tmp_path):
    path = tmp_path / "page.yml"
    path.write_text("essentials: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match="cannot be read"):
        load_page(path)
