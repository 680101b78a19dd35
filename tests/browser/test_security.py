"""Messages are text: nothing a user or the bot writes can run in the page."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.chat import USER, ask

INJECTION = "<img src=x onerror=alert(1)>"


def test_markup_in_a_message_is_shown_as_text_and_runs_nothing(open_chat):
    page = open_chat()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    reply = ask(page, INJECTION)

    expect(reply).to_be_visible()  # the assistant answered (it did not understand)
    expect(page.locator(USER).last.locator(".bubble")).to_have_text(INJECTION)
    assert page.locator("#chat-log img").count() == 0
    assert dialogs == []


def test_only_http_and_https_addresses_become_links(open_chat):
    page = open_chat()
    ask(page, "javascript:alert(1) data:text/html,hi https://example.org/a?b=1.")

    links = page.locator(USER).last.locator("a")
    expect(links).to_have_count(1)
    assert links.first.get_attribute("href") == "https://example.org/a?b=1"
    expect(page.locator(USER).last.locator(".bubble")).to_have_text(
        "javascript:alert(1) data:text/html,hi https://example.org/a?b=1."
    )


def test_the_server_serves_only_the_page_files_with_a_strict_policy(chat_url):
    page = requests.get(chat_url, timeout=30)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert requests.get(chat_url + "vendor/socket.io.min.js", timeout=30).status_code == 200
    for path in ("../credentials.yml", "%2e%2e/credentials.yml", "node_modules/ws/package.json",
                 "package.json", "nothing.js"):
        answer = requests.get(chat_url + path, timeout=30)
        assert answer.status_code == 404, path
        assert "user_message_evt" not in answer.text


def test_only_the_assistants_own_pages_may_open_the_socket(servers):
    """Rasa switches engine.io's Origin check off; our channel switches it back on."""
    handshake = f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling"
    own = requests.get(handshake, headers={"Origin": servers.rasa_url}, timeout=30)
    assert own.status_code == 200 and '"sid"' in own.text
    other = requests.get(handshake, headers={"Origin": "https://elsewhere.example"}, timeout=30)
    assert other.status_code == 400
