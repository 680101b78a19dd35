"""The organisers' commands (docs/organisers.md), run as an organiser runs them, against
the shared assistant (tests/conftest.py) and its copy of the project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def bot(project: Path, var_dir: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    """``python -m bot …`` on the project copy ``project``, for the assistant whose files
    are in ``var_dir`` (what ``BOT_VAR_DIR`` tells the tools, as ``make run`` tells its servers)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_VAR_DIR=str(var_dir))
    command = [sys.executable, "-m", "bot", *args[:1], "--root", str(project), *args[1:]]
    env.pop("BOT_ENDPOINTS", None)  # the project's endpoints.yml, as `make run` uses
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def servers(shared_assistant):
    return shared_assistant
