"""Command line: ``python -m bot <command>`` (see ``python -m bot --help``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from bot import PROJECT_ROOT


def _report_problems(where: str, problems: List[str]) -> int:
    """Print a data file's problems, one per line, and return the failing exit code."""
    print(f"{len(problems)} problem(s) in {where}:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def _content_check(args: argparse.Namespace) -> int:
    from bot.conversation.content import ContentError, load_content
    from bot.conversation.page_texts import PAGE_FILE, load_page

    try:
        kb = load_content(Path(args.directory))
    except ContentError as error:
        return _report_problems(args.directory, error.problems)
    print(f"OK: {len(kb.topics_by_intent)} topics, {kb.answer_count()} answers, all in six languages.")
    try:
        load_page()
    except ContentError as error:
        return _report_problems(str(PAGE_FILE), error.problems)
    print(f"OK: {PAGE_FILE.relative_to(PROJECT_ROOT)}, the web page's texts, in six languages.")
    return 0


def _programme_check(args: argparse.Namespace) -> int:
    from bot.conversation.agenda.loader import ProgrammeError, load_programme

    try:
        programme = load_programme(Path(args.file))
    except ProgrammeError as error:
        return _report_problems(args.file, error.problems)
    print(
        f"OK: {len(programme.sessions)} sessions, {len(programme.people)} people, "
        f"{len(programme.topics)} topics, all in six languages."
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from bot.tools.serve import ServerSettings, default_workers, serve

    settings = ServerSettings(
        model=Path(args.model),
        rasa_port=args.port,
        actions_port=args.actions_port,
        public=args.public,
        var_dir=Path(args.var_dir),
        workers=args.workers or default_workers(),
    )
    return serve(settings, shell=args.shell)


def _cluster(args: argparse.Namespace) -> int:
    from bot.tools.cluster import ClusterSettings, run_cluster

    return run_cluster(
        ClusterSettings(
            model=Path(args.model),
            replicas=args.replicas,
            action_servers=args.action_servers,
            port=args.port,
            actions_port=args.actions_port,
            first_rasa_port=args.first_rasa_port,
            first_actions_port=args.first_actions_port,
            sanic_workers=args.workers,
            run_dir=Path(args.run_dir),
        )
    )


def _deploy_settings(args: argparse.Namespace) -> int:
    from bot.tools.containers.settings import problems

    found = problems()
    if found:
        return _report_problems("the deployment settings (deploy/cluster.env is the source)", found)
    print("OK: docker-compose and the Helm values agree with deploy/cluster.env and endpoints.production.yml.")
    return 0


def _deploy_context(args: argparse.Namespace) -> int:
    from bot.tools.containers.context import DockerIgnore, context_files, copy_problems, tree_size
    from bot.tools.containers.dockerfile import parse
    from bot.tools.containers.size import MB

    ignore = DockerIgnore.read(PROJECT_ROOT / ".dockerignore")
    found = []
    for path in sorted((PROJECT_ROOT / "deploy").glob("Dockerfile.*")):
        for copy in parse(path).image.copies:
            if not copy.stage:
                found += copy_problems(copy, PROJECT_ROOT, ignore, str(path.relative_to(PROJECT_ROOT)))
    files = list(context_files(PROJECT_ROOT, ignore))
    print(f"Build context: {len(files)} files, {tree_size(iter(files)) / MB:.1f} MB")
    return _report_problems("the COPY lines", found) if found else 0


def _deploy_size(args: argparse.Namespace) -> int:
    from bot.tools.containers.dockerfile import DockerfileError, parse
    from bot.tools.containers.size import markdown, measure

    try:
        sizes = [measure(parse(p), PROJECT_ROOT) for p in sorted((PROJECT_ROOT / "deploy").glob("Dockerfile.*"))]
    except DockerfileError as error:
        print(f"{error} (the Rasa image needs `make train` first)", file=sys.stderr)
        return 1
    print(markdown(sizes, PROJECT_ROOT))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from bot.tools.evaluation import evaluate

    ok = evaluate(
        Path(args.results),
        Path(args.tests),
        Path(args.json),
        Path(args.markdown),
        Path(args.config),
        floor=(args.min_accuracy, args.min_f1),
    )
    if not ok:
        print(
            f"At least one language is below accuracy {args.min_accuracy} or macro-F1 {args.min_f1}.", file=sys.stderr
        )
    return 0 if ok else 1


def _conversations(args: argparse.Namespace) -> int:
    import json

    from bot.tools import conversations
    from bot.tools.evaluation import write_markdown

    table, passed, details = conversations.evaluate(Path(args.model), sets=args.sets)
    if args.sets == "blind":  # docs/evaluation.md reports the gate sets only
        write_markdown(Path(args.markdown), table, (conversations.MARK_START, conversations.MARK_END))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table)
    if not passed:
        print("At least one language misses a target of the blind conversation sets.", file=sys.stderr)
    return 0 if passed else 1


def _telegram_register(args: argparse.Namespace) -> int:
    import logging

    from bot.plugins.channels.settings import ChannelSettingsError
    from bot.plugins.channels.telegram import TelegramInput, register

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        ok, message = register(TelegramInput.settings_from_environment())
    except ChannelSettingsError as error:
        print(error, file=sys.stderr)
        return 2
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _privacy_purge(args: argparse.Namespace) -> int:
    from bot.tools.retention import purge

    try:
        count = purge(Path(args.endpoints), args.older_than)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Deleted {count} conversation(s) idle for longer than {args.older_than}.")
    return 0


def _gateway(args: argparse.Namespace) -> int:
    from bot.tools.gateway import run

    run(args.listen, args.upstream)
    return 0


def _publish(args: argparse.Namespace) -> int:
    import os

    from bot.plugins.endpoints import endpoints_file
    from bot.tools.cluster import CLUSTER_ENV, PRODUCTION_ENDPOINTS, read_env_file
    from bot.tools.publish import main as publish

    endpoints = Path(args.endpoints) if args.endpoints else endpoints_file()
    if args.cluster:  # the workers of `make run-cluster` report to its Redis
        for key, value in read_env_file(CLUSTER_ENV).items():
            os.environ.setdefault(key, value)
        endpoints = PRODUCTION_ENDPOINTS
    return publish(Path(args.root), endpoints, (args.min_accuracy, args.min_f1))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    content = commands.add_parser("content", help="knowledge-base content files")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate data/content/*.yml")
    check.add_argument("directory", nargs="?", default=str(PROJECT_ROOT / "data" / "content"))
    check.set_defaults(handler=_content_check)

    programme = commands.add_parser("programme", help="the agenda's programme file")
    programme_commands = programme.add_subparsers(dest="programme_command", required=True)
    programme_check = programme_commands.add_parser("check", help="validate data/programme/programme.yml")
    programme_check.add_argument("file", nargs="?", default=str(PROJECT_ROOT / "data" / "programme" / "programme.yml"))
    programme_check.set_defaults(handler=_programme_check)

    serve = commands.add_parser("serve", help="start the action server and the Rasa server")
    serve.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    serve.add_argument("--port", type=int, default=5005)
    serve.add_argument("--actions-port", type=int, default=5055)
    serve.add_argument(
        "--workers", type=int, default=0, help="Sanic workers of the Rasa server (default: 2 on 2+ CPUs, else 1)"
    )
    serve.add_argument(
        "--var-dir",
        default=str(PROJECT_ROOT / "var"),
        help="conversations, locks, API token and logs (BOT_VAR_DIR of the servers)",
    )
    serve.add_argument("--shell", action="store_true", help="chat in the terminal instead")
    serve.add_argument(
        "--public", metavar="HOST:PORT", help="also start the gateway that publishes the channels (not the API) there"
    )
    serve.set_defaults(handler=_serve)

    cluster = commands.add_parser(
        "cluster", help="Rasa replicas and action servers behind nginx (PostgreSQL + Redis, docs/deployment.md)"
    )
    cluster.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    cluster.add_argument("--replicas", type=int, default=2, help="Rasa server processes")
    cluster.add_argument("--action-servers", type=int, default=1)
    cluster.add_argument("--workers", type=int, default=1, help="Sanic workers per replica")
    cluster.add_argument("--port", type=int, default=5005, help="nginx listens here")
    cluster.add_argument("--actions-port", type=int, default=5055, help="nginx, for the action servers")
    cluster.add_argument("--first-rasa-port", type=int, default=5010, help="replica i: this + i")
    cluster.add_argument("--first-actions-port", type=int, default=5060, help="action server j: this + j")
    cluster.add_argument(
        "--run-dir",
        default=str(PROJECT_ROOT / "var" / "cluster"),
        help="nginx's files, the API token, logs, processes.json",
    )
    cluster.set_defaults(handler=_cluster)

    deploy = commands.add_parser("deploy", help="the container images and settings of deploy/ (docs/deployment.md)")
    deploy_commands = deploy.add_subparsers(dest="deploy_command", required=True)
    deploy_commands.add_parser(
        "settings", help="check docker-compose and Helm against deploy/cluster.env"
    ).set_defaults(handler=_deploy_settings)
    deploy_commands.add_parser(
        "context", help="check every COPY source against .dockerignore; the build context's size"
    ).set_defaults(handler=_deploy_context)
    deploy_commands.add_parser("size", help="what each image adds to its base image").set_defaults(handler=_deploy_size)

    evaluate = commands.add_parser("evaluate", help="per-language scores from `rasa test nlu` results")
    evaluate.add_argument("--results", default="reports/nlu")
    evaluate.add_argument("--tests", default="tests/nlu")
    evaluate.add_argument("--json", default="reports/evaluation.json")
    evaluate.add_argument("--markdown", default="docs/evaluation.md")
    evaluate.add_argument("--config", default="config.yml", help="for the fallback threshold")
    evaluate.add_argument("--min-accuracy", type=float, default=0.95, help="fail below this, per language")
    evaluate.add_argument("--min-f1", type=float, default=0.93, help="fail below this macro-F1, per language")
    evaluate.set_defaults(handler=_evaluate)

    conversations = commands.add_parser(
        "conversations", help="the blind conversation sets: first messages, new questions, follow-ups"
    )
    conversations.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    conversations.add_argument("--markdown", default="docs/evaluation.md")
    conversations.add_argument("--json", default="reports/conversations.json")
    conversations.add_argument(
        "--sets", choices=("blind", "regression"), default="blind", help="tests/blind (the gate) or tests/regression"
    )
    conversations.set_defaults(handler=_conversations)

    telegram = commands.add_parser("telegram", help="Telegram channel set-up (docs/channels.md)")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    register = telegram_commands.add_parser(
        "register", help="point Telegram at TELEGRAM_WEBHOOK_URL, with TELEGRAM_SECRET_TOKEN"
    )
    register.set_defaults(handler=_telegram_register)

    privacy = commands.add_parser("privacy", help="personal data (docs/privacy.md)")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    purge = privacy_commands.add_parser("purge", help="delete conversations idle for longer than a period")
    purge.add_argument("--older-than", required=True, help="e.g. 30d, 12h, 90m")
    purge.add_argument("--endpoints", default=str(PROJECT_ROOT / "endpoints.yml"))
    purge.set_defaults(handler=_privacy_purge)

    gateway = commands.add_parser("gateway", help="the public address: forwards only the channels")
    gateway.add_argument("--listen", default="0.0.0.0:8080", help="host:port to publish")
    gateway.add_argument("--upstream", default="http://127.0.0.1:5005", help="the Rasa server")
    gateway.set_defaults(handler=_gateway)

    from bot.tools.console.cli import add_parser as add_admin_parser
    from bot.tools.faq.cli import add_parser as add_faq_parser
    from bot.tools.reports.cli import add_parser as add_report_parser

    add_faq_parser(commands)
    add_report_parser(commands)
    add_admin_parser(commands)
    publish = commands.add_parser("publish", help="validate, train, test and load new FAQ entries (docs/organisers.md)")
    publish.add_argument("--endpoints", help="the running assistant's endpoints file (default: endpoints.yml)")
    publish.add_argument("--cluster", action="store_true", help="publish to `make run-cluster` (deploy/)")
    publish.add_argument("--root", default=str(PROJECT_ROOT), help=argparse.SUPPRESS)
    publish.add_argument("--min-accuracy", type=float, default=0.95, help="refuse below this, per language")
    publish.add_argument("--min-f1", type=float, default=0.93, help="refuse below this macro-F1, per language")
    publish.set_defaults(handler=_publish)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
