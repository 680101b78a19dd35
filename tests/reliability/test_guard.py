"""Rate limiter, limits from the environment, notices, the failure policy's detection."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.core.test import EndToEndUserUtterance
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.components.action_failure import failed_custom_action
from bot.tools.gateway import is_public
from bot.conversation.notices import NOTICE_NAMES, load_notices, notice
from bot.plugins.channels.rate_limit import RateLimiter
from bot.plugins.channels.limits import Limits
from tests.conftest import LANGS, ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_burst_then_asks_to_wait():
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)
    assert [limiter.allow("a") for _ in range(3)] == [None, None, None]
    assert limiter.allow("a") == 10  # one token every 10 s
    assert limiter.allow("b") is None  # other keys are independent
    clock.now = 10.0
    assert limiter.allow("a") is None
    assert limiter.allow("a") == 10


def test_rate_limiter_memory_is_bounded():
    limiter = RateLimiter(per_minute=60, burst=1, max_keys=100)
    for i in range(1000):
        limiter.allow(f"sender-{i}")
    assert len(limiter._buckets) == 100


def test_limits_come_from_the_environment_and_bad_values_are_named():
    limits = Limits.from_env({"BOT_RATE_PER_SENDER_PER_MINUTE": "5", "BOT_CORS_ORIGINS": "https://a.org/, https://b.org"})
    assert limits.sender_per_minute == 5 and limits.cors_origins == ("https://a.org", "https://b.org")
    with pytest.raises(ValueError, match="BOT_MAX_BODY_BYTES"):
        Limits.from_env({"BOT_MAX_BODY_BYTES": "lots"})


def test_every_notice_exists_in_six_languages_and_follows_the_metadata():
    notices = load_notices()
    for name in NOTICE_NAMES:
        assert set(LANGS) <= set(notices[name])
    assert notice("rate_limited", {"language": "de"}, seconds=7) == notices["rate_limited"]["de"].format(seconds=7)
    assert notice("unreadable", {"locale": "fr_BE"}) == notices["unreadable"]["fr"]
    assert notice("unreadable", None) == notices["unreadable"]["en"]


@pytest.mark.parametrize("path, public", [
    ("/webhooks/rest/webhook", True), ("/socket.io/", True), ("/model", False),
    ("/conversations/x/tracker", False), ("/", False), ("/webhooks/../model", False), ("/status", False),
    ("/chat", True), ("/chat/chat.js", True), ("/chatter", False),
])
def test_only_channel_paths_are_public(path, public):
    assert is_public(path) is public


def _tracker(*events):
    return DialogueStateTracker.from_events("s", list(events), DOMAIN.slots)


def _executed(name):
    return ActionExecuted(name, policy="policy_0_RulePolicy", confidence=1.0)


def test_a_custom_action_that_produced_nothing_is_a_failure():
    asked = UserUttered("where?", intent={"name": "ask_venue"}, message_id="m1")
    assert failed_custom_action(_tracker(asked, _executed("action_answer")), DOMAIN) == "action_answer"
    assert failed_custom_action(_tracker(asked, _executed("action_answer"), BotUttered("Lamot")), DOMAIN) is None
    assert failed_custom_action(_tracker(asked, _executed("utter_greet")), DOMAIN) is None
    assert failed_custom_action(_tracker(asked), DOMAIN) is None


def test_a_replayed_story_step_is_not_a_failure():
    # `rasa test core` replays stories without running the actions; its user turns
    # (EndToEndUserUtterance) have no message id.
    replayed = EndToEndUserUtterance("where?", intent={"name": "ask_venue"})
    assert failed_custom_action(_tracker(replayed, _executed("action_answer")), DOMAIN) is None
