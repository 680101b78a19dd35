"""The generic hot-reloading holder behind the programme, content and FAQ stores."""

import logging
import os
from pathlib import Path
from typing import List

import pytest

from bot.conversation.reloading import HotReloaded, directory_signature, file_signature


class Broken(ValueError):
    """The test loader's rejection."""


class Source:
    """A one-line file whose loader counts its calls and rejects the text 'broken'."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loads: List[str] = []
        self.saves = 0

    def write(self, text: str) -> None:
        """Write ``text`` with a modification time no earlier version had (coarse clocks)."""
        self.path.write_text(text, encoding="utf-8")
        self.saves += 1
        mtime = 1_000_000_000 * self.saves
        os.utime(self.path, ns=(mtime, mtime))

    def load(self, path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        self.loads.append(text)
        if text == "broken":
            raise Broken(f"{path.name}: broken")
        return text

    def holder(self) -> "HotReloaded[str]":
        return HotReloaded("text", self.path, file_signature, self.load, (Broken,), lambda text: f"{len(text)} characters")


@pytest.fixture
def source(tmp_path):
    return Source(tmp_path / "data.txt")


@pytest.fixture
def holder(source):
    """A holder that has loaded the version "good"."""
    source.write("good")
    holder = source.holder()
    assert holder.get() == "good"
    return holder


def test_loads_once_while_the_signature_is_unchanged(source, holder):
    assert [holder.get() for _ in range(3)] == ["good"] * 3
    assert source.loads == ["good"]
    assert holder.last_error is None


def test_reloads_on_a_changed_signature(source, holder):
    source.write("two")
    assert holder.get() == "two"
    assert source.loads == ["good", "two"]


def test_a_failing_load_keeps_the_last_good_value_and_records_why(source, holder, caplog):
    source.write("broken")
    with caplog.at_level(logging.ERROR):
        assert holder.get() == "good"
    assert isinstance(holder.last_error, Broken)
    assert "Rejected text from" in caplog.text and "keeping the last good text" in caplog.text
    source.write("fixed")
    assert holder.get() == "fixed"
    assert holder.last_error is None


def test_a_rejected_signature_is_not_retried_until_it_changes(source, holder):
    source.write("broken")
    assert [holder.get() for _ in range(3)] == ["good"] * 3
    assert source.loads == ["good", "broken"]
    source.write("broken")  # saved again: a new signature, loaded again
    holder.get()
    assert source.loads == ["good", "broken", "broken"]


def test_raises_the_rejection_when_nothing_was_ever_loaded(source):
    source.write("broken")
    holder = source.holder()
    for _ in range(2):
        with pytest.raises(Broken, match="data.txt: broken"):
            holder.get()
    assert source.loads == ["broken"]


def test_a_missing_file_is_a_version_too_before_and_after_a_good_one(tmp_path):
    def load(path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise Broken(str(error)) from error

    holder = HotReloaded("text", tmp_path / "missing.txt", file_signature, load, (Broken,), str)
    with pytest.raises(Broken):
        holder.get()
    (tmp_path / "missing.txt").write_text("here", encoding="utf-8")
    assert holder.get() == "here"
    (tmp_path / "missing.txt").unlink()
    assert holder.get() == "here" and isinstance(holder.last_error, Broken)


def test_signatures(tmp_path):
    assert file_signature(tmp_path / "missing") is None
    (tmp_path / "b.yml").write_text("bb", encoding="utf-8")
    (tmp_path / "a.yml").write_text("a", encoding="utf-8")
    (tmp_path / "c.txt").write_text("c", encoding="utf-8")
    assert file_signature(tmp_path / "a.yml") == ((tmp_path / "a.yml").stat().st_mtime_ns, 1)
    assert [(name, size) for name, _, size in directory_signature(tmp_path, "*.yml")] == [("a.yml", 1), ("b.yml", 2)]


def test_with_recheck_after_the_source_is_compared_at_most_that_often(tmp_path, monkeypatch):
    source = Source(tmp_path / "text.txt")
    source.write("first")
    now = [100.0]
    monkeypatch.setattr("bot.conversation.reloading.time.monotonic", lambda: now[0])
    holder = HotReloaded("text", source.path, file_signature, source.load, (Broken,), str, recheck_after=1.0)
    assert holder.get() == "first"
    source.write("second")
    now[0] += 0.5
    assert holder.get() == "first"  # within the second: not compared
    now[0] += 0.6
    assert holder.get() == "second"


def test_preload_loads_at_once_and_a_broken_source_is_logged_not_raised(source, caplog):
    source.write("good")
    holder = source.holder()
    holder.preload()
    assert source.loads == ["good"]
    assert holder.get() == "good" and source.loads == ["good"]
    source.write("broken")
    broken = source.holder()
    with caplog.at_level(logging.ERROR):
        broken.preload()
    assert "data.txt: broken" in caplog.text and isinstance(broken.last_error, Broken)
