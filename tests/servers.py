"""Settings for the real servers that the test suites start (tests/e2e, channels, reliability).

Each suite runs the trained model on its own ports, with its endpoints, tracker
database, logs and API token file under its own ``work`` folder, so a test run
never touches a developer's running assistant, its conversations or the token
``make publish`` reads (var/api-token). A suite passes only what is its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest

from bot.tools.serve import ServerSettings
from tests.conftest import ROOT

PRIVACY_STORE = "bot.plugins.tracker_store.privacy.PrivacyTrackerStore"
# For suites that send many messages from one sender quickly. The per-sender limits
# have their own tests (tests/reliability), which therefore run with the real ones.
RELAXED_SENDER_LIMITS = {"BOT_RATE_PER_SENDER_PER_MINUTE": "100000", "BOT_RATE_SENDER_BURST": "100000"}


def trained_model() -> Path:
    """``BOT_MODEL`` or models/current.tar.gz. Tests never train one: without a model they
    fail at once, saying how to make one, rather than with a server that does not start."""
    model = Path(os.environ.get("BOT_MODEL", ROOT / "models" / "current.tar.gz"))
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run `make train` first")
    return model


def sqlite_store(db: Path, store_type: str = "SQL") -> str:
    """The ``tracker_store`` block of endpoints.yml for the SQLite file ``db``."""
    return f"  type: {store_type}\n  dialect: sqlite\n  db: {db}\n"


def server_settings(work: Path, rasa_port: int, actions_port: int, *, actions_url: Optional[str] = None,
                    tracker_store: Optional[str] = None, **options) -> ServerSettings:
    """Servers on the given ports, with endpoints.yml, logs and API token file under ``work``.

    ``actions_url``: where Rasa calls the actions, by default the action server itself
    (the reliability suite puts a proxy in between). ``tracker_store``: the block for
    endpoints.yml, by default Rasa's SQL store in ``work/tracker.db``. ``options``: any
    other ServerSettings field (extra_env, api_token, public …).
    """
    actions_url = actions_url or f"http://127.0.0.1:{actions_port}/webhook"
    tracker_store = tracker_store or sqlite_store(work / "tracker.db")
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{actions_url}"\n\ntracker_store:\n{tracker_store}',
                         encoding="utf-8")
    options.setdefault("api_token_file", work / "api-token")
    return ServerSettings(model=trained_model(), rasa_port=rasa_port, actions_port=actions_port,
                          endpoints=endpoints, log_dir=work / "log", **options)
