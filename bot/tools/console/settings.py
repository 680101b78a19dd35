"""Where the console reads and writes, from the environment the servers run with.

The console edits the files the action server reads live: the FAQ of the project
(``BOT_PROJECT_ROOT``, default this checkout; its ``data/faq/answers.json`` is what
``BOT_FAQ_ANSWERS`` must name), the knowledge base (``BOT_CONTENT_DIR``) and the
programme (``BOT_PROGRAMME_FILE``), with the same defaults as the actions. Its own
database is in the var folder (``BOT_VAR_DIR``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot import PROJECT_ROOT
from bot.conversation.faq.answers import default_answers_path
from bot.plugins.endpoints import var_dir
from bot.tools.faq.project import FaqPaths

logger = logging.getLogger(__name__)

PROJECT_ROOT_ENV = "BOT_PROJECT_ROOT"
# "1": cookies are Secure even when no proxy says the request came over HTTPS.
SECURE_COOKIES_ENV = "BOT_CONSOLE_SECURE_COOKIES"


def _root() -> Path:
    return Path(os.environ.get(PROJECT_ROOT_ENV) or PROJECT_ROOT)


def _path(variable: str, in_project: str) -> Path:
    return Path(os.environ.get(variable) or _root() / in_project)


@dataclass(frozen=True)
class ConsoleSettings:
    root: Path = field(default_factory=_root)
    content_dir: Path = field(default_factory=lambda: _path("BOT_CONTENT_DIR", "data/content"))
    programme_file: Path = field(default_factory=lambda: _path("BOT_PROGRAMME_FILE", "data/programme/programme.yml"))
    var_dir: Path = field(default_factory=var_dir)
    secure_cookies: bool = field(default_factory=lambda: os.environ.get(SECURE_COOKIES_ENV) == "1")

    @property
    def faq(self) -> FaqPaths:
        return FaqPaths(self.root)

    def warn_if_inconsistent(self) -> None:
        """The action server must read the answers the console writes."""
        if default_answers_path().resolve() != self.faq.answers.resolve():
            logger.warning(
                "The console writes FAQ answers to %s but BOT_FAQ_ANSWERS is %s: edits will not reach the assistant",
                self.faq.answers,
                default_answers_path(),
            )
