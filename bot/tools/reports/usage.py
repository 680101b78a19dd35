"""The usage report: one self-contained HTML page with charts, for organisers.

Charts are inline SVG drawn here (no JavaScript, no CDN), so the file opens offline
in any browser and can be mailed around. All message-derived text is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

import yaml

from bot.tools.faq.project import FaqPaths, intent_topics
from bot.tools.reports.tracker import UserMessage
from bot.tools.reports.unanswered import DEFAULT_MIN_CONFIDENCE, is_unanswered

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
NOT_UNDERSTOOD = "not understood"


def topic_names(root: Path) -> Dict[str, str]:
    """Intent → topic: knowledge topics from data/content, FAQ topics from the FAQ store."""
    topics: Dict[str, str] = {}
    for path in sorted((root / "data" / "content").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if data.get("intent") and data.get("topic"):
            topics[data["intent"]] = str(data["topic"])
    topics.update({intent: f"FAQ: {topic}" for intent, topic in intent_topics(FaqPaths(root)).items()})
    return topics


def _topic(message: UserMessage, topics: Mapping[str, str], min_confidence: float) -> str:
    if is_unanswered(message, min_confidence):
        return NOT_UNDERSTOOD
    return topics.get(message.intent, message.intent or NOT_UNDERSTOOD)


def bar_chart(title: str, bars: Sequence[Tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per label."""
    if not bars:
        return f"<h2>{html.escape(title)}</h2><p>No data.</p>"
    top = max(value for _, value in bars) or 1
    row, left, width = 24, 190, 420
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{left + width + 80}" '
        f'height="{row * len(bars) + 10}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(bars):
        y = i * row + 5
        length = max(1.0, width * value / top)
        text = f"{value:.0%}" if unit == "%" else f"{value:g}"
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{row - 6}" fill="{PALETTE[0]}">'
            f"<title>{html.escape(label)}: {text}</title></rect>"
            f'<text x="{left + length + 4:.1f}" y="{y + 15}">{text}</text>'
        )
    parts.append("</svg>")
    return f"<h2>{html.escape(title)}</h2>" + "".join(parts)


def line_chart(title: str, days: Sequence[str], series: Mapping[str, Sequence[float]], unit: str = "") -> str:
    """One line per series over the days, with a legend."""
    if not days:
        return f"<h2>{html.escape(title)}</h2><p>No data.</p>"
    width, height, pad = 640, 220, 40
    top = max((max(values) for values in series.values() if values), default=0) or 1
    step = (width - 2 * pad) / max(1, len(days) - 1)

    def point(i: int, value: float) -> str:
        return f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * value / top:.1f}"

    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width + 140}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>',
        f'<text x="{pad - 4}" y="{pad}" text-anchor="end">{top:.0%}</text>'
        if unit == "%"
        else f'<text x="{pad - 4}" y="{pad}" text-anchor="end">{top:g}</text>',
    ]
    for i, day in enumerate(days):
        if len(days) <= 12 or i % max(1, len(days) // 12) == 0:
            parts.append(
                f'<text x="{pad + i * step:.1f}" y="{height - pad + 16}" text-anchor="middle" '
                f'font-size="10">{html.escape(day[5:])}</text>'
            )
    for n, (name, values) in enumerate(sorted(series.items())):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(point(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for i, v in enumerate(values):
            shown = f"{v:.0%}" if unit == "%" else f"{v:g}"
            parts.append(
                f'<circle cx="{point(i, v).split(",")[0]}" cy="{point(i, v).split(",")[1]}" r="3" '
                f'fill="{colour}"><title>{html.escape(name)} {html.escape(days[i])}: {shown}</title></circle>'
            )
        parts.append(
            f'<rect x="{width}" y="{20 + n * 18}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{width + 18}" y="{31 + n * 18}">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return f"<h2>{html.escape(title)}</h2>" + "".join(parts)


def _days(messages: Sequence[UserMessage]) -> List[str]:
    first = dt.date.fromisoformat(min(m.day for m in messages))
    last = dt.date.fromisoformat(max(m.day for m in messages))
    return [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


@dataclass
class Usage:
    """What the charts show, computed once for the report page and the console."""

    questions: int
    conversations: int
    per_topic: List[Tuple[str, int]]
    days: List[str] = field(default_factory=list)
    per_language_per_day: Dict[str, List[float]] = field(default_factory=dict)
    fallback_rate: List[float] = field(default_factory=list)  # per day
    missed: int = 0
    per_language: List[Tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def usage(
    messages: List[UserMessage], topics: Mapping[str, str], min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> Usage:
    messages = [m for m in messages if m.text.strip() and not m.text.startswith("/")]
    by_topic = Counter(_topic(m, topics, min_confidence) for m in messages)
    result = Usage(len(messages), len({m.sender for m in messages}), by_topic.most_common())
    if messages:
        result.days = _days(messages)
        per_language: Dict[str, List[float]] = defaultdict(lambda: [0.0] * len(result.days))
        asked, missed = [0] * len(result.days), [0] * len(result.days)
        for m in messages:
            i = result.days.index(m.day)
            per_language[m.language or "?"][i] += 1
            asked[i] += 1
            missed[i] += is_unanswered(m, min_confidence)
        result.per_language_per_day = dict(per_language)
        result.fallback_rate = [missed[i] / asked[i] if asked[i] else 0.0 for i in range(len(result.days))]
        result.missed = sum(missed)
        result.per_language = Counter(m.language or "?" for m in messages).most_common()
    return result


def usage_html(
    messages: List[UserMessage], topics: Mapping[str, str], min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> str:
    """The whole report page."""
    numbers = usage(messages, topics, min_confidence)
    sections = [f"<p>{numbers.questions} questions in {numbers.conversations} conversations.</p>"]
    sections.append(bar_chart("Questions per topic", numbers.per_topic))
    if numbers.questions:
        sections.append(line_chart("Questions per language per day", numbers.days, numbers.per_language_per_day))
        sections.append(
            line_chart(
                "Fallback rate per day (not understood / all questions)",
                numbers.days,
                {"fallback rate": numbers.fallback_rate},
                unit="%",
            )
        )
        overall = numbers.missed / numbers.questions
        sections.append(
            f"<p>Overall fallback rate: <strong>{overall:.0%}</strong> ({numbers.missed} of "
            f"{numbers.questions}). Read them with <code>python -m bot report unanswered</code>.</p>"
        )
        sections.append(bar_chart("Questions per language", numbers.per_language))
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Conference assistant: usage</title><style>body{font-family:sans-serif;margin:2em;max-width:60em}"
        "svg text{font-size:12px;font-family:sans-serif}</style></head><body>"
        f"<h1>Conference assistant: usage</h1><p>Generated {generated}.</p>{''.join(sections)}</body></html>\n"
    )
