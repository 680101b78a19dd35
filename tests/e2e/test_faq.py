"""The organisers' FAQ workflow against the real servers, on a copy of the project.

1. Edit an answer in the spreadsheet and import: the running bot gives the new text
   on the next question — no restart, no retraining.
2. Add a new entry, import, publish: the bot answers paraphrases of its question in
   two languages, and a conversation started before the publish carries on.

The second test trains once (``python -m bot publish``, about 10 minutes on two
cores), reusing Rasa's training cache from ``make train``. It is the only training
in ``make test`` besides ``make train`` itself.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot.conversation.faq.model import COLUMNS
from bot.tools.serve import Servers
from tests.conftest import ROOT
from tests.e2e.conftest import ACTIONS_PORT, RASA_PORT, Chat
from tests.servers import server_settings

# Beside the shared servers of tests/e2e/conftest.py, which may still be running.
FAQ_RASA_PORT = int(os.environ.get("E2E_FAQ_RASA_PORT", RASA_PORT + 1))
FAQ_ACTIONS_PORT = int(os.environ.get("E2E_FAQ_ACTIONS_PORT", ACTIONS_PORT + 1))
PROJECT_FILES = ("config.yml", "domain.yml", "domain", "data", "tests/nlu", "tests/stories")

NEW_ENTRY = {
    "id": "cloakroom", "topic": "practical", "source": "information desk", "updated": "2017-11-15",
    "questions_en": "where is the cloakroom?\ncan I leave my coat somewhere?\nis there a coat check service?\n"
                    "where can I store my luggage during the day?\ncloakroom opening hours?",
    "questions_fr": "où est le vestiaire ?\npuis-je laisser mon manteau quelque part ?\ny a-t-il un service de vestiaire ?\n"
                    "où déposer mes bagages pendant la journée ?\nhoraires du vestiaire ?",
    "questions_nl": "waar is de vestiaire?\nkan ik mijn jas ergens achterlaten?\nis er een garderobedienst?\n"
                    "waar kan ik overdag mijn bagage kwijt?\nopeningsuren van de vestiaire?",
    "questions_es": "¿dónde está el guardarropa?\n¿puedo dejar mi abrigo en algún sitio?\n¿hay servicio de guardarropa?\n"
                    "¿dónde guardo mi equipaje durante el día?\n¿horario del guardarropa?",
    "questions_de": "wo ist die Garderobe?\nkann ich meinen Mantel irgendwo abgeben?\ngibt es einen Garderobenservice?\n"
                    "wo kann ich tagsüber mein Gepäck lassen?\nÖffnungszeiten der Garderobe?",
    "questions_ar": "أين غرفة المعاطف؟\nهل يمكنني ترك معطفي في مكان ما؟\nهل توجد خدمة لحفظ المعاطف؟\n"
                    "أين أترك أمتعتي خلال النهار؟\nمواعيد غرفة المعاطف؟",
}
NEW_ANSWER = {code: f"[{code}] The cloakroom is next to the main entrance (e2e test answer)."
              for code in ("en", "fr", "nl", "es", "de", "ar")}


def read_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def bot(project: Path, *args: str, token: str = "") -> subprocess.CompletedProcess:
    """``python -m bot …`` as an organiser runs it, on the project copy."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_API_TOKEN=token)
    command = [sys.executable, "-m", "bot", *args[:1], "--root", str(project), *args[1:]]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project whose FAQ the tests change."""
    root = tmp_path_factory.mktemp("faq-project")
    for name in PROJECT_FILES:
        source, target = ROOT / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target)
    (root / "models").mkdir()
    return root


@pytest.fixture(scope="module")
def faq_servers(project, tmp_path_factory):
    """Servers whose action server reads the project copy's answer store."""
    settings = server_settings(tmp_path_factory.mktemp("faq-e2e"), FAQ_RASA_PORT, FAQ_ACTIONS_PORT,
                               api_token=secrets.token_urlsafe(24),
                               extra_env={"BOT_FAQ_ANSWERS": str(project / "data" / "faq" / "answers.json")})
    with Servers(settings) as running:
        yield running


