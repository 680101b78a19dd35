"""Publishing from the console trains a model, so it has its own suite (`make console-publish`)
on the small one-language `make run` of tests/conftest.py (``plain_assistant``)."""

import pytest

from tests.admin.conftest import open_console  # noqa: F401 - fixtures shared with tests/admin
from tests.browser.conftest import browser  # noqa: F401


@pytest.fixture
def console_url(plain_assistant) -> str:
    return f"{plain_assistant.rasa_url}/admin/"
