"""Hand-off to a person: the organisers' settings and the rules of time, without Rasa.

``data/handoff.yml`` (``BOT_HANDOFF_FILE`` for another file) says when organisers are on
duty, how long a hand-off waits for them, and which words end one; organisers edit it
while the assistant runs (``LiveHandoffSettings``, last good version kept). The
Rasa-side parts (policies, the desk that talks to Slack and delivers replies) read it
through here, so the two agree on every decision; see docs/handoff.md.

A hand-off's own state travels in the conversation's ``handoff`` slot as a small dict
(``HandoffState``), so every worker and replica reads the same, and a restart keeps it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot import PROJECT_ROOT
from bot.conversation import yaml_files
from bot.conversation.reloading import HotReloaded, file_signature
from bot.conversation.text import normalise

HANDOFF_FILE = PROJECT_ROOT / "data" / "handoff.yml"
HANDOFF_FILE_ENV = "BOT_HANDOFF_FILE"
# The organisers' Slack channel: without it no hand-off is offered.
SLACK_CHANNEL_ENV = "HANDOFF_SLACK_CHANNEL"
Period = Tuple[time, time]


class HandoffFileError(ValueError):
    """``data/handoff.yml`` is invalid; the message names the file and the entry at fault."""


@dataclass(frozen=True)
class HandoffSettings:
    """What ``data/handoff.yml`` says, checked and normalised."""

    timezone: ZoneInfo
    staffed: Tuple[Period, ...]  # empty: always staffed
    timeout_minutes: float
    no_reply_minutes: float
    back_to_assistant: FrozenSet[str]  # normalised whole messages, all languages
    organiser_done: FrozenSet[str]

    def is_back_to_assistant(self, text: str) -> bool:
        return normalise(text) in self.back_to_assistant

    def is_organiser_done(self, text: str) -> bool:
        return normalise(text) in self.organiser_done

    def staffed_at(self, moment: datetime) -> bool:
        if not self.staffed:
            return True
        local = moment.astimezone(self.timezone).time()
        return any(start <= local < end for start, end in self.staffed)

    def next_staffed(self, moment: datetime) -> datetime:
        """``moment`` itself when staffed, else the start of the next staffed period."""
        if self.staffed_at(moment):
            return moment
        local = moment.astimezone(self.timezone)
        starts = [
            datetime.combine(local.date() + timedelta(days=day), start, self.timezone)
            for day in (0, 1)
            for start, _ in self.staffed
        ]
        return min(start for start in starts if start > local)

    def describe(self, moment: datetime) -> str:
        """A moment as attendees read it in any language: ``2026-12-07 09:00 (Europe/Brussels)``."""
        return f"{moment.astimezone(self.timezone):%Y-%m-%d %H:%M} ({self.timezone.key})"


@dataclass(frozen=True)
class HandoffState:
    """The ``handoff`` slot of a conversation with an open hand-off.

    ``waits_from`` is when the organisers' time to answer starts (the opening, or the next
    staffed period when opened outside staffed hours); ``answered`` is when an organiser
    last replied (0: never), ``reminded`` whether the attendee was told nobody answered yet.
    """

    id: str
    opened: float
    waits_from: float
    answered: float = 0.0
    reminded: bool = False

    @classmethod
    def from_slot(cls, value: Any) -> Optional["HandoffState"]:
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            return None
        return cls(
            value["id"],
            float(value.get("opened") or 0.0),
            float(value.get("waits_from") or value.get("opened") or 0.0),
            float(value.get("answered") or 0.0),
            bool(value.get("reminded")),
        )

    def as_slot(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "opened": self.opened,
            "waits_from": self.waits_from,
            "answered": self.answered,
            "reminded": self.reminded,
        }

    def timed_out(self, settings: HandoffSettings, now: float) -> bool:
        """No organiser reply for ``timeout_minutes`` since they could first answer or last did."""
        return now - max(self.waits_from, self.answered) >= settings.timeout_minutes * 60

    def needs_reminder(self, settings: HandoffSettings, now: float) -> bool:
        """Nobody answered within ``no_reply_minutes`` of the time they could have."""
        return not self.answered and not self.reminded and now - self.waits_from >= settings.no_reply_minutes * 60


def handoff_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether organisers can be reached (their Slack channel is configured)."""
    return bool(environ.get(SLACK_CHANNEL_ENV, "").strip())


