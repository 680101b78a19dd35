"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against the shared
assistant (tests/conftest.py: `make run`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags Chromium needs on these machines (root, no GPU, no network but loopback).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = ROOT / "reports" / "screenshots"
# Generous: the Rasa server answers slowly when the machine is busy. Never an assertion.
TIMEOUT_MS = 90_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

expect.set_options(timeout=TIMEOUT_MS)


# Per module, not per session: Playwright's sync API keeps an event loop running in the
# test thread while it is open, which would break later suites' asyncio.run() calls.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        # Playwright starts it headless with a new, empty profile (user data dir).
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def servers(shared_assistant):
    return shared_assistant


@pytest.fixture(scope="session")
def chat_url(shared_assistant) -> str:
    return f"{shared_assistant.rasa_url}/chat/"


@pytest.fixture
def open_chat(browser: Browser, chat_url: str) -> Iterator[Callable[..., Page]]:
    """Opens the page in a fresh browser profile with the given browser language."""
    contexts: list[BrowserContext] = []

    def open_page(locale: str = "en-GB", viewport: dict = DESKTOP) -> Page:
        context = browser.new_context(locale=locale, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(chat_url)
        # A first visit is greeted with the topics (the /help reply) once connected.
        expect(page.locator("#chat-status")).to_have_attribute("data-state", "connected")
        expect(page.locator(".message-bot").first).to_be_visible()
        return page

    yield open_page
    for context in contexts:
        context.close()
