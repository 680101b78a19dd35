"""The model archive unpacked once at start-up, in one pass.

Rasa unpacks ``models/current.tar.gz`` with tarsafe, which reads the whole compressed
archive twice (a safety check of every member, then the extraction), and the launcher
read it once more for ``metadata.json`` (its last member) to decide on TensorFlow: three
decompressions of ~56 MB, more than a second of start-up (docs/performance.md). Here it
is read once, member by member, each checked as tarsafe checks it before it is written:
nothing outside the directory, no link pointing outside it, no device file. The launcher
reads the metadata from the directory, and Rasa's extraction of that same archive
(``patches.preload_model``) takes the directory instead of reading the archive again.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Tuple

from bot.plugins.model_sync import file_signature


class UnsafeArchiveError(ValueError):
    """A member would be written, or would point, outside the directory."""


def _inside(directory: str, name: str) -> bool:
    return os.path.abspath(os.path.join(directory, name)).startswith(directory)


def check_member(member: tarfile.TarInfo, directory: str) -> None:
    """tarsafe's checks of one member (tarsafe.TarSafe._safetar_check), against ``directory``."""
    if not _inside(directory, member.name):
        raise UnsafeArchiveError(f"Attempted directory traversal for member: {member.name}")
    if (member.issym() or member.islnk()) and not _inside(directory, os.path.normpath(member.linkname)):
        raise UnsafeArchiveError(f"Attempted directory traversal via link for member: {member.linkname}")
    if member.ischr() or member.isblk():
        raise UnsafeArchiveError(f"{member.name} is a device file")


def unpack(archive: Path, directory: Path) -> None:
    """Every member of the gzipped ``archive`` into ``directory``, checked, in one pass."""
    target = os.path.abspath(directory)
    with tarfile.open(archive, mode="r|gz") as tar:
        for member in tar:
            check_member(member, target)
            tar.extract(member, target)


@dataclass(frozen=True)
class Unpacked:
    """An archive unpacked into ``directory``, as it was when read (path and signature)."""

    key: Tuple[str, Any]
    directory: Path

    def move_into(self, target: Path) -> None:
        """Hand the unpacked files to ``target`` (an empty directory), once."""
        for entry in self.directory.iterdir():
            shutil.move(str(entry), str(target / entry.name))
        self.discard()

    def discard(self) -> None:
        """Remove what is left of the directory."""
        shutil.rmtree(self.directory, ignore_errors=True)


def archive_key(archive: Any) -> Optional[Tuple[str, Any]]:
    """The archive's resolved path and file signature; None when it is not a file."""
    path = Path(archive).resolve()
    signature = file_signature(path)
    return (str(path), signature) if signature is not None and path.is_file() else None


@dataclass(frozen=True)
class Unpacking:
    """An archive being unpacked by a child process into ``directory``."""

    key: Tuple[str, Any]
    directory: Path
    pid: int

    def wait(self) -> Optional[Unpacked]:
        """The unpacked archive; None if it could not be unpacked (Rasa then reads it,
        and reports what is wrong, as it always has)."""
        _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            shutil.rmtree(self.directory, ignore_errors=True)
            return None
        return Unpacked(self.key, self.directory)


def start_unpacking(archive: Path) -> Optional[Unpacking]:
    """``archive`` unpacked into a new temporary directory by a forked child, so that the
    caller can load something else meanwhile on another CPU (the launcher: lingua's
    models); None if it is not a file. Fork before starting threads."""
    key = archive_key(archive)
    if key is None:
        return None
    directory = Path(tempfile.mkdtemp(prefix="model-"))
    pid = os.fork()
    if pid == 0:  # the child: unpack, and leave without the parent's exit handlers
        try:
            unpack(archive, directory)
        except (tarfile.TarError, OSError, EOFError, UnsafeArchiveError):
            os._exit(1)
        os._exit(0)
    return Unpacking(key, directory, pid)
