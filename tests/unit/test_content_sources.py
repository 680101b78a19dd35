"""Which source each answer shows, and how far it can be trusted (data/sources.yml, docs/content.md).

The table of displayed sources by tag is printed (``pytest -s``) for reviewers; the tests fail when
an answer shows a mirror, personal or hostile page while it has an official or press one, when
such an answer does not name the page's publisher in every language, when a displayed source has
no note of what it says, or when a source's address is not one of the research files'.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import List, Tuple

import pytest

from bot.conversation.content import load_content
from bot.conversation.content.model import WEAK_RANK
from bot.conversation.faq.answers import load_answers
from bot.conversation.faq.model import UNCONFIRMED_SOURCE
from bot.tools.faq.project import FaqPaths
from tests.conftest import LANGS, ROOT

KB = load_content()
ANSWERS = [(topic.file, answer) for topic in KB.topics_by_intent.values() for answer in topic.distinct_answers()]
FAQ = load_answers(FaqPaths(ROOT).answers)
RESEARCH = ROOT.parent / "shared" / "research"
SEED = ROOT.parent / "shared" / "seed" / "conference_news_article.txt"


def displayed() -> List[Tuple[str, str, str]]:
    """(answer, source id, tag) of every answer and FAQ entry that shows a source."""
    rows = []
    for _, answer in ANSWERS:
        source = KB.displayed_source(answer)
        if source is not None:
            rows.append((answer.id, source.id, source.tag))
    for entry in FAQ:
        if entry.source != UNCONFIRMED_SOURCE:
            rows.append((f"faq.{entry.id}", entry.source, KB.sources[entry.source].tag))
    return rows


def test_list_every_displayed_source_with_its_tag(capsys):
    rows = displayed()
    width = max(len(answer) for answer, _, _ in rows)
    with capsys.disabled():
        print("\nDisplayed sources (answer, source, tag):")
        for answer, source, tag in sorted(rows, key=lambda row: (row[2], row[0])):
            print(f"  {answer:<{width}}  {source:<32} {tag}")
        counts = Counter(tag for _, _, tag in rows)
        print("  by tag: " + ", ".join(f"{tag} {counts[tag]}" for tag in sorted(counts)))
    assert len(rows) >= len(ANSWERS) - sum(1 for _, a in ANSWERS if a.unconfirmed and not a.sources)
    assert all(tag in ("official", "press", "mirror", "personal", "hostile") for _, _, tag in rows)


@pytest.mark.parametrize("where, answer", ANSWERS, ids=[answer.id for _, answer in ANSWERS])
def test_no_weak_page_is_shown_where_an_official_or_press_page_exists(where, answer):
    if not answer.sources:
        assert answer.unconfirmed, f"{where}: {answer.id} has no source"
        return
    shown = KB.displayed_source(answer)
    ranks = [KB.sources[ref.source].rank for ref in answer.sources]
    assert shown.rank == min(ranks), f"{answer.id} shows {shown.id} ({shown.tag}) but has a better source"
    assert answer.sources[0].supports, f"{answer.id}: no note of what {shown.id} says"
    if shown.rank >= WEAK_RANK:
        assert answer.attributed, f"{answer.id} shows a {shown.tag} page without saying whose claim it is"
    if answer.attributed:
        for texts in filter(None, (answer.text, answer.after_event)):
            for code in LANGS:
                assert shown.publisher.casefold() in texts[code].casefold(), f"{answer.id} [{code}]"


def test_faq_entries_show_a_registered_source_and_name_weak_ones():
    for entry in FAQ:
        if entry.source == UNCONFIRMED_SOURCE:
            continue
        source = KB.sources[entry.source]
        if source.rank >= WEAK_RANK:
            for texts in filter(None, (entry.answers, entry.after_event)):
                assert all(source.publisher.casefold() in texts[c].casefold() for c in LANGS), entry.id


def test_every_source_is_cited_by_its_id_and_every_displayed_source_is_known():
    used = {ref.source for _, answer in ANSWERS for ref in answer.sources} | {e.source for e in FAQ}
    assert used - set(KB.sources) <= {UNCONFIRMED_SOURCE}


@pytest.mark.skipif(not RESEARCH.is_dir(), reason="the research files are not beside the project")
def test_every_address_comes_from_the_research_files():
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(RESEARCH.glob("*.md")))
    urls = {source.url for source in KB.sources.values() if source.url}
    urls |= {u for _, a in ANSWERS for t in (a.text, a.after_event or {}) for v in t.values()
             for u in re.findall(r"https?://\S+", v)}
    urls |= {u for e in FAQ for t in (e.answers, e.after_event) for v in t.values() for u in re.findall(r"https?://\S+", v)}
    missing = sorted(u.rstrip(".,;)،") for u in urls if u.rstrip(".,;)،") not in text)
    assert missing == []


@pytest.mark.skipif(not SEED.is_file(), reason="the seed article is not beside the project")
def test_quotes_attributed_to_the_conference_report_are_verbatim():
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    for _, answer in ANSWERS:
        if not any(ref.source == "conference_report" for ref in answer.sources):
            continue
        for quote in re.findall(r"[“«„]\s?([^”»“]+?)\s?[”»“]", answer.text["en"]):
            if quote.startswith(("Global Conference", "Human", "Youth", "Cities 2030", "Cities Working")):
                continue  # titles, not speech
            assert quote.rstrip(".").casefold() in seed.casefold(), f"{answer.id}: “{quote}”"


def test_the_fixed_audit_findings_stay_fixed():
    everything = "\n".join(t for _, a in ANSWERS for texts in (a.text, a.after_event or {}) for t in texts.values())
    everything += "\n".join(t for e in FAQ for texts in (e.answers, e.after_event) for t in texts.values())
    assert "information desk" not in everything and "informatiebalie" not in everything
    assert "until the 1980s" not in KB.topics_by_intent["ask_venue"].answers[(None, "building")].text["en"].replace(
        "Lamot beer was made there until the 1980s", "")
    banned = ("piglix", "owiki", "documents.pub", "technocracy.news", "turkmenistannewsgazette", "the-uncensored-wiki",
              "wikial", "travelark")
    for answer_id, source, _ in displayed():
        url = KB.sources[source].url or ""
        if any(name in url for name in banned):
            answer = next(a for _, a in ANSWERS if a.id == answer_id)
            assert answer.attributed and answer_id.startswith("declaration."), f"{answer_id} shows {url}"
    # the train from Brussels is not sourced to a Bruges tourist page or a traveller's blog
    travel = {answer_id: source for answer_id, source, _ in displayed() if answer_id.startswith("travel.")}
    assert not {"visit_bruges_mechelen", "travelark_blog"} & set(travel.values())


def test_sources_registry_file_is_where_docs_say(tmp_path):
    assert (ROOT / "data" / "sources.yml").is_file()
    assert Path(ROOT / "docs" / "content.md").read_text(encoding="utf-8").count("sources.yml") >= 1
