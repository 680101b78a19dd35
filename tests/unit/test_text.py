import pytest
from hypothesis import given, strategies as st

from bot.conversation.text import arabic_share, contains_phrase, longest_match, normalise, without_phrases, word_count


def test_normalise_folds_case_accents_and_punctuation():
    assert normalise("Où a lieu la Conférence ?") == "ou a lieu la conference"
    assert normalise("Tschüss!!") == "tschuss"
    assert normalise("l'adresse") == "l adresse"


def test_normalise_unifies_arabic_spelling_variants():
    assert normalise("الإنجليزية") == normalise("الانجليزيه")
    assert normalise("مَرْحَبًا") == normalise("مرحبا")


def test_phrases_match_whole_words_only():
    text = normalise("Is the biome fine?")
    assert not contains_phrase(text, "iom")
    assert contains_phrase(normalise("What is IOM?"), "iom")


def test_longest_match_prefers_the_more_specific_phrase():
    text = normalise("Where is Brussels Airport station?")
    assert longest_match(text, ["brussels", "brussels airport"]) == "brussels airport"


def test_arabic_prefixes_are_accepted():
    assert longest_match(normalise("ما هو العنوان"), [normalise("عنوان")]) == normalise("عنوان")
    assert longest_match(normalise("وبالعنوان"), [normalise("عنوان")]) is None  # two prefixes: no


@pytest.mark.parametrize("text, phrase", [("ما عنوانها؟", "العنوان"), ("أين تقع أمانتها العامة؟", "الأمانة العامة"),
                                          ("أين مقره", "مقر"), ("كم عدد سكانها", "عدد السكان")])
def test_arabic_possessive_endings_are_accepted(text, phrase):
    assert longest_match(normalise(text), [normalise(phrase)]) == normalise(phrase)
    assert longest_match(normalise(text), frozenset([normalise(phrase)])) == normalise(phrase)


def test_an_ending_needs_a_stem_of_three_letters():
    assert longest_match(normalise("منه"), [normalise("من")]) is None


def test_arabic_share_and_word_count():
    assert arabic_share("أين المؤتمر؟") == 1.0
    assert arabic_share("Lamot أين") < 1.0
    assert arabic_share("123 !!") == 0.0
    assert arabic_share("هاشتاغ Cities4Migration") == 0.5  # a word each, however long the name
    assert arabic_share("what does مرحبا mean") == 0.25
    assert word_count("hello 123 🙂 world") == 2


@given(st.text())
def test_normalise_is_idempotent_and_never_fails(text):
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once


def _longest_by_definition(text, phrases):
    """The longest phrase found as whole words, or behind one Arabic prefix or under one
    possessive ending (first wins a tie)."""
    from bot.conversation.text import arabic_attached

    found = [p for p in phrases if contains_phrase(text, p) or arabic_attached(text, p)]
    return max(found, key=len, default=None) if found else None


WORDS = ["iom", "un habitat", "ال", "عنوان", "mechelen", "a", "", "vol", "و", "بالعنوان", "the venue", "عنوانها",
         "الامانه", "امانتها", "العامه", "مقر"]


@given(st.lists(st.sampled_from(WORDS), max_size=6), st.lists(st.sampled_from(WORDS), max_size=8))
def test_longest_match_is_the_longest_phrase_found(text_words, phrases):
    text = normalise(" ".join(text_words))
    assert longest_match(text, phrases) == _longest_by_definition(text, phrases)


def test_the_indexed_lookup_finds_what_the_scan_finds():
    """Fixed collections (mappings, frozensets) are looked up through an index; on the
    project's own phrases and training sentences it must agree with the plain scan."""
    from pathlib import Path

    import yaml

    from bot.conversation.content.loader import CONTENT_DIR, load_content

    kb = load_content(CONTENT_DIR)
    collections = [t.subject_aliases for t in kb.topics_by_intent.values()]
    collections += [t.facet_keywords for t in kb.topics_by_intent.values()] + [t.anchors for t in kb.topics_by_intent.values()]
    texts = []
    for path in sorted(Path("data/nlu").rglob("*.yml"))[::3]:
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            texts += [normalise(line[2:]) for line in (item.get("examples") or "").splitlines()[::7] if line.startswith("- ")]
    texts += [normalise("وبالعنوان"), normalise("ما هو العنوان"), normalise("والمقر؟"), normalise("أين مقرها")]
    assert len(texts) > 300
    for phrases in collections:
        listed = list(phrases)
        for text in texts:
            assert longest_match(text, phrases) == longest_match(text, listed), (text, listed[:3])


def test_without_phrases_removes_whole_words_longest_first():
    assert without_phrases("who was the director general then", ["director", "director general"]) == "who was the then"
    assert without_phrases("the directory", ["director"]) == "the directory"  # whole words only
    assert without_phrases("hallo ne frage zur verklaring", ["", "hallo"]) == "ne frage zur verklaring"
