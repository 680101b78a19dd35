"""`make report-unanswered` and `make report-usage` read what the running assistant stored,
through the project's own endpoints.yml (its privacy tracker store in SQLite)."""

from __future__ import annotations

import requests

from bot.tools.reports.unanswered import DEFAULT_MIN_CONFIDENCE
from tests.organisers.conftest import bot
from tests.support.servers import Chat


ODD_QUESTIONS = ["how tall is the mayor", "can I bring my drone to the lamot", "blue trumpet seventeen",
                 "do you sell umbrellas shaped like penguins", "Wie groot is de burgemeester eigenlijk?"]


def understood(servers, chat: Chat) -> dict:
    """Each question of the conversation → (intent, confidence), as the assistant stored it."""
    tracker = requests.get(f"{servers.rasa_url}/conversations/{chat.sender}/tracker",
                           params={"token": servers.token}, timeout=30).json()
    return {event["text"]: (event["parse_data"]["intent"]["name"], event["parse_data"]["intent"]["confidence"])
            for event in tracker["events"] if event["event"] == "user"}


def test_questions_the_assistant_did_not_understand_are_in_the_inbox(servers, tmp_path):
    chat = Chat(servers.rasa_url)
    for question in ODD_QUESTIONS:
        assert chat.say(question)  # answered (perhaps with the fallback), and stored
    not_understood = [question for question, (intent, confidence) in understood(servers, chat).items()
                      if intent == "nlu_fallback" or confidence < DEFAULT_MIN_CONFIDENCE]
    assert not_understood, "none of the odd questions fell below the inbox's threshold"
    inbox = tmp_path / "unanswered.csv"
    result = bot(servers.project, servers.var_dir, "report", "unanswered", "--out", str(inbox))
    assert result.returncode == 0, result.stderr
    listed = inbox.read_text(encoding="utf-8-sig")
    for question in not_understood:
        assert question in result.stdout and question in listed


def test_the_usage_report_is_written(servers, tmp_path):
    Chat(servers.rasa_url).say("Where does the conference take place?")
    page = tmp_path / "usage.html"
    result = bot(servers.project, servers.var_dir, "report", "usage", "--out", str(page))
    assert result.returncode == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "venue" in html
