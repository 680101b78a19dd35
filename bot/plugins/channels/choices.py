"""Buttons on channels that have none: a numbered list out, a number or title back in.

WhatsApp and SMS show only text, so a reply with buttons is sent as its text followed
by "1. Venue", "2. Travel", …; the user answers "2" (or "Travel"), and that answer is
replaced by the second button's payload before Rasa sees it. The options are read
from the conversation's tracker (the last bot messages since the user last spoke),
not from process memory, so this works with several Rasa replicas and after restarts.
Channels with real buttons use the same mapping, so typing a number works there too.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from rasa.shared.core.events import BotUttered, UserUttered

from bot.conversation.text import normalise

Button = Dict[str, Any]
# Longer replies, and payloads ("/ask_venue"), are never a choice: no tracker look-up.
MAX_CHOICE_CHARS = 80


def numbered_list(text: str, buttons: Sequence[Button]) -> str:
    """The reply text followed by one numbered line per option."""
    lines = [f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines)) if part)


def chosen_payload(reply: str, buttons: Sequence[Button]) -> Optional[str]:
    """The payload of the option that ``reply`` selects: its number or its title."""
    answer = reply.strip().rstrip(".)").strip()
    if answer.isdecimal():  # also Arabic-Indic digits: int("٢") == 2
        number = int(answer)
        return buttons[number - 1].get("payload") if 1 <= number <= len(buttons) else None
    wanted = normalise(answer)
    for button in buttons:
        if wanted and normalise(str(button.get("title", ""))) == wanted:
            return button.get("payload")
    return None


def pending_buttons(events: Sequence[Any]) -> List[Button]:
    """The options of the latest bot message with buttons since the user last spoke."""
    for event in reversed(events):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            data = event.data or {}
            options = data.get("buttons") or data.get("quick_replies")
            if options:
                return list(options)
    return []


async def resolve_choice(tracker_store: Any, sender_id: str, text: str) -> str:
    """``text``, or the payload it selects among the options the bot just offered."""
    if text.startswith("/") or len(text) > MAX_CHOICE_CHARS:
        return text
    tracker = await tracker_store.retrieve(sender_id)
    if tracker is None:
        return text
    buttons = pending_buttons(list(tracker.events))
    payload = chosen_payload(text, buttons) if buttons else None
    return payload or text
