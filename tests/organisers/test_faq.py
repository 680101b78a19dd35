"""`faq import` against the running assistant: an edited answer is live on the next
question, without restart or retraining; a bad sheet changes nothing.

The shared assistant's action server reads the answers of a copy of the project
(``servers.project``), whose spreadsheet these tests import.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.conversation.faq.model import columns
from tests.organisers.conftest import bot
from tests.support.servers import Chat


def read_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns(after_event=True), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def test_an_edited_answer_is_live_on_the_next_question_without_restart(servers):
    project = servers.project
    before = servers.pids()
    chat = Chat(servers.rasa_url)
    # The shared assistant runs on today's clock: the conference is over, so the after-event answer.
    assert "is over, so there is no conference Wi-Fi" in chat.say("what's the wifi password, please?")
    sheet = project / "data" / "faq" / "faq.csv"
    rows = read_rows(sheet)
    wifi = next(row for row in rows if row["id"] == "wifi")
    wifi["after_event_en"] = "The Wi-Fi network was LAMOT-GUEST, password mechelen2017."
    wifi["after_event_fr"] = "Le réseau Wi-Fi était LAMOT-GUEST, mot de passe mechelen2017."
    write_rows(sheet, rows)
    result = bot(project, servers.var_dir, "faq", "import", str(sheet))
    assert result.returncode == 0, result.stderr
    assert "Only answer texts changed" in result.stdout
    assert chat.say("what's the wifi password, please?").split("\n")[0] == wifi["after_event_en"]
    assert Chat(servers.rasa_url).say("je cherche le code du wifi, svp").split("\n")[0] == wifi["after_event_fr"]
    assert servers.pids() == before  # no restart


def test_a_bad_sheet_leaves_the_bot_as_it_was(servers, tmp_path):
    project = servers.project
    store = (project / "data" / "faq" / "answers.json").read_bytes()
    broken = tmp_path / "broken.csv"
    rows = read_rows(project / "data" / "faq" / "faq.csv")
    rows[0]["answer_en"] = "<script>alert('x')</script>"
    rows[1]["questions_de"] = ""
    write_rows(broken, rows)
    result = bot(project, servers.var_dir, "faq", "import", str(broken))
    assert result.returncode == 1
    assert "row 2, column answer_en" in result.stderr and "row 3, column questions_de" in result.stderr
    assert (project / "data" / "faq" / "answers.json").read_bytes() == store
    assert "<script>" not in Chat(servers.rasa_url).say("what is the wifi password?")
