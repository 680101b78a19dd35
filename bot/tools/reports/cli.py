"""``python -m bot report unanswered|usage``: what attendees asked, for organisers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from bot.plugins.endpoints import endpoints_file
from bot.tools.faq.sheet import write_sheet
from bot.tools.reports.tracker import TrackerStoreError, database_url, day, read_messages
from bot.tools.reports.unanswered import DEFAULT_MIN_CONFIDENCE, INBOX_COLUMNS, group_unanswered, inbox_rows
from bot.tools.reports.usage import topic_names, usage_html


def _messages(args: argparse.Namespace):
    root = Path(args.root)
    return read_messages(database_url(Path(args.endpoints), root))


def unanswered(args: argparse.Namespace) -> int:
    try:
        groups = group_unanswered(_messages(args), args.min_confidence)
    except TrackerStoreError as error:
        print(error, file=sys.stderr)
        return 1
    if not groups:
        print("No unanswered questions.")
    language = None
    for group in groups:
        if group.language != language:
            language = group.language
            print(f"\n[{language}]")
        dates = day(group.first) if day(group.first) == day(group.last) else f"{day(group.first)} – {day(group.last)}"
        print(f"{group.count:>4}×  {group.example}   ({dates})")
        for text in sorted(group.wordings, key=lambda t: -group.wordings[t]):
            if text != group.example:
                print(f"        also: {text} ({group.wordings[text]}×)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_sheet(out, INBOX_COLUMNS, inbox_rows(groups))
    print(f"\n{len(groups)} group(s) written to {out}: one row each, ready to complete into FAQ entries.")
    return 0


def usage(args: argparse.Namespace) -> int:
    try:
        messages = _messages(args)
    except TrackerStoreError as error:
        print(error, file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(usage_html(messages, topic_names(Path(args.root)), args.min_confidence), encoding="utf-8")
    print(f"Usage report of {len(messages)} questions written to {out}: open it in a browser.")
    return 0


def add_parser(commands: "argparse._SubParsersAction") -> None:
    """Registers ``report`` and its subcommands on the top-level parser."""
    report = commands.add_parser("report", help="reports from the stored conversations (docs/organisers.md)")
    report.add_argument("--endpoints", default=str(endpoints_file()), help="where the tracker store is configured")
    report.add_argument("--root", default=str(PROJECT_ROOT), help=argparse.SUPPRESS)
    report.add_argument(
        "--min-confidence",
        type=float,
        default=DEFAULT_MIN_CONFIDENCE,
        help="below this the question counts as not understood",
    )
    sub = report.add_subparsers(dest="report_command", required=True)
    parser = sub.add_parser("unanswered", help="questions the assistant could not answer, grouped")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "unanswered.csv"), help=".csv or .xlsx")
    parser.set_defaults(handler=unanswered)
    parser = sub.add_parser("usage", help="HTML report with charts")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "usage.html"))
    parser.set_defaults(handler=usage)
