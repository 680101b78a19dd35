"""The organisers' console (/admin/) in Debian's Chromium, against the shared assistant
(tests/conftest.py: `make run`), whose FAQ is that of a copy of the project."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Callable, Iterator

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS, browser, chat_url, open_chat  # noqa: F401 - fixtures
from tests.conftest import ROOT

PASSWORD = "a long test password"


@pytest.fixture(scope="session")
def servers(shared_assistant):
    return shared_assistant


def add_user(var_dir, name: str, password: str = PASSWORD) -> None:
    """`python -m bot admin add-user`, as an organiser's account is made."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "bot", "admin", "--var-dir", str(var_dir), "add-user", name,
                           "--password-stdin"], input=password + "\n", capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def account(servers) -> str:
    """A new organiser account on the shared assistant (each test its own, so lock-outs do not mix)."""
    name = f"org-{uuid.uuid4().hex[:8]}"
    add_user(servers.var_dir, name)
    return name


@pytest.fixture
def console_url(servers) -> str:
    return f"{servers.rasa_url}/admin/"


@pytest.fixture
def open_console(browser: Browser, console_url: str) -> Iterator[Callable[..., Page]]:  # noqa: F811
    """A fresh browser profile on /admin/, signed in as ``name`` when given."""
    contexts: list[BrowserContext] = []

    def open_page(name: str | None = None, password: str = PASSWORD, locale: str = "en-GB") -> Page:
        context = browser.new_context(locale=locale, viewport=DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(console_url)
        expect(page.locator("#sign-in-form")).to_be_visible()
        if name:
            sign_in(page, name, password)
            expect(page.locator("#faq-table")).to_be_visible()
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    page.locator("#sign-in-name").fill(name)
    page.locator("#sign-in-password").fill(password)
    page.locator("#sign-in-form button[type=submit]").click()


def api_session(servers, name: str, password: str = PASSWORD) -> tuple[requests.Session, str]:
    """A signed-in HTTP session (cookie) and its CSRF token, as the page has them."""
    session = requests.Session()
    reply = session.post(f"{servers.rasa_url}/admin/api/sign-in", json={"name": name, "password": password}, timeout=30)
    assert reply.status_code == 200, reply.text
    return session, reply.json()["csrf"]
