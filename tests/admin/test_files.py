"""Answers and programme edited in the console are live on the next question; an edit the
validator refuses is not written."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.admin.conftest import api_session
from tests.support.servers import Chat

QUESTION = "Where does the conference take place?"
OLD = "Lamot is a former brewery in the historic centre of Mechelen"
NEW = "Lamot, once a brewery, stands in the historic centre of Mechelen (console test)"


def test_an_answer_edited_in_the_console_is_live_and_can_be_undone(servers, account):
    session, csrf = api_session(servers, account)
    api = f"{servers.rasa_url}/admin/api/files/content"
    text = session.get(f"{api}/venue.yml", timeout=30).json()["text"]
    assert OLD in text and OLD in Chat(servers.rasa_url).say(QUESTION)
    headers = {"X-CSRF-Token": csrf}

    refused = session.post(f"{api}/save", json={"name": "venue.yml", "text": text.replace("    sources:\n", "    x:\n", 1)},
                           headers=headers, timeout=60)
    assert refused.status_code == 422 and any("venue.yml" in p for p in refused.json()["problems"])
    assert (servers.content / "venue.yml").read_text(encoding="utf-8") == text

    saved = session.post(f"{api}/save", json={"name": "venue.yml", "text": text.replace(OLD, NEW)},
                         headers=headers, timeout=60)
    assert saved.status_code == 200, saved.text
    assert NEW in Chat(servers.rasa_url).say(QUESTION)

    change = session.get(f"{api}/venue.yml", timeout=30).json()["history"][0]
    assert change["user"] == account and change["action"] == "edit"
    undone = session.post(f"{api}/restore", json={"change": change["id"], "version": "before"}, headers=headers, timeout=60)
    assert undone.status_code == 200, undone.text
    assert OLD in Chat(servers.rasa_url).say(QUESTION)


def test_an_answer_s_languages_are_edited_side_by_side(open_console, account, servers):
    dutch = "De conferentie vond plaats in Lamot, Van Beethovenstraat 8-10, Mechelen (test van de console)."
    original = (servers.content / "venue.yml").read_text(encoding="utf-8")
    page = open_console(account)
    page.goto(page.url.split("#")[0] + "#content/venue.yml")
    answer = page.locator("details[data-answer='venue.overview']")
    answer.locator("summary").click()
    expect(answer.locator("fieldset[lang=ar] textarea").first).to_have_attribute("data-language", "ar")
    answer.get_by_label("Answer", exact=True).nth(2).fill(dutch)  # en, fr, nl: the third language
    answer.locator(".answer-save").click()
    expect(page.locator("#file-message")).to_contain_text("live from the next question")
    try:
        assert dutch in Chat(servers.rasa_url).say("Waar vindt de conferentie plaats?")
        changed = (servers.content / "venue.yml").read_text(encoding="utf-8")
        assert sum(old != new for old, new in zip(original.splitlines(), changed.splitlines())) == 1
    finally:
        (servers.content / "venue.yml").write_text(original, encoding="utf-8")  # as the other suites expect it
