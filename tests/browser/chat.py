"""Driving the chat widget the way a visitor does: type, press Enter, read the reply."""

from __future__ import annotations

from typing import Tuple

from playwright.sync_api import Locator, Page

BOT = "#chat-log .message-bot"
USER = "#chat-log .message-user"


def bot_count(page: Page) -> int:
    return page.locator(BOT).count()


def wait_for_reply(page: Page, before: int) -> Locator:
    """The first bot message after the ``before`` ones already shown, once it is there."""
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length > n", arg=[BOT, before]
    )
    return page.locator(BOT).nth(before)


def ask(page: Page, question: str) -> Locator:
    """Types ``question`` into the input, presses Enter and returns the reply."""
    before = bot_count(page)
    page.locator("#chat-input").fill(question)
    page.locator("#chat-input").press("Enter")
    return wait_for_reply(page, before)


def say(page: Page, text: str) -> None:
    """Types ``text`` and presses Enter, expecting no reply (e.g. during a hand-off)."""
    page.locator("#chat-input").fill(text)
    page.locator("#chat-input").press("Enter")


def ask_for_a_person(page: Page, request: str, yes: str) -> Tuple[Locator, Locator]:
    """Asks for a person and taps ``yes`` under the offer: the offer and the message after it."""
    offer = ask(page, request)
    before = bot_count(page)
    offer.locator(".quick-replies button", has_text=yes).click()
    return offer, wait_for_reply(page, before)


def bubble_text(message: Locator) -> str:
    return message.locator(".bubble").inner_text()


def choose_language(page: Page, code: str) -> Locator:
    """Picks ``code`` in the language picker and returns the assistant's confirmation."""
    before = bot_count(page)
    page.locator("#chat-language").select_option(code)
    return wait_for_reply(page, before)
