"""Sessions and CSRF (bot/tools/console/sessions.py, guard.py): a change needs the session's
token and this site's origin; sessions end when idle, when signed out, or everywhere."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.tools.console.guard import Console, signed_in
from bot.tools.console.sessions import COOKIE_NAME, CSRF_HEADER, IDLE_TIMEOUT_S, MAX_AGE_S
from bot.tools.console.settings import ConsoleSettings
from bot.tools.console.stores import Stores
from tests.unit.test_console_accounts import clock  # noqa: F401 - the fixture


@pytest.fixture
def sessions(tmp_path, clock):
    store = Stores.in_folder(tmp_path).sessions
    store._clock = clock
    return store


def test_a_session_is_found_by_its_cookie_and_only_its_hash_is_stored(sessions, tmp_path):
    session_id = sessions.open("marie")
    found = sessions.get(session_id)
    assert found.user == "marie" and len(found.csrf) >= 40
    assert session_id.encode() not in (tmp_path / "console.db").read_bytes()
    assert sessions.get("made-up") is None and sessions.get(None) is None


def test_an_idle_or_old_session_ends(sessions, clock):
    idle, busy = sessions.open("marie"), sessions.open("jan")
    clock.now += IDLE_TIMEOUT_S - 10
    assert sessions.get(busy) is not None  # used: its idle time starts again
    clock.now += 20
    assert sessions.get(idle) is None and sessions.get(busy) is not None
    clock.now += MAX_AGE_S
    assert sessions.get(busy) is None


def test_sign_out_and_sign_out_everywhere(sessions):
    first, second, other = sessions.open("marie"), sessions.open("marie"), sessions.open("jan")
    sessions.close(first)
    assert sessions.get(first) is None and sessions.get(second) is not None
    sessions.close_all("marie")
    assert sessions.get(second) is None and sessions.get(other) is not None


def test_the_csrf_token_is_compared_exactly(sessions):
    session = sessions.get(sessions.open("marie"))
    assert session.allows(session.csrf)
    assert not session.allows(None) and not session.allows("") and not session.allows(session.csrf[:-1])


def request(method="POST", cookie=None, token=None, origin=None, host="127.0.0.1:5005"):
    headers = {key: value for key, value in ((CSRF_HEADER, token), ("Origin", origin)) if value is not None}
    return SimpleNamespace(method=method, cookies={COOKIE_NAME: cookie} if cookie else {}, headers=headers,
                           ip="127.0.0.1", host=host)


def guarded_call(tmp_path, req):
    console = Console(ConsoleSettings(root=tmp_path, var_dir=tmp_path))

    async def handler(_, session):
        return ("ran", session.user)

    return asyncio.run(signed_in(console)(handler)(req))


def status(reply):
    return reply if isinstance(reply, tuple) else reply.status


@pytest.fixture
def signed(tmp_path):
    store = Stores.in_folder(tmp_path).sessions
    session_id = store.open("marie")
    return session_id, store.get(session_id).csrf


def test_a_change_without_the_csrf_token_is_refused(tmp_path, signed):
    session_id, csrf = signed
    assert status(guarded_call(tmp_path, request(cookie=session_id))) == 403
    assert status(guarded_call(tmp_path, request(cookie=session_id, token="x" * 43))) == 403
    assert status(guarded_call(tmp_path, request(cookie=session_id, token=csrf))) == ("ran", "marie")


def test_a_change_from_another_site_is_refused_even_with_the_token(tmp_path, signed):
    session_id, csrf = signed
    other = request(cookie=session_id, token=csrf, origin="https://evil.example")
    assert status(guarded_call(tmp_path, other)) == 403
    own = request(cookie=session_id, token=csrf, origin="http://127.0.0.1:5005")
    assert status(guarded_call(tmp_path, own)) == ("ran", "marie")


def test_reading_needs_a_session_but_no_token(tmp_path, signed):
    session_id, _ = signed
    assert status(guarded_call(tmp_path, request("GET", cookie=session_id))) == ("ran", "marie")
    assert status(guarded_call(tmp_path, request("GET"))) == 401
    assert status(guarded_call(tmp_path, request("DELETE", cookie="stolen-looking"))) == 401
