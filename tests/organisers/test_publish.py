"""`make publish` reaches every worker: a new FAQ entry, imported and published, is then
understood by both Sanic workers of `make run`, and a conversation started before goes on.

The smallest set-up that still proves the swap (tests/conftest.py ``plain_assistant``):
a copy of the project with the training data and tests of one language (English), so
that the candidate trains in about a minute, served by a `make run` of its
own (two workers, the project's endpoints) that starts from the full model. Publishing replaces that model
file with the candidate; the test then asks 30 times in a row, on new connections
(the kernel hands them to either worker), and every answer must be the new entry's.
"""

from __future__ import annotations

import requests

from tests.organisers.conftest import bot
from tests.organisers.test_faq import read_rows, write_rows
from tests.support.servers import Chat

NEW_ENTRY = {
    "id": "cloakroom", "topic": "practical", "source": "cites_unies_france", "updated": "2017-11-15",
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
CITES_UNIES_FRANCE = "https://cites-unies-france.org/Conference-Villes-et-migration-les"  # its address in data/sources.yml
NEW_ANSWER = {code: f"[{code}] The cloakroom is next to the main entrance (test answer)."
              for code in ("en", "fr", "nl", "es", "de", "ar")}


def test_a_published_entry_is_understood_by_every_worker(plain_assistant):
    assistant = plain_assistant
    project = assistant.project
    workers_before = assistant.wait_for_workers()
    ongoing = Chat(assistant.rasa_url)
    assert "citiesandmigration.com" in ongoing.say("what is the conference website?")
    sheet = project / "data" / "faq" / "faq.csv"
    write_rows(sheet, read_rows(sheet) + [{**NEW_ENTRY, **{f"answer_{c}": a for c, a in NEW_ANSWER.items()}}])
    imported = bot(project, assistant.var_dir, "faq", "import", str(sheet))
    assert imported.returncode == 0, imported.stderr
    assert "run `make publish`" in imported.stdout

    # The gate itself is unit-tested at the project's floors (tests/unit/test_faq_publish.py);
    # this one-language model is a different one, measured against a floor of its own.
    published = bot(project, assistant.var_dir, "publish", "--min-accuracy", "0.9", "--min-f1", "0.9")
    assert published.returncode == 0, published.stdout[-3000:] + published.stderr[-3000:]
    assert f"Every worker now answers with the new model ({len(workers_before)}:" in published.stdout
    models = {info["model_id"] for info in assistant.wait_for_workers().values()}
    assert len(models) == 1 and models != {info["model_id"] for info in workers_before.values()}

    for attempt in range(30):  # a new connection each time, so both workers answer some
        reply = Chat(assistant.rasa_url).say("is there a cloakroom where I could leave my coat?")
        assert reply == f"{NEW_ANSWER['en']}\nSource: {CITES_UNIES_FRANCE}", f"attempt {attempt + 1}: {reply}"
    # The conversation from before the publish carries on, its history intact.
    assert "citiesandmigration.com" in ongoing.say("and what is the website address again?")
    tracker = requests.get(f"{assistant.rasa_url}/conversations/{ongoing.sender}/tracker",
                           params={"token": assistant.token}, timeout=30).json()
    texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert texts == ["what is the conference website?", "and what is the website address again?"]
