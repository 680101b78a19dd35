"""bot.plugins.model_archive: the archive unpacked in one pass (by a forked child) gives
the files tarfile extracts, refuses what tarsafe refuses, and Rasa's extraction of that archive takes the
files once (patches.preload_model), any other archive being extracted as Rasa does."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Dict

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot.plugins import model_archive, tensorflow_stand_in
from bot.plugins import patches as speedups
from tests.unit.test_tensorflow_stand_in import PROJECT_GRAPH, model_with

FILES = {"metadata.json": b"{}", "components/train_Tokenizer0/lemmas.npz": b"\x00" * 5000, "components/x/a.json": b"[]"}


def archive(path: Path, files: Dict[str, bytes], link: str = "") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo("components/link")
            info.type, info.linkname = tarfile.SYMTYPE, link
            tar.addfile(info)
    return path


def unpacked_by_child(path: Path):
    unpacking = model_archive.start_unpacking(path)
    assert unpacking is not None
    return unpacking.wait()


def contents(directory: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_one_pass_gives_the_files_tarfile_extracts(tmp_path: Path):
    path = archive(tmp_path / "model.tar.gz", FILES)
    unpacked = unpacked_by_child(path)
    assert unpacked is not None and unpacked.key == model_archive.archive_key(path)
    with tarfile.open(path) as tar:
        tar.extractall(tmp_path / "tarfile")
    assert contents(unpacked.directory) == contents(tmp_path / "tarfile") == FILES
    unpacked.discard()
    assert not unpacked.directory.exists()


@pytest.mark.parametrize(
    "files, link",
    [({"../outside.txt": b"x"}, ""), ({"/etc/evil": b"x"}, ""), (FILES, "/etc/passwd"), (FILES, "../../../x")],
)
def test_members_that_reach_outside_are_refused_and_nothing_is_left(tmp_path: Path, files, link):
    path = archive(tmp_path / "model.tar.gz", files, link)
    with pytest.raises(model_archive.UnsafeArchiveError):
        model_archive.unpack(path, tmp_path / "into")
    before = set(Path(model_archive.tempfile.gettempdir()).glob("model-*"))
    assert unpacked_by_child(path) is None
    assert set(Path(model_archive.tempfile.gettempdir()).glob("model-*")) == before
    assert not (tmp_path / "outside.txt").exists()


def test_the_tensorflow_decision_reads_the_unpacked_metadata_as_the_archive(tmp_path: Path):
    path = model_with(tmp_path, PROJECT_GRAPH + ["acme.components.Sentiment"])
    unpacked = unpacked_by_child(path)
    assert unpacked is not None
    assert tensorflow_stand_in.model_components(unpacked.directory) == tensorflow_stand_in.model_components(path)
    unpacked.discard()


def test_rasa_takes_the_unpacked_files_once_then_extracts_as_it_does(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(
        LocalModelStorage, "_extract_archive_to_directory", LocalModelStorage.__dict__["_extract_archive_to_directory"]
    )
    path = archive(tmp_path / "model.tar.gz", FILES)
    unpacked = unpacked_by_child(path)
    assert unpacked is not None
    speedups._install_unpacked(unpacked)
    for attempt in ("unpacked", "rasa"):
        target = tmp_path / attempt
        target.mkdir()
        LocalModelStorage._extract_archive_to_directory(path, target)
        assert contents(target) == FILES
        assert not unpacked.directory.exists()  # moved on the first call; Rasa read the second
