"""Slack markup: what the user typed in, exactly our text out."""

from bot.plugins.channels.slack import escape, typed_text


def test_mentions_and_link_markup_are_removed_from_what_the_user_typed():
    assert typed_text("<@U0LAN0Z89> where is the venue?") == "where is the venue?"
    assert typed_text("see <https://example.org/a|example.org/a> please") == "see example.org/a please"
    assert typed_text("mail <mailto:info@example.org>") == "mail mailto:info@example.org"


def test_replies_escape_the_characters_slack_reads_as_markup():
    assert escape("Q&A <b> at 9 > 8") == "Q&amp;A &lt;b&gt; at 9 &gt; 8"
