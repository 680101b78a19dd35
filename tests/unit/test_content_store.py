"""Hot reload: edits go live without restart; broken edits keep the last good content."""

import logging
import os

import pytest

from bot.conversation.content import ContentError, LiveContent
from tests.conftest import venue_topic, write_yaml


def touch_later(path):
    """Make sure the file's modification time differs from the previous version's."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_an_edited_answer_is_served_without_restart(content_dir):
    store = LiveContent(content_dir)
    assert store.get().topics_by_intent["ask_venue"].answers[(None, None)].text["en"] == "[en] overview"
    topic = venue_topic()
    topic["answers"][0]["text"]["en"] = "A new overview"
    write_yaml(content_dir / "venue.yml", topic)
    touch_later(content_dir / "venue.yml")
    assert store.get().topics_by_intent["ask_venue"].answers[(None, None)].text["en"] == "A new overview"


def test_a_broken_edit_keeps_the_last_good_content_and_logs_the_entry(content_dir, caplog):
    store = LiveContent(content_dir)
    good = store.get()
    topic = venue_topic()
    del topic["answers"][0]["text"]["es"]
    write_yaml(content_dir / "venue.yml", topic)
    touch_later(content_dir / "venue.yml")
    with caplog.at_level(logging.ERROR):
        assert store.get() is good
    assert "venue.yml: answers[0] (id venue.overview): the 'es' text is missing" in caplog.text
    assert store.last_error is not None


def test_fixing_the_file_recovers(content_dir):
    store = LiveContent(content_dir)
    store.get()
    (content_dir / "venue.yml").write_text("broken: [", encoding="utf-8")
    touch_later(content_dir / "venue.yml")
    store.get()
    write_yaml(content_dir / "venue.yml", venue_topic())
    touch_later(content_dir / "venue.yml")
    assert store.get().answer_count() == 4
    assert store.last_error is None


def test_no_valid_content_at_start_raises(tmp_path):
    (tmp_path / "venue.yml").write_text("broken: [", encoding="utf-8")
    with pytest.raises(ContentError):
        LiveContent(tmp_path).get()
