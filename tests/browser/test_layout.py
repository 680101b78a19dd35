"""Desktop and 360-pixel phone layouts, in English and Arabic: fit, accessibility, screenshots.

Screenshots go to reports/screenshots/ on every run, for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.chat import ask
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.conftest import ROOT

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
QUESTIONS = {"en": "Where does the conference take place?", "ar": "أين يعقد المؤتمر؟"}


@pytest.mark.parametrize("locale, code", [("en-GB", "en"), ("ar-EG", "ar")])
@pytest.mark.parametrize("layout, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_layout_fits_is_accessible_and_is_photographed(open_chat, locale, code, layout, viewport):
    page = open_chat(locale=locale, viewport=viewport)
    expect(page.locator("#chat-language")).to_have_value(code)
    expect(page.locator(".quick-replies button").first).to_be_visible()
    expect(ask(page, QUESTIONS[code])).to_contain_text("Lamot")  # a conversation, with a link

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{layout}-{code}.png"), full_page=True)

    # Nothing sticks out sideways: no horizontal scrolling, controls inside the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    for control in ("#chat-input", "#chat-send", "#chat-language"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], control
    if layout == "desktop":  # the essentials stand beside the chat, not above it
        essentials = page.locator(".essentials").bounding_box()
        chat = page.locator("#chat").bounding_box()
        assert essentials["y"] < chat["y"] + chat["height"] and abs(essentials["y"] - chat["y"]) < 50

    # WCAG 2.1 AA rules of axe-core (contrast, names, labels, landmarks, language …).
    assert AXE.exists(), f"{AXE} is missing: run `make install` (npm ci in web/)"
    page.evaluate(Path(AXE).read_text(encoding="utf-8"))  # DevTools evaluation: not blocked by CSP
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
                for v in result["violations"]]
    assert problems == []
