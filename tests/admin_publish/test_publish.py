"""An organiser adds an entry in the console and presses Publish: the page follows the steps,
and then both Sanic workers of `make run` answer the new entry's questions.

On the one-language copy of the project (tests/conftest.py ``plain_assistant``: English
training data and tests, so the candidate trains in minutes, not ten), whose gate floors are
that model's own (``BOT_PUBLISH_MIN_ACCURACY``/``_F1`` there)."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from tests.admin.conftest import add_user
from tests.support.servers import Chat

PUBLISH_TIMEOUT_MS = 30 * 60_000
QUESTIONS = {
    "en": ["where can I charge my phone?", "is there a charging point for phones?", "my battery is empty, where can I plug in?",
           "phone charger available?", "can I recharge my laptop somewhere?"],
    "fr": ["où puis-je recharger mon téléphone ?", "y a-t-il une borne de recharge pour téléphones ?",
           "ma batterie est vide, où me brancher ?", "chargeur de téléphone disponible ?"],
    "nl": ["waar kan ik mijn telefoon opladen?", "is er een oplaadpunt voor telefoons?", "mijn batterij is leeg, waar kan ik inpluggen?",
           "telefoonoplader beschikbaar?"],
    "es": ["¿dónde puedo cargar mi teléfono?", "¿hay un punto de carga para teléfonos?", "mi batería está vacía, ¿dónde enchufo?",
           "¿cargador de teléfono disponible?"],
    "de": ["wo kann ich mein Handy aufladen?", "gibt es eine Ladestation für Handys?", "mein Akku ist leer, wo kann ich einstecken?",
           "Handyladegerät verfügbar?"],
    "ar": ["أين يمكنني شحن هاتفي؟", "هل توجد نقطة شحن للهواتف؟", "بطاريتي فارغة، أين أشحنها؟", "هل يوجد شاحن هاتف؟"],
}
ANSWER = {code: f"[{code}] Phones can be charged at the information desk (test answer)." for code in QUESTIONS}


def test_an_entry_published_from_the_console_is_answered_by_every_worker(plain_assistant, open_console):
    assistant = plain_assistant
    name = f"org-{uuid.uuid4().hex[:8]}"
    add_user(assistant.var_dir, name)
    workers_before = assistant.wait_for_workers()
    page = open_console(name)

    page.locator("#faq-new").click()
    page.locator("#f-id").fill("phone_charging")
    page.locator("#f-topic").fill("practical")
    page.locator("#f-source").fill("cites_unies_france")
    for code, questions in QUESTIONS.items():
        page.locator(f"#f-questions_{code}").fill("\n".join(questions))
        page.locator(f"#f-answer_{code}").fill(ANSWER[code])
    page.locator("#faq-save").click()
    expect(page.locator("#faq-message")).to_contain_text("the questions need publishing")

    page.locator("#nav a[data-area=publish]").click()
    started = time.monotonic()
    page.locator("#publish-start").click()
    expect(page.locator("#publish-steps li").first).to_contain_text("Check the training data and train the new model")
    expect(page.locator("#publish-outcome")).to_have_attribute("data-outcome", "published", timeout=PUBLISH_TIMEOUT_MS)
    took = time.monotonic() - started
    expect(page.locator("#publish-steps li.failed")).to_have_count(0)
    expect(page.locator("#publish-gate tbody tr").first).to_contain_text("yes")
    print(f"\nPublish pressed → every worker answers: {took:.0f} s")

    models = {info["model_id"] for info in assistant.wait_for_workers().values()}
    assert len(models) == 1 and models != {info["model_id"] for info in workers_before.values()}
    for attempt in range(30):  # a new connection each time, so both workers answer some
        reply = Chat(assistant.rasa_url).say("where could I charge my phone please?")
        assert reply.split("\n")[0] == ANSWER["en"], f"attempt {attempt + 1}: {reply}"
