"""Splitting a long reply at a platform's message limit without breaking words or links.

Platforms refuse (Telegram, Messenger) or silently cut (Twilio, Slack) messages above
their limit, and a link cut in two is useless on a phone. We cut at the most natural
place that fits: a paragraph break, a line break, a sentence end, then any space —
never inside a word or a marked-up link (``<https://…|label>``, ``[label](https://…)``).
A single word longer than the limit is the only thing ever cut mid-way.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

# Links that contain spaces and so must be kept whole; bare URLs have no spaces.
_LINK = re.compile(r"<[^<>\n]+>|\[[^\]\n]*\]\([^)\s]*\)")
# Preferred cut places, best first; a cut falls after the text before the space.
_SEPARATORS = ("\n\n", "\n", ". ", "! ", "? ", " ")


def split_message(text: str, limit: int) -> List[str]:
    """``text`` as parts of at most ``limit`` characters, in order."""
    if limit < 1:
        raise ValueError("limit must be positive")
    rest = text.strip()
    parts: List[str] = []
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _cut_point(text: str, limit: int) -> int:
    """Where to end the first part: the best place at or before ``limit``."""
    window = text[: limit + 1]
    links = [match.span() for match in _LINK.finditer(text)]
    # A late paragraph break beats an early one, but not a cut that wastes half the room.
    for minimum in (limit // 2, 1):
        for separator in _SEPARATORS:
            cut = _last_safe_cut(window, separator, links, minimum)
            if cut:
                return cut
    # Only a link longer than the limit is left: better cut it at a space than mid-word.
    return _last_safe_cut(window, " ", (), 1) or limit


def _last_safe_cut(window: str, separator: str, links: Sequence[Tuple[int, int]], minimum: int) -> int:
    """The last cut after ``separator`` in ``window`` that is outside every link, or 0."""
    keep = len(separator.rstrip())  # "." of ". " stays with the first part
    position = window.rfind(separator)
    while position >= 0:
        cut = position + keep
        if cut < minimum:
            return 0
        if cut > 0 and not any(start < cut < end for start, end in links):
            return cut
        position = window.rfind(separator, 0, position)
    return 0
