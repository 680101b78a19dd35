"""Hot reload: serve the newest valid version of a data file (or directory of files).

Organisers edit the programme, the content files and the FAQ while the assistant runs.
Each request compares a cheap signature of the source (the file's modification time and
size: one ``stat``, microseconds; for a directory, those of each file) with that of the
version in memory, so a saved edit is live on the next question without a restart. An
unchanged signature is answered without taking the lock; a changed one is loaded and
validated as a whole under the lock, once, however many requests arrive meanwhile.

A version that fails to load is rejected with a log line saying why (the loaders name
the file and the entry at fault), and the last good version keeps being served. The
rejected signature is remembered, so a broken file is read once rather than on every
request; saving it again (fixed or not) loads it again.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Generic, Hashable, List, Optional, Tuple, Type, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
FileSignature = Optional[Tuple[int, int]]
DirectorySignature = Tuple[Tuple[str, int, int], ...]

_NEVER = object()  # the signature of no version: equal to no real signature, None included


def file_signature(path: Path) -> FileSignature:
    """The file's (modification time, size); None if it cannot be stat'ed (e.g. missing)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def directory_signature(directory: Path, pattern: str) -> DirectorySignature:
    """(name, modification time, size) of each file in ``directory`` matching ``pattern``."""
    entries: List[Tuple[str, int, int]] = []
    for path in sorted(directory.glob(pattern)):
        try:
            stat = path.stat()
        except FileNotFoundError:  # deleted since the glob
            continue
        entries.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


class HotReloaded(Generic[T]):
    """Thread-safe holder of the newest valid version of ``what``, loaded from ``source``.

    ``signature(source)`` is the cheap fingerprint compared on each request,
    ``load(source)`` the validating loader, which raises one of ``errors`` for an invalid
    version; ``summary(value)`` says what a loaded version holds ("42 sessions") for the
    log. ``last_error`` is why the current version of the source was rejected, None
    while the source loads.
    """

    def __init__(
        self,
        what: str,
        source: Path,
        signature: Callable[[Path], Hashable],
        load: Callable[[Path], T],
        errors: Tuple[Type[Exception], ...],
        summary: Callable[[T], str],
        recheck_after: float = 0.0,
    ) -> None:
        self.what = what
        self.source = source
        self._signature = signature
        self._load = load
        self._errors = errors
        self._summary = summary
        self._lock = threading.Lock()
        self._value: Optional[T] = None
        self._loaded: Hashable = _NEVER
        self._rejected: Hashable = _NEVER
        self.last_error: Optional[Exception] = None
        self._recheck_after = recheck_after
        self._next_check = 0.0

    def get(self) -> T:
        """The newest valid version; if none ever loaded, raises the error that rejected it.
        With ``recheck_after`` (seconds), the source is compared at most that often."""
        now = time.monotonic()
        if self._value is not None and now < self._next_check:
            return self._value
        self._next_check = now + self._recheck_after
        signature = self._signature(self.source)
        # Without the lock: the signatures are read before the value, and _reload writes
        # the value before the signature, so a matching signature never meets an older value.
        if signature in (self._loaded, self._rejected) and self._value is not None:
            return self._value
        with self._lock:
            if signature not in (self._loaded, self._rejected):
                self._reload(signature)
            if self._value is None:  # so this signature was rejected, and last_error is set
                if self.last_error is None:  # not reached: a rejection always records its error
                    raise RuntimeError(f"no {self.what} loaded from {self.source}")
                raise self.last_error
            return self._value

    def preload(self) -> None:
        """Load now, at start-up, so that no request waits for it: the first question each
        process answered used to read the content files (docs/performance.md, start-up).
        An invalid version is logged and left out, as on a request."""
        try:
            self.get()
        except self._errors:
            pass

    def _reload(self, signature: Hashable) -> None:
        try:
            value = self._load(self.source)
        except self._errors as error:
            self._rejected, self.last_error = signature, error
            state = f"keeping the last good {self.what}" if self._value is not None else f"no {self.what} to serve"
            logger.error("Rejected %s from %s (%s):\n%s", self.what, self.source, state, error)
            return
        self._value, self._loaded, self._rejected, self.last_error = value, signature, _NEVER, None
        logger.info("Loaded %s from %s", self._summary(value), self.source)
