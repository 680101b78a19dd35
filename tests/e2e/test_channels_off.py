"""With no messaging channel configured (`make run` as the README starts it), their
webhooks are off and nothing else changes."""

import pytest
import requests


@pytest.mark.parametrize("channel", ["telegram", "twilio", "facebook", "slack"])
def test_unconfigured_channel_webhooks_answer_404(plain_assistant, channel):
    url = f"{plain_assistant.rasa_url}/webhooks/{channel}/webhook"
    answer = requests.post(url, json={"update_id": 1, "message": {"text": "hi", "chat": {"id": 1}}}, timeout=30)
    assert answer.status_code == 404
    assert "not configured" in answer.json()["error"]