def _period(text: Any, where: str) -> Period:
    try:
        start_text, end_text = str(text).split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError:
        raise HandoffFileError(f'{where}: {text!r} is not a period like "08:00-18:00"') from None
    if not start < end:
        raise HandoffFileError(f"{where}: {text!r} ends before it starts")
    return start, end


def _minutes(data: Mapping[str, Any], key: str, default: float, path: Path) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise HandoffFileError(f"{path}: {key} must be a positive number of minutes, not {value!r}")
    return float(value)


def _phrases(values: Any, where: str) -> List[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise HandoffFileError(f"{where} must be a list of phrases")
    return [normalise(v) for v in values]


def load_settings(path: Path = HANDOFF_FILE) -> HandoffSettings:
    """The checked settings of ``path``; HandoffFileError names what is wrong."""
    try:
        data = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise HandoffFileError(f"{path}: {error}") from None
    if not isinstance(data, dict):
        raise HandoffFileError(f"{path}: expected a mapping of settings")
    try:
        zone = ZoneInfo(str(data.get("timezone") or "Europe/Brussels"))
    except (ZoneInfoNotFoundError, ValueError):
        raise HandoffFileError(f"{path}: timezone {data.get('timezone')!r} is not a known time zone") from None
    staffed = data.get("staffed") or []
    if not isinstance(staffed, list):
        raise HandoffFileError(f'{path}: staffed must be a list of periods like "08:00-18:00"')
    back = data.get("back_to_assistant")
    if not isinstance(back, dict) or not back:
        raise HandoffFileError(f"{path}: back_to_assistant must give phrases per language")
    phrases = [p for code, values in back.items() for p in _phrases(values, f"{path}: back_to_assistant.{code}")]
    done = _phrases(data.get("organiser_done"), f"{path}: organiser_done")
    return HandoffSettings(
        timezone=zone,
        staffed=tuple(_period(text, f"{path}: staffed[{n}]") for n, text in enumerate(staffed)),
        timeout_minutes=_minutes(data, "timeout_minutes", 30, path),
        no_reply_minutes=_minutes(data, "no_reply_minutes", 10, path),
        back_to_assistant=frozenset(phrases),
        organiser_done=frozenset(done),
    )


class LiveHandoffSettings:
    """The newest valid ``data/handoff.yml`` (``BOT_HANDOFF_FILE``), compared at most once a second."""

    def __init__(self, path: Optional[Path] = None) -> None:
        source = Path(path or os.environ.get(HANDOFF_FILE_ENV) or HANDOFF_FILE)
        self._settings = HotReloaded(
            "hand-off settings",
            source,
            file_signature,
            load_settings,
            (HandoffFileError,),
            lambda s: f"hand-off settings ({len(s.staffed) or 'always'} staffed periods)",
            recheck_after=1.0,
        )

    def get(self) -> HandoffSettings:
        return self._settings.get()


@dataclass(frozen=True)
class Line:
    """One message of the conversation as the organisers see it."""

    author: str  # "attendee", "assistant" or "organiser"
    text: str


def summary(channel: str, language: str, lines: Sequence[Line], reference: str) -> str:
    """The first post of a hand-off in the organisers' channel (plain text)."""
    shown = "\n".join(f"{line.author}: {line.text}" for line in lines) or "(no messages)"
    return (
        f"An attendee asks for a person.\n"
        f"Channel: {channel} · language: {language} · conversation: {reference}\n"
        f"Last messages:\n{shown}\n"
        f'Reply in this thread to answer them on their channel; write "done" to close.'
    )
