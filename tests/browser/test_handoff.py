"""Hand-off to a person from the web chat, in Arabic: the organiser's reply in the Slack
thread appears in the page, stays after a reload, and one sent while the page was away
arrives when it comes back (docs/handoff.md)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.chat import BOT, ask_for_a_person, say
from tests.channels.handoff import organiser_says, relayed, wait_until_stored
from tests.channels.payloads import new_id


def last_bot_message(page):
    return page.locator(BOT).last.locator(".bubble")


def test_an_organisers_reply_reaches_the_web_chat_also_after_a_reload(open_chat, chat_url, servers):
    webhook = lambda channel: f"{servers.rasa_url}/webhooks/{channel}/webhook"  # noqa: E731
    page = open_chat(locale="ar-EG")
    offer, opened = ask_for_a_person(page, "أريد التحدث إلى شخص من المنظمين", "نعم")
    expect(offer).to_contain_text("الجهات المنظمة")
    expect(opened).to_contain_text("لقد أحلت هذه المحادثة")

    marker = str(new_id(5))
    say(page, f"فقدت شارتي رقم {marker}")
    thread = relayed(servers.platforms["slack"], marker).json()["thread_ts"]
    session = page.evaluate("() => JSON.parse(sessionStorage.getItem('conference-chat')).sessionId")

    organiser_says(webhook, thread, "مرحبًا، أنا آنا من فريق التنظيم. في أي قاعة أنت؟")
    expect(last_bot_message(page)).to_have_text("مرحبًا، أنا آنا من فريق التنظيم. في أي قاعة أنت؟")
    page.reload()
    expect(page.locator("#chat-status")).to_have_attribute("data-state", "connected")
    expect(last_bot_message(page)).to_have_text("مرحبًا، أنا آنا من فريق التنظيم. في أي قاعة أنت؟")

    page.goto("about:blank")  # the attendee is away while the organiser answers
    organiser_says(webhook, thread, "سأنتظرك عند المدخل الرئيسي.")
    wait_until_stored(servers.tracker_db, session, "سأنتظرك عند المدخل الرئيسي.")
    page.goto(chat_url)
    expect(last_bot_message(page)).to_have_text("سأنتظرك عند المدخل الرئيسي.")

    organiser_says(webhook, thread, "done")
    expect(last_bot_message(page)).to_contain_text("أغلق المنظم هذه المحادثة")
