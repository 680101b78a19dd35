"""Answering a hand-off from the console (docs/handoff.md): a French attendee in the web chat
asks for a person; an organiser, console in Dutch, sees it, reads the conversation (as
text), replies (the reply appears in the attendee's page and in the Slack thread) and
closes it (the attendee is told, in French). Against the shared assistant, whose Slack
is the fake of tests/channels with hand-offs switched on (tests/support/fakes.py)."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.admin.conftest import api_session
from tests.admin.test_sign_in import axe
from tests.browser.chat import BOT, ask_for_a_person, say
from tests.channels.handoff import note, relayed
from tests.channels.payloads import new_id

REPLY = "Bonjour, ici Ana de l'organisation. Votre badge vous attend à l'accueil."


def test_an_organiser_answers_and_closes_a_web_chat_handoff_from_the_console(open_chat, open_console, account, servers):
    chat = open_chat(locale="fr-FR")
    _, opened = ask_for_a_person(chat, "Je voudrais parler à une personne, s'il vous plaît", "Oui")
    expect(opened).to_contain_text("J'ai transmis cette conversation")
    marker = str(new_id(5))
    say(chat, f"Mon badge <b>{marker}</b> ne marche pas")
    thread = relayed(servers.platforms["slack"], marker).json()["thread_ts"]

    console = open_console(account, locale="nl-BE")
    console.goto(console.url.split("#")[0] + "#handoffs")
    row = console.locator("#handoffs-table tbody tr", has_text=marker)
    expect(row).to_contain_text("Webchat")
    expect(row).to_contain_text("Français (fr)")
    expect(row).to_contain_text(f"<b>{marker}</b>")  # the attendee's words as text, never markup
    assert axe(console) == []
    row.get_by_role("link", name="Openen en antwoorden").click()

    log = console.locator("#handoff-log")
    expect(log.locator("li").last).to_have_text(f"Deelnemer: Mon badge <b>{marker}</b> ne marche pas")
    assert log.locator("b").count() == 0
    console.get_by_label("Uw antwoord").fill(REPLY)
    console.get_by_label("Uw antwoord").press("Tab")  # to the button by keyboard
    console.keyboard.press("Enter")
    expect(console.locator("#handoffs-message")).to_have_text("Verstuurd.")
    expect(log.locator("li").last).to_have_text(f"Organisator: {REPLY}")
    expect(chat.locator(BOT).last.locator(".bubble")).to_have_text(REPLY)  # pushed to the attendee's page
    note(servers.platforms["slack"], thread, f"organiser (console): {REPLY}")
    assert axe(console) == []

    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#handoff-close").click()
    expect(console.locator("#handoffs-message")).to_have_text("Gesloten: de deelnemer is terug bij de assistent.")
    expect(console.locator("#handoffs-table tbody tr", has_text=marker)).to_have_count(0)
    expect(chat.locator(BOT).last.locator(".bubble")).to_contain_text("L'organisateur a clos cette conversation")
    note(servers.platforms["slack"], thread, "Closed")


def test_the_handoff_api_needs_a_session_and_for_changes_the_csrf_token(servers, account):
    api = f"{servers.rasa_url}/admin/api/handoffs"
    assert requests.get(api, timeout=30).status_code == 401
    assert requests.post(f"{api}/any/reply", json={"text": "hi"}, timeout=30).status_code == 401
    session, csrf = api_session(servers, account)
    assert session.get(api, timeout=30).json()["enabled"] is True
    assert session.post(f"{api}/any/close", timeout=30).status_code == 403
    assert session.post(f"{api}/any/reply", json={"text": "hi"}, timeout=30).status_code == 403
    unknown = session.post(f"{api}/no-such-handoff/reply", json={"text": "hi"}, headers={"X-CSRF-Token": csrf},
                           timeout=30)
    assert unknown.status_code == 404
