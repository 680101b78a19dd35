"""Editing the FAQ in the console: a saved answer is what the assistant says on the next
question, in each language; a change without the CSRF token is refused; an unanswered
question from the inbox becomes a question of an entry."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from bot.tools.reports.unanswered import DEFAULT_MIN_CONFIDENCE
from tests.admin.conftest import api_session
from tests.organisers.test_faq import read_rows
from tests.organisers.test_reports import ODD_QUESTIONS, understood
from tests.support.servers import Chat

ENTRY = "hashtag"  # no after-event answer: the same answer today as during the conference


def first_question(servers, code: str) -> str:
    row = next(r for r in read_rows(servers.project / "data" / "faq" / "faq.csv") if r["id"] == ENTRY)
    return row[f"questions_{code}"].splitlines()[0]


def test_an_answer_saved_in_the_console_is_live_in_the_chat_at_once(open_console, account, servers):
    before = servers.pids()
    new = {"en": "The conference hashtag was #citiesmigration (console test).",
           "fr": "Le mot-dièse de la conférence était #citiesmigration (test de la console)."}
    page = open_console(account)
    page.locator("#faq-search").fill("hashtag")
    page.locator(f"#faq-table a[href='#faq/{ENTRY}']").click()
    for code, text in new.items():
        page.locator(f"#f-answer_{code}").fill(text)
    page.locator("#faq-save").click()
    expect(page.locator("#faq-message")).to_contain_text("from the next question on")
    for code, text in new.items():
        reply = Chat(servers.rasa_url).say(first_question(servers, code))
        assert reply.split("\n")[0] == text, (code, reply)
    assert servers.pids() == before  # no restart
    # The history has the change, with the version before.
    page.reload()
    expect(page.locator("#faq-history li").first).to_contain_text(f"{account}: edited")


def test_a_field_at_fault_is_marked_and_nothing_is_saved(open_console, account, servers):
    sheet = (servers.project / "data" / "faq" / "faq.csv").read_bytes()
    page = open_console(account)
    page.goto(page.url.split("#")[0] + f"#faq/{ENTRY}")
    page.locator("#f-answer_de").fill("<script>alert(1)</script>")
    page.locator("#f-questions_es").fill("¿hashtag?")
    page.locator("#faq-save").click()
    expect(page.locator("#e-answer_de")).to_contain_text("contains markup")
    expect(page.locator("#e-questions_es")).to_contain_text("write at least 4")
    expect(page.locator("#f-answer_de")).to_have_attribute("aria-invalid", "true")
    assert (servers.project / "data" / "faq" / "faq.csv").read_bytes() == sheet


def test_a_change_without_the_csrf_token_is_refused(servers, account):
    session, csrf = api_session(servers, account)
    entry = session.get(f"{servers.rasa_url}/admin/api/faq/entry/{ENTRY}", timeout=30).json()["entry"]
    change = {"entry": {**entry, "answer_en": "Changed without a token."}, "original": ENTRY}
    sheet = (servers.project / "data" / "faq" / "faq.csv").read_bytes()
    url = f"{servers.rasa_url}/admin/api/faq/save"
    assert session.post(url, json=change, timeout=30).status_code == 403
    assert session.post(url, json=change, headers={"X-CSRF-Token": "forged"}, timeout=30).status_code == 403
    assert session.post(url, json=change, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
                        timeout=30).status_code == 403
    assert session.delete(f"{servers.rasa_url}/admin/api/faq/entry/{ENTRY}", timeout=30).status_code == 403
    assert requests.post(url, json=change, headers={"X-CSRF-Token": csrf}, timeout=30).status_code == 401  # no cookie
    assert (servers.project / "data" / "faq" / "faq.csv").read_bytes() == sheet


def test_an_inbox_question_is_added_to_an_entry(open_console, account, servers):
    chat = Chat(servers.rasa_url)
    for question in ODD_QUESTIONS:
        chat.say(question)
    missed = [q for q, (intent, confidence) in understood(servers, chat).items()
              if intent == "nlu_fallback" or confidence < DEFAULT_MIN_CONFIDENCE]
    assert missed, "none of the odd questions fell below the inbox's threshold"
    question = missed[0]
    page = open_console(account)
    page.goto(page.url.split("#")[0] + "#inbox")
    group = page.locator(".inbox-group").filter(has_text=question).first
    expect(group).to_be_visible()
    language = group.get_attribute("data-language")
    group.locator("select").select_option("lost_and_found")
    group.locator(".inbox-add").click()
    expect(page.locator("#inbox-message")).to_contain_text("Added to lost_and_found")
    row = next(r for r in read_rows(servers.project / "data" / "faq" / "faq.csv") if r["id"] == "lost_and_found")
    assert question in row[f"questions_{language}"].splitlines()
    page.reload()
    expect(page.locator("#inbox-message")).to_be_attached()
    expect(page.locator(".inbox-group").filter(has_text=question)).to_have_count(0)
    page.goto(page.url.split("#")[0] + "#faq")
    expect(page.locator("#faq-table tr").filter(has_text="lost_and_found")).to_contain_text("needs publishing")
