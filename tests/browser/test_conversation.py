"""Conversations through the chat widget in Chromium, against the real servers."""

from __future__ import annotations

from playwright.sync_api import expect

from bot.conversation.page_texts import load_page
from tests.browser.chat import BOT, USER, ask, bot_count, bubble_text, choose_language, wait_for_reply
from tests.e2e.replies import language_of

PAGE_TEXTS = load_page()["texts"]


def test_french_browser_gets_a_french_page_and_a_french_answer_naming_lamot(open_chat):
    page = open_chat(locale="fr-FR")

    expect(page.locator("#chat-language")).to_have_value("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#conference-name")).to_have_text(PAGE_TEXTS["fr"]["name"])
    expect(page.locator("#conference-dates")).to_have_text(PAGE_TEXTS["fr"]["dates"])
    expect(page.locator("#conference-venue")).to_have_text(PAGE_TEXTS["fr"]["venue"])
    assert language_of(bubble_text(page.locator(BOT).first)) == "fr"  # the greeting topics

    # Record whether the typing indicator ever shows (the reply may come within ms).
    page.evaluate("""() => {
        const typing = document.getElementById('chat-typing');
        new MutationObserver(() => { if (!typing.hidden) window.typingShown = true; })
            .observe(typing, {attributes: true});
    }""")
    reply = ask(page, "Où se déroule la conférence ?")
    expect(reply).to_contain_text("Lamot")
    assert language_of(bubble_text(reply)) == "fr"
    assert page.evaluate("() => window.typingShown === true"), "no typing indicator while waiting"
    expect(page.locator("#chat-typing")).to_be_hidden()
    # The source URL is a real link that opens safely in a new tab.
    link = reply.locator("a").first
    assert link.get_attribute("href").startswith(("http://", "https://"))
    assert link.get_attribute("href") == link.inner_text()
    assert "noopener" in link.get_attribute("rel")


def test_the_picker_switches_the_reply_language_and_arabic_is_right_to_left(open_chat):
    page = open_chat(locale="en-US")
    names = page.locator("#chat-language option").all_inner_texts()
    assert names == ["English", "Français", "Nederlands", "Español", "Deutsch", "العربية"]

    confirmation = choose_language(page, "nl")
    assert language_of(bubble_text(confirmation)) == "nl"
    expect(page.locator("#conference-name")).to_have_text(PAGE_TEXTS["nl"]["name"])
    # A short message says nothing about its language: the picker's choice holds.
    reply = ask(page, "Lamot?")
    assert language_of(bubble_text(reply)) == "nl"

    confirmation = choose_language(page, "ar")
    assert language_of(bubble_text(confirmation)) == "ar"
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.locator("#chat-log").evaluate("e => getComputedStyle(e).direction") == "rtl"
    expect(page.locator("#conference-name")).to_have_text(PAGE_TEXTS["ar"]["name"])
    # Mirrored: the essentials column is now on the right of the chat, the input's
    # text starts at the right, and the user's messages sit on the left.
    essentials = page.locator(".essentials").bounding_box()
    chat = page.locator("#chat").bounding_box()
    assert essentials["x"] >= chat["x"] + chat["width"]
    user = page.locator(USER).last.locator(".bubble").bounding_box()
    bot = page.locator(BOT).last.locator(".bubble").bounding_box()
    assert user["x"] < bot["x"]


def test_a_reload_keeps_the_conversation(open_chat):
    page = open_chat(locale="de-DE")
    reply = ask(page, "Wo findet die Konferenz statt?")
    expect(reply).to_contain_text("Lamot")
    transcript = page.locator("#chat-log .bubble").all_inner_texts()
    session = page.evaluate("() => JSON.parse(sessionStorage.getItem('conference-chat')).sessionId")

    page.reload()
    expect(page.locator("#chat-status")).to_have_attribute("data-state", "connected")
    assert page.locator("#chat-log .bubble").all_inner_texts()[: len(transcript)] == transcript
    expect(page.locator("#chat-language")).to_have_value("de")
    # The server side of the conversation goes on under the same id.
    assert page.evaluate("() => JSON.parse(sessionStorage.getItem('conference-chat')).sessionId") == session
    reply = ask(page, "Wann findet die Konferenz statt?")
    assert "2017" in bubble_text(reply)
    assert language_of(bubble_text(reply)) == "de"


def test_a_quick_reply_button_is_answered(open_chat):
    page = open_chat(locale="es-ES")
    buttons = page.locator(BOT).first.locator(".quick-replies button")
    expect(buttons.first).to_be_visible()
    title = buttons.first.inner_text()
    before = bot_count(page)

    buttons.first.click()

    expect(page.locator(USER).last.locator(".bubble")).to_have_text(title)  # the title is shown, not "/ask_venue"
    reply = wait_for_reply(page, before)
    expect(reply).to_contain_text("Lamot")
    assert language_of(bubble_text(reply)) == "es"
    expect(page.locator(".quick-replies")).to_have_count(0)  # they answered the last question only
    expect(page.locator("#chat-input")).to_be_focused()  # focus does not fall back to the page


def test_keyboard_only_use_with_the_answer_in_the_live_region(open_chat):
    page = open_chat(locale="en-GB")
    focused = None
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id")
        if focused == "chat-input":
            break
    assert focused == "chat-input", "the message input cannot be reached with Tab"
    outline = page.locator("#chat-input").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "keyboard focus on the input is not visible"

    before = bot_count(page)
    page.keyboard.type("When is the conference?")
    page.keyboard.press("Enter")

    live = page.locator('[aria-live="polite"][role="log"]')
    reply = wait_for_reply(page, before)
    expect(live.locator(".message-bot").nth(before)).to_contain_text("2017")
    assert "16" in bubble_text(reply)
    expect(page.locator("#chat-input")).to_be_focused()  # ready for the next question
