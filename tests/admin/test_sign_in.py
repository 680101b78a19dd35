"""Signing in and out of the console; five wrong passwords lock the account; the console is
not on the public gateway; its pages pass axe-core."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import expect

from bot.tools.console.accounts import MAX_FAILURES
from tests.admin.conftest import PASSWORD, sign_in
from tests.browser.test_layout import AXE, WCAG_AA


def test_an_organiser_signs_in_and_out(open_console, account):
    page = open_console()
    sign_in(page, account, "not the password")
    expect(page.locator("#sign-in-message")).to_have_text("Wrong name or password.")
    sign_in(page, account)
    expect(page.locator("#who")).to_have_text(f"Signed in as {account}")
    expect(page.locator("#faq-table tbody tr")).not_to_have_count(0)
    cookie = next(c for c in page.context.cookies() if c["name"] == "console_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin/"
    page.locator("#sign-out").click()
    expect(page.locator("#sign-in-form")).to_be_visible()
    page.reload()  # the session is gone on the server, not only in the page
    expect(page.locator("#sign-in-form")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()


def test_five_wrong_passwords_lock_the_account(open_console, account):
    page = open_console()
    for attempt in range(MAX_FAILURES - 1):
        sign_in(page, account, f"wrong password {attempt}")
        expect(page.locator("#sign-in-message")).to_have_text("Wrong name or password.")
        page.locator("#sign-in-message").evaluate("node => node.textContent = ''")
    sign_in(page, account, "wrong password again")
    expect(page.locator("#sign-in-message")).to_contain_text("locked for 15 minutes")
    sign_in(page, account, PASSWORD)  # the right one no longer helps
    expect(page.locator("#sign-in-message")).to_contain_text("locked")
    expect(page.locator("#faq-table")).to_have_count(0)


def test_the_console_texts_follow_the_chosen_language(open_console, account):
    page = open_console(account)
    page.locator("#console-language").select_option("nl")
    expect(page.locator("#sign-out")).to_have_text("Afmelden")
    expect(page.locator("#nav a[data-area=faq]")).to_have_text("FAQ")
    expect(page.locator("#area h1")).to_have_text("Veelgestelde vragen")
    page.locator("#console-language").select_option("fr")
    expect(page.locator("#area h1")).to_have_text("Questions fréquentes")


def test_the_console_is_not_on_the_public_gateway(servers):
    for path in ("/admin/", "/admin", "/admin/api/session", "/admin/main.js"):
        assert requests.get(servers.public_url + path, timeout=30).status_code == 404, path
    assert requests.post(servers.public_url + "/admin/api/sign-in", json={}, timeout=30).status_code == 404
    assert requests.get(servers.rasa_url + "/admin/", timeout=30).status_code == 200  # on the server itself


def test_the_pages_are_accessible(open_console, account):
    page = open_console()
    problems = axe(page)
    sign_in(page, account)
    expect(page.locator("#faq-table")).to_be_visible()
    for hash_, ready in (("#faq", "#faq-table"), ("#faq/website", "#f-answer_ar"), ("#inbox", "#inbox-message"),
                         ("#publish", "#publish-status"), ("#content/venue.yml", "#file-text"),
                         ("#programme", "#files-programme"), ("#usage", "#usage-summary")):
        page.goto(page.url.split("#")[0] + hash_)
        expect(page.locator(ready)).to_be_attached()
        page.wait_for_load_state("networkidle")
        problems += [f"{hash_}: {problem}" for problem in axe(page)]
    assert problems == []


def axe(page) -> list[str]:
    """WCAG 2.1 AA violations of axe-core on the page as it is."""
    page.evaluate(Path(AXE).read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})" for v in result["violations"]]
