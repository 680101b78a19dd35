"""The reports on a real Rasa SQL tracker store seeded with known conversations."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from bot.tools.reports.tracker import TrackerStoreError, database_url, read_messages
from tests.conftest import ROOT
from bot.tools.reports.unanswered import group_unanswered, inbox_rows
from bot.tools.reports.usage import usage_html

DAY1 = dt.datetime(2017, 11, 16, 9, 0, tzinfo=dt.timezone.utc).timestamp()
DAY2 = dt.datetime(2017, 11, 17, 9, 0, tzinfo=dt.timezone.utc).timestamp()

# (sender, text, intent, confidence, reply language, time)
CONVERSATIONS = [
    ("a", "where is the cloakroom?", "nlu_fallback", 0.5, "en", DAY1),
    ("a", "where is the venue?", "ask_venue", 0.97, "en", DAY1 + 60),
    ("b", "cloakroom where?", "nlu_fallback", 0.5, "en", DAY1 + 120),
    ("b", "Where is the cloakroom?", "ask_venue", 0.41, "en", DAY2),
    ("c", "où est le vestiaire ?", "nlu_fallback", 0.5, "fr", DAY2 + 10),
    ("c", "le vestiaire est où", "nlu_fallback", 0.5, "fr", DAY2 + 20),
    ("c", "quel est le mot de passe du wifi ?", "faq_wifi", 0.93, "fr", DAY2 + 30),
    ("d", "can I smoke <b>inside</b>?", "ask_venue", 0.30, "en", DAY2 + 40),
    ("d", "is there a prayer room?", "nlu_fallback", 0.5, "en", DAY2 + 50),
]


def seed(**database) -> None:
    """Write the conversations with Rasa's own SQLTrackerStore, as the server does."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  language:\n    type: text\n    mappings: [{type: custom}]\n")
    store = SQLTrackerStore(domain, **database)
    for sender in sorted({c[0] for c in CONVERSATIONS}):
        tracker = DialogueStateTracker(sender, domain.slots)
        for _, text, intent, confidence, language, when in [c for c in CONVERSATIONS if c[0] == sender]:
            parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
                     "language": {"code": "de"}}  # detection differs: the reply language must win
            tracker.update(UserUttered(text, parse["intent"], parse_data=parse, timestamp=when))
            tracker.update(SlotSet("language", language, timestamp=when))
            tracker.update(ActionExecuted("action_listen", timestamp=when))
        asyncio.run(store.save(tracker))


@pytest.fixture(scope="module")
def messages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracker")
    seed(dialect="sqlite", db=str(folder / "tracker.db"))
    endpoints = folder / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: tracker.db\n", encoding="utf-8")
    return read_messages(database_url(endpoints, folder))


def test_messages_carry_the_reply_language(messages):
    assert len(messages) == len(CONVERSATIONS)
    assert {m.text: m.language for m in messages}["où est le vestiaire ?"] == "fr"


def test_unanswered_groups_are_exactly_the_expected_ones(messages):
    groups = group_unanswered(messages, min_confidence=0.6)
    found = [(g.language, g.count, sorted(g.wordings)) for g in groups]
    assert found == [
        ("en", 3, ["Where is the cloakroom?", "cloakroom where?", "where is the cloakroom?"]),
        ("en", 1, ["can I smoke <b>inside</b>?"]),
        ("en", 1, ["is there a prayer room?"]),
        ("fr", 2, ["le vestiaire est où", "où est le vestiaire ?"]),
    ]
    cloakroom = groups[0]
    assert (cloakroom.first, cloakroom.last) == (DAY1, DAY2)


def test_inbox_rows_are_faq_rows_with_counts_and_dates(messages):
    rows = inbox_rows(group_unanswered(messages, min_confidence=0.6))
    assert rows[0]["questions_en"].splitlines()[0] in {"where is the cloakroom?", "Where is the cloakroom?"}
    assert (rows[0]["asked"], rows[0]["first_asked"], rows[0]["last_asked"]) == ("3", "2017-11-16", "2017-11-17")
    assert rows[3]["questions_fr"] and not rows[3]["questions_en"]
    assert rows[3]["answer_fr"] == ""  # the organiser writes it


def test_usage_report_counts_topics_and_escapes_messages(messages):
    page = usage_html(messages, {"ask_venue": "venue", "faq_wifi": "FAQ: practical"}, min_confidence=0.6)
    assert "<b>inside</b>" not in page
    assert re.search(r"not understood: 7<", page)  # 5 fallbacks + 2 below 0.6
    assert re.search(r"venue: 1<", page) and re.search(r"FAQ: practical: 1<", page)
    assert "Overall fallback rate: <strong>78%</strong> (7 of 9)" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_missing_database_is_a_clear_error(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: var/none.db\n", encoding="utf-8")
    with pytest.raises(TrackerStoreError, match="No conversations stored yet"):
        read_messages(database_url(endpoints, tmp_path))


def test_postgresql_url_from_endpoints(tmp_path, monkeypatch):
    monkeypatch.setenv("DB_PASSWORD", "secret")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.example\n  port: 5433\n"
                         "  db: rasa\n  username: bot\n  password: ${DB_PASSWORD}\n", encoding="utf-8")
    url = database_url(endpoints, tmp_path)
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == (
        "postgresql+psycopg2", "db.example", 5433, "rasa", "bot", "secret")


def test_the_inbox_reads_postgresql_too(tmp_path):
    """Same conversations in PostgreSQL (skipped where no server runs on 127.0.0.1:5432)."""
    import uuid

    import sqlalchemy as sa

    admin_url = sa.engine.URL.create("postgresql+psycopg2", username="postgres", host="127.0.0.1",
                                     port=5432, database="postgres")
    name = f"faq_reports_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    try:
        endpoints = tmp_path / "endpoints.yml"
        endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n"
                             f"  port: 5432\n  db: {name}\n  username: postgres\n", encoding="utf-8")
        seed(dialect="postgresql", host="127.0.0.1", port=5432, db=name, username="postgres")
        groups = group_unanswered(read_messages(database_url(endpoints, tmp_path)), min_confidence=0.6)
        assert [(g.language, g.count) for g in groups] == [("en", 3), ("en", 1), ("en", 1), ("fr", 2)]
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()



def test_the_reports_read_the_project_s_own_store(tmp_path, monkeypatch):
    """endpoints.yml names PrivacyTrackerStore (an SQLTrackerStore), in ${BOT_VAR_DIR}."""
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    seed(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    messages = read_messages(database_url(ROOT / "endpoints.yml"))
    assert len(messages) == len(CONVERSATIONS)


def test_a_store_without_sql_is_refused_by_name(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    for store in ("redis", "bot.plugins.lock_store.SQLiteLockStore", "no.such.Store"):
        endpoints.write_text(f"tracker_store:\n  type: {store}\n", encoding="utf-8")
        with pytest.raises(TrackerStoreError, match=f"tracker_store '{store}' is not an SQL store"):
            database_url(endpoints, tmp_path)
