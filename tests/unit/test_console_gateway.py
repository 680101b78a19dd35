"""The public gateway forwards the console only when it is switched on (BOT_PUBLIC_CONSOLE=1)."""

from __future__ import annotations

import pytest

from bot.tools.gateway import PUBLIC_CONSOLE_ENV, Gateway, is_public


@pytest.mark.parametrize("path", ["/admin", "/admin/", "/admin/api/sign-in", "/admin/main.js"])
def test_the_console_is_public_only_when_switched_on(path):
    assert not is_public(path)
    assert is_public(path, console=True)


@pytest.mark.parametrize("path", ["/administrator", "/admin/../model", "/adminx/", "/model", "/conversations/x/tracker"])
def test_switching_it_on_opens_nothing_else(path):
    assert not is_public(path, console=True)


def test_the_switch_is_an_environment_variable(monkeypatch):
    monkeypatch.delenv(PUBLIC_CONSOLE_ENV, raising=False)
    assert Gateway("http://127.0.0.1:5005").console is False
    monkeypatch.setenv(PUBLIC_CONSOLE_ENV, "1")
    assert Gateway("http://127.0.0.1:5005").console is True
