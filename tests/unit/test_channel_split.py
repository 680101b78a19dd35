"""Long replies are split at the platform limit without breaking words or links."""

import re

from hypothesis import given, strategies as st

from bot.plugins.channels.split import split_message

LINK = "https://www.citiesandmigration.com/mechelen-declaration"


def test_short_text_is_one_part():
    assert split_message("  Hello there.  ", 50) == ["Hello there."]


def test_prefers_a_paragraph_break_over_a_later_space():
    text = "First paragraph is here.\n\nSecond one follows and goes on"
    assert split_message(text, 40) == ["First paragraph is here.", "Second one follows and goes on"]


def test_ends_a_part_at_a_sentence_end_rather_than_mid_sentence():
    text = "The venue is Lamot. It is in Mechelen near the river Dijle"
    assert split_message(text, 30)[0] == "The venue is Lamot."


def test_a_url_is_never_cut():
    text = f"Read the declaration at {LINK} today"
    parts = split_message(text, 60)
    assert all(len(p) <= 60 for p in parts)
    assert any(LINK in p for p in parts)


def test_a_marked_up_link_with_spaces_stays_whole():
    link = "<https://example.org/a|the conference site>"
    text = "word " * 5 + link + " end"
    parts = split_message(text, 50)
    assert any(link in p for p in parts)
    assert all(len(p) <= 50 for p in parts)


def test_a_word_longer_than_the_limit_is_the_only_thing_cut():
    assert split_message("a " + "x" * 25, 10) == ["a", "x" * 10, "x" * 10, "x" * 5]


# At most 11 letters: with the "." of a ". " separator a word is still within the smallest limit.
words = st.text(alphabet="abcdéغ.,", min_size=1, max_size=11)
separators = st.sampled_from([" ", "\n", "\n\n", ". "])


@given(st.lists(st.tuples(words, separators), min_size=1, max_size=60), st.integers(min_value=12, max_value=80))
def test_parts_fit_and_keep_every_word_whole(pieces, limit):
    text = "".join(w + s for w, s in pieces)
    parts = split_message(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert " ".join(parts).split() == text.split()  # same words, none cut (all are ≤ 12 chars)


@given(st.lists(st.sampled_from(["word", LINK, "[the site](https://example.org/x)"]), min_size=1, max_size=40))
def test_links_are_kept_whole(tokens):
    text = " ".join(tokens)
    parts = split_message(text, 70)
    found = [link for part in parts for link in re.findall(r"https://\S+|\[[^\]]*\]\([^)]*\)", part)]
    assert found == re.findall(r"https://\S+|\[[^\]]*\]\([^)]*\)", text)