def test_an_edited_answer_is_live_on_the_next_question_without_restart(project, faq_servers):
    chat = Chat(faq_servers.settings.rasa_url)
    assert "information desk" in chat.say("what's the wifi password, please?")
    sheet = project / "data" / "faq" / "faq.csv"
    rows = read_rows(sheet)
    wifi = next(row for row in rows if row["id"] == "wifi")
    wifi["answer_en"] = "The Wi-Fi network is LAMOT-GUEST, password mechelen2017."
    wifi["answer_fr"] = "Le réseau Wi-Fi est LAMOT-GUEST, mot de passe mechelen2017."
    write_rows(sheet, rows)
    result = bot(project, "faq", "import", str(sheet))
    assert result.returncode == 0, result.stderr
    assert "Only answer texts changed" in result.stdout
    assert chat.say("what's the wifi password, please?") == wifi["answer_en"]
    assert Chat(faq_servers.settings.rasa_url).say("je cherche le code du wifi, svp") == wifi["answer_fr"]
    assert faq_servers.rasa.poll() is None and faq_servers.actions.poll() is None  # no restart


def test_a_bad_sheet_leaves_the_bot_as_it_was(project, faq_servers, tmp_path):
    store = (project / "data" / "faq" / "answers.json").read_bytes()
    broken = tmp_path / "broken.csv"
    rows = read_rows(project / "data" / "faq" / "faq.csv")
    rows[0]["answer_en"] = "<script>alert('x')</script>"
    rows[1]["questions_de"] = ""
    write_rows(broken, rows)
    result = bot(project, "faq", "import", str(broken))
    assert result.returncode == 1
    assert "row 2, column answer_en" in result.stderr and "row 3, column questions_de" in result.stderr
    assert (project / "data" / "faq" / "answers.json").read_bytes() == store
    assert "<script>" not in Chat(faq_servers.settings.rasa_url).say("what is the wifi password?")


def test_a_new_entry_is_answered_after_publish_in_two_languages(project, faq_servers):
    settings = faq_servers.settings
    ongoing = Chat(settings.rasa_url)
    ongoing.say("what is the conference website?")
    sheet = project / "data" / "faq" / "faq.csv"
    write_rows(sheet, read_rows(sheet) + [{**NEW_ENTRY, **{f"answer_{c}": a for c, a in NEW_ANSWER.items()}}])
    imported = bot(project, "faq", "import", str(sheet))
    assert imported.returncode == 0, imported.stderr
    assert "run `make publish`" in imported.stdout

    # The floors of `make evaluate` (EVAL_MIN_ACCURACY / EVAL_MIN_F1 when set, else 0.95 / 0.93).
    floor = ["--min-accuracy", os.environ.get("EVAL_MIN_ACCURACY", "0.95"),
             "--min-f1", os.environ.get("EVAL_MIN_F1", "0.93")]
    published = bot(project, "publish", "--rasa-url", settings.rasa_url, *floor, token=settings.api_token)
    assert published.returncode == 0, published.stdout[-3000:] + published.stderr[-3000:]
    assert "now uses the new model" in published.stdout

    assert Chat(settings.rasa_url).say("is there a cloakroom where I could leave my coat?") == NEW_ANSWER["en"]
    assert Chat(settings.rasa_url).say("Wo finde ich die Garderobe für meinen Mantel?") == NEW_ANSWER["de"]
    # The conversation from before the publish carries on, its history intact.
    assert "citiesandmigration.com" in ongoing.say("and what is the website address again?")
    tracker = requests.get(f"{settings.rasa_url}/conversations/{ongoing.sender}/tracker",
                           params={"token": settings.api_token}, timeout=30).json()
    texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert texts == ["what is the conference website?", "and what is the website address again?"]
