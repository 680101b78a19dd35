"""bot.plugins.launcher: the garbage collector, paused while a server starts, runs again
once Rasa has its command line, and an unpacked archive nothing took is removed."""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

from bot.plugins.launcher import ServerListeners
from bot.plugins.model_archive import Unpacked


def test_after_the_command_line_the_collector_runs_and_nothing_unpacked_is_left(tmp_path: Path):
    directory = tmp_path / "unpacked"
    directory.mkdir()
    (directory / "metadata.json").write_text("{}")
    gc.disable()
    try:
        ServerListeners((), Unpacked(("archive", None), directory)).configure_commandline(argparse.Namespace())
        assert gc.isenabled()
    finally:
        gc.enable()
    assert not directory.exists()
