"""Shared fixtures: project paths, a small valid content set to break on purpose, and the
running assistant that every server suite talks to (one per test session)."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from tests.support.fakes import FakePlatform
    from tests.support.servers import Assistant
    from tests.support.tcpproxy import TcpProxy

LANGS = ("en", "fr", "nl", "es", "de", "ar")


def six(text: str) -> dict:
    """A text in six 'languages' (tagged, so tests can tell which one was rendered)."""
    return {code: f"[{code}] {text}" for code in LANGS}


def venue_topic() -> dict:
    return {
        "topic": "venue",
        "intent": "ask_venue",
        "subjects": {"lamot": {"aliases": ["Lamot", "brouwerij"]}},
        "facets": {"address": {"keywords": ["address", "adresse", "عنوان"]}},
        "answers": [
            {"id": "venue.overview", "text": six("overview"),
             "sources": [{"source": "a", "supports": "page a says so"}]},
            {"id": "venue.address", "facet": "address", "text": six("address"),
             "sources": [{"source": "b", "supports": "page b gives the address"}]},
            {"id": "venue.lamot", "subject": "lamot", "text": six("lamot"),
             "sources": [{"source": "c", "supports": "page c describes Lamot"}]},
            {"id": "venue.lamot.address", "subject": "lamot", "facet": "address",
             "text": six("lamot address"), "unconfirmed": True},
        ],
    }


def sources_registry() -> dict:
    """data/sources.yml of the small content set: one source of each kind an answer may cite."""
    return {"sources": {
        "a": {"title": "Page A", "publisher": "Publisher A", "tag": "official", "url": "https://example.org/a"},
        "b": {"title": "Page B", "publisher": "Publisher B", "tag": "press", "url": "https://example.org/b"},
        "c": {"title": "Page C", "publisher": "Publisher C", "tag": "official", "url": "https://example.org/c"},
        "report": {"title": six("report"), "publisher": "the organisers", "tag": "official"},
        "copy": {"title": "A copy", "publisher": "CopySite", "tag": "mirror", "url": "https://copy.example/x"},
    }}


def ui_strings() -> dict:
    return {"strings": {name: six(name) for name in ("source_label", "unknown_topic", "unknown_facet", "content_unavailable")}}


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def write_content(root: Path, topic: dict | None = None, sources: dict | None = None) -> Path:
    """``root/content`` (venue.yml, ui.yml) with ``root/sources.yml`` beside it, as data/ is laid out."""
    directory = root / "content"
    directory.mkdir(parents=True, exist_ok=True)
    write_yaml(directory / "venue.yml", venue_topic() if topic is None else topic)
    write_yaml(directory / "ui.yml", ui_strings())
    write_yaml(root / "sources.yml", sources_registry() if sources is None else sources)
    return directory


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A valid two-file content directory with its source registry beside it."""
    return write_content(tmp_path)


# --- The running assistant, shared by every suite that talks to a server ---------------
# One `make run` for the whole test session (tests/support/servers.py). Its ports:
ASSISTANT_PORT = int(os.environ.get("TEST_RASA_PORT", "5105"))
ASSISTANT_ACTIONS_PORT = int(os.environ.get("TEST_ACTIONS_PORT", "5155"))
ASSISTANT_PUBLIC_PORT = int(os.environ.get("TEST_PUBLIC_PORT", "8105"))
ACTION_PROXY_PORT = int(os.environ.get("TEST_ACTION_PROXY_PORT", "8155"))
FAKE_PLATFORMS_PORT = int(os.environ.get("TEST_FAKES_PORT", "8501"))
ALLOWED_ORIGIN = "https://conference.example"


@dataclass
class SharedAssistant:
    """``make run`` as a user starts it, plus what some suites need, each for a reason:

    * the channels' environment variables point the four messaging channels at local
      fakes of their APIs (tests/channels), as an organiser's would at the real ones;
    * Rasa calls the actions through a TCP proxy (``action_proxy``) that the reliability
      tests make refuse or hang, and the agenda tests point at an action server with the
      conference clock set;
    * the knowledge base is a copy (``content``) that the reliability tests break, and the
      FAQ answers and the programme are those of a copy of the project (``project``) whose
      spreadsheet the organiser tests import and the console tests edit; the hand-off
      settings are a copy (``handoff_settings``) whose staffed hours and timeouts the
      hand-off tests change (tests/channels/test_handoff.py);
    * CORS allows ``ALLOWED_ORIGIN``, which the access tests check;
    * the public gateway's per-address limit is lifted, because every test request comes
      from 127.0.0.1 (the limit itself is tested on a gateway of its own).
    """

    assistant: "Assistant"
    action_proxy: "TcpProxy"
    platforms: Dict[str, "FakePlatform"]
    content: Path
    project: Path
    handoff_settings: Path

    def __getattr__(self, name: str):
        return getattr(self.assistant, name)


