"""A channel is on with all its variables, off with none, an error with some."""

import pytest

from bot.plugins.channels.settings import ChannelSettingsError, read_settings
from bot.plugins.channels.slack import SlackInput
from bot.plugins.channels.telegram import TelegramInput

REQUIRED = ("X_TOKEN", "X_SECRET")


def test_no_variable_means_off(monkeypatch):
    for name in REQUIRED:
        monkeypatch.delenv(name, raising=False)
    assert read_settings("x", REQUIRED, {"X_API_URL": "https://api"}) is None


def test_all_variables_mean_on_with_defaults(monkeypatch):
    monkeypatch.setenv("X_TOKEN", "t")
    monkeypatch.setenv("X_SECRET", "s")
    monkeypatch.delenv("X_API_URL", raising=False)
    assert read_settings("x", REQUIRED, {"X_API_URL": "https://api"}) == {
        "X_TOKEN": "t", "X_SECRET": "s", "X_API_URL": "https://api"}
    monkeypatch.setenv("X_API_URL", "http://127.0.0.1:8501")
    assert read_settings("x", REQUIRED, {"X_API_URL": "https://api"})["X_API_URL"] == "http://127.0.0.1:8501"


def test_half_configured_names_what_is_missing(monkeypatch):
    monkeypatch.setenv("X_TOKEN", "t")
    monkeypatch.setenv("X_SECRET", " ")
    with pytest.raises(ChannelSettingsError, match="X_SECRET"):
        read_settings("x", REQUIRED, {})


def test_unconfigured_channels_load_without_network(monkeypatch):
    for name in TelegramInput.REQUIRED + SlackInput.REQUIRED:
        monkeypatch.delenv(name, raising=False)
    assert TelegramInput.from_credentials(None).settings is None
    assert SlackInput.from_credentials(None).get_output_channel() is None
