"""The console's inbox (bot/tools/console/inbox.py): the groups of `report unanswered`, without
the wordings already handled (dismissed, or now a question of an entry)."""

from __future__ import annotations

from bot.tools.console.dismissals import wording_key
from bot.tools.console.inbox import open_groups, per_day
from bot.tools.reports.tracker import UserMessage
from bot.tools.reports.unanswered import group_unanswered

DAY_1, DAY_2 = 1_510_822_800.0, 1_510_909_200.0  # 16 and 17 November 2017, 09:00 UTC


def message(text: str, language: str = "en", at: float = DAY_1, intent: str = "nlu_fallback") -> UserMessage:
    return UserMessage("someone", text, intent, 0.3 if intent == "nlu_fallback" else 0.99, language, at)


MESSAGES = [
    message("where is the cloakroom?"),
    message("cloakroom where?", at=DAY_2),
    message("where is the cloakroom?", at=DAY_2),
    message("où est le vestiaire ?", "fr"),
    message("what is the wifi password?", intent="faq_wifi"),  # understood: not in the inbox
]


def test_groups_and_counts_as_the_report_computes_them():
    [english, french] = open_groups(group_unanswered(MESSAGES), set())
    assert (english["language"], english["example"], english["count"]) == ("en", "where is the cloakroom?", 3)
    assert english["wordings"] == ["where is the cloakroom?", "cloakroom where?"]
    assert (english["first"], english["last"]) == ("2017-11-16", "2017-11-17")
    assert french["language"] == "fr" and french["count"] == 1
    assert per_day(MESSAGES) == {"2017-11-16": {"en": 1, "fr": 1}, "2017-11-17": {"en": 2}}


def test_handled_wordings_leave_the_inbox():
    done = {wording_key("en", "Where is the CLOAKROOM"), wording_key("fr", "où est le vestiaire ?")}
    [english] = open_groups(group_unanswered(MESSAGES), done)
    assert english["wordings"] == ["cloakroom where?"] and english["count"] == 1