# What `python -m bot faq import` and `publish` read and write in a project.
PROJECT_FILES = ("config.yml", "domain.yml", "domain", "data", "tests/nlu", "tests/stories")


def copy_project(root: Path, files=PROJECT_FILES) -> Path:
    """A copy of the project's data for tests that change it (``--root`` of the tools)."""
    for name in files:
        source, target = ROOT / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target)
    (root / "models").mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="session")
def shared_assistant(tmp_path_factory) -> Iterator[SharedAssistant]:
    from tests.support.fakes import fake_platforms, platform_environment
    from tests.support.servers import Assistant
    from tests.support.tcpproxy import TcpProxy

    work = tmp_path_factory.mktemp("assistant")
    content = work / "content"
    shutil.copytree(ROOT / "data" / "content", content)
    project = copy_project(work / "project")
    handoff_settings = work / "handoff.yml"
    shutil.copy(ROOT / "data" / "handoff.yml", handoff_settings)
    platforms = fake_platforms(FAKE_PLATFORMS_PORT)
    for platform in platforms.values():
        platform.start()
    proxy = TcpProxy(ACTION_PROXY_PORT, ASSISTANT_ACTIONS_PORT).start()
    env = {
        **platform_environment(platforms, f"http://127.0.0.1:{ASSISTANT_PORT}"),
        "BOT_ACTION_SERVER_URL": f"http://127.0.0.1:{ACTION_PROXY_PORT}/webhook",
        "BOT_CONTENT_DIR": str(content),
        "BOT_FAQ_ANSWERS": str(project / "data" / "faq" / "answers.json"),
        # The console (tests/admin) edits that copy's FAQ and programme, not the checkout's.
        "BOT_PROJECT_ROOT": str(project),
        "BOT_PROGRAMME_FILE": str(project / "data" / "programme" / "programme.yml"),
        "BOT_HANDOFF_FILE": str(handoff_settings),
        "BOT_CORS_ORIGINS": ALLOWED_ORIGIN,
        "BOT_RATE_PER_ADDRESS_PER_MINUTE": "100000",
        "BOT_RATE_ADDRESS_BURST": "100000",
        "BOT_API_TOKEN": "",
    }
    assistant = Assistant(work, ASSISTANT_PORT, ASSISTANT_ACTIONS_PORT, ASSISTANT_PUBLIC_PORT, env=env)
    try:
        assistant.start()
        yield SharedAssistant(assistant, proxy, platforms, content, project, handoff_settings)
    finally:
        assistant.stop()
        proxy.stop()
        for platform in platforms.values():
            platform.stop()


@pytest.fixture(scope="session")
def plain_assistant(tmp_path_factory) -> Iterator["Assistant"]:
    """A second ``make run`` exactly as the README starts it — no channel configured, no
    proxy — but from a copy of the project whose training data and tests are those of one
    language (``one_language_project``), so that the publish test trains in about a minute.
    It starts from the full model; the publish test replaces it."""
    from tests.support.servers import Assistant, trained_model

    project = one_language_project(tmp_path_factory.mktemp("plain") / "project", trained_model())
    assistant = Assistant(project.parent / "run", PLAIN_PORT, PLAIN_PORT + 50, model=project / "models" / "current.tar.gz",
                          env={"BOT_FAQ_ANSWERS": str(project / "data" / "faq" / "answers.json"), "BOT_API_TOKEN": "",
                               # The console (tests/admin_publish) edits and publishes this project, whose
                               # one-language model has floors of its own (as tests/organisers/test_publish.py).
                               "BOT_PROJECT_ROOT": str(project), "BOT_PUBLISH_MIN_ACCURACY": "0.9",
                               "BOT_PUBLISH_MIN_F1": "0.9"})
    assistant.project = project  # type: ignore[attr-defined]
    try:
        yield assistant.start()
    finally:
        assistant.stop()


PROJECT_LANGUAGE = "en"
PLAIN_PORT = int(os.environ.get("TEST_PLAIN_PORT", "5115"))


def one_language_project(root: Path, model: Path) -> Path:
    """A project copy with the NLU data, held-out tests and conversation tests of
    PROJECT_LANGUAGE only, and ``model`` as its current model."""
    project = copy_project(root)
    for folder in (project / "data" / "nlu").iterdir():
        if folder.is_dir() and folder.name != PROJECT_LANGUAGE:
            shutil.rmtree(folder)
    for tests in ("nlu", "stories"):
        for path in (project / "tests" / tests).glob("*.yml"):
            if path.stem not in (PROJECT_LANGUAGE, f"test_{PROJECT_LANGUAGE}"):
                path.unlink()
    shutil.copy(model, project / "models" / "current.tar.gz")
    return project
