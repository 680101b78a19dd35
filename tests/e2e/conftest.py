"""End-to-end tests: REST conversations with the shared assistant (tests/conftest.py),
the ``make run`` the README starts."""

from __future__ import annotations

import pytest

from tests.support.servers import Chat


@pytest.fixture(scope="session")
def servers(shared_assistant):
    return shared_assistant


@pytest.fixture
def chat(shared_assistant):
    return lambda metadata=None: Chat(shared_assistant.rasa_url, metadata)
