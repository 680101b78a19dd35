"""``python -m bot faq check|import|export|status``: the organisers' commands.

Output is written for organisers: what was found, where (spreadsheet row and
column), and what to do next.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.tools.faq.check import CheckResult
from bot.tools.faq.project import FaqPaths, check_file, export_sheet, import_sheet, status, status_rows


def _print_findings(path: Path, result: CheckResult) -> None:
    for finding in result.findings:
        print(f"{path.name}: {finding}", file=sys.stderr if finding.error else sys.stdout)
    errors, warnings = len(result.errors), len(result.findings) - len(result.errors)
    summary = f"{path.name}: {len(result.entries)} entries OK, {errors} error(s), {warnings} warning(s)"
    print(summary, file=sys.stderr if errors else sys.stdout)


def _paths(args: argparse.Namespace) -> FaqPaths:
    return FaqPaths(Path(args.root))


def check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    result = check_file(path, _paths(args))
    _print_findings(path, result)
    return 0 if result.ok else 1


def do_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    result, changed = import_sheet(path, _paths(args))
    _print_findings(path, result)
    if not result.ok:
        print(
            "Nothing was imported: the assistant keeps the previous FAQ. Fix the errors and import again.",
            file=sys.stderr,
        )
        return 1
    root = Path(args.root).resolve()
    for changed_path in changed:
        print(f"  updated {changed_path.resolve().relative_to(root)}")
    if not changed:
        print("Nothing changed.")
    elif any(p.name != "answers.json" for p in changed):
        print(
            "Questions or entries changed: run `make publish` so the assistant learns them. "
            "Answer texts are already live."
        )
    else:
        print("Only answer texts changed: they are live now, no publish needed.")
    return 0


def export(args: argparse.Namespace) -> int:
    count = export_sheet(Path(args.file), _paths(args))
    print(f"Wrote {count} entries to {args.file}")
    return 0


def show_status(args: argparse.Namespace) -> int:
    rows = status_rows(Path(args.file) if args.file else None, _paths(args))
    print(f"{len(rows)} entries" + (f" in {args.file}" if args.file else " imported"))
    print(f"{'language':<9}{'entries':>8}{'examples':>10}  missing translations")
    incomplete = False
    for line in status(rows):
        incomplete |= bool(line.missing)
        print(f"{line.code:<9}{line.entries:>8}{line.examples:>10}  {', '.join(line.missing) or '-'}")
    return 1 if incomplete else 0


def add_parser(commands: "argparse._SubParsersAction") -> None:
    """Registers ``faq`` and its subcommands on the top-level parser."""
    faq = commands.add_parser("faq", help="the organisers' FAQ spreadsheet (docs/organisers.md)")
    faq.add_argument("--root", default=str(FaqPaths().root), help=argparse.SUPPRESS)
    sub = faq.add_subparsers(dest="faq_command", required=True)
    default_sheet = str(FaqPaths().spreadsheet)
    for name, handler, text in (
        ("check", check, "validate a spreadsheet, report problems by row"),
        ("import", do_import, "check, then update the answers and training data"),
    ):
        parser = sub.add_parser(name, help=text)
        parser.add_argument("file", nargs="?", default=default_sheet, help=".csv or .xlsx")
        parser.set_defaults(handler=handler)
    parser = sub.add_parser("export", help="write the current FAQ to a spreadsheet")
    parser.add_argument("file", help=".csv or .xlsx")
    parser.set_defaults(handler=export)
    parser = sub.add_parser("status", help="entries, examples and missing translations per language")
    parser.add_argument("file", nargs="?", help="a spreadsheet being edited (default: the imported FAQ)")
    parser.set_defaults(handler=show_status)
