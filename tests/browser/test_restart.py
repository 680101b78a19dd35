"""The widget survives a restart of the Rasa server: it reconnects and goes on."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.chat import USER, ask, bot_count, bubble_text, wait_for_reply
from tests.support.servers import RASA


def test_the_widget_reconnects_after_a_server_restart(open_chat, servers):
    page = open_chat(locale="en-GB")
    expect(ask(page, "Where does the conference take place?")).to_contain_text("Lamot")

    crashed = servers.crash()  # the supervisor of `make run` restarts it after a second
    try:
        expect(page.locator("#chat-status")).to_have_attribute("data-state", "reconnecting")
        # Asked while the server is down: kept, and sent once the connection is back.
        before = bot_count(page)
        page.locator("#chat-input").fill("When is the conference?")
        page.locator("#chat-input").press("Enter")
        expect(page.locator(USER).last.locator(".bubble")).to_have_text("When is the conference?")
    finally:
        servers.recovered(RASA, crashed)

    expect(page.locator("#chat-status")).to_have_attribute("data-state", "connected")
    reply = wait_for_reply(page, before)
    assert "2017" in bubble_text(reply)
    # And the conversation goes on normally after the restart.
    expect(ask(page, "Where does the conference take place?")).to_contain_text("Lamot")
