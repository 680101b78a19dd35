"""``python -m bench.micro``: CPU time per call of one piece, Rasa's code against a change.

The end-to-end ablation (``bench.ablation``) moves by ±10–20 % from run to run on the
shared machine, so it cannot resolve a change worth a few per cent of the server's CPU.
This measures the piece a change touches, in one process, with ``time.process_time``,
Rasa's code and the change taking turns call by call, so that load from other programs
falls on both alike:

* ``parse``: the processor's ``parse_message`` (the NLU graph and the domain check that
  precedes it) on the messages of bench/messages.yml, by the model as loaded (its
  ``SentenceCountVectorsFeaturizer`` computing sentence features only) and by the same
  model with the featurizers doing what Rasa's CountVectorsFeaturizer does (the patches
  of ``BOT_SPEEDUPS`` in both);
* ``classifier``: the same, by a model whose intent classifier keeps its coefficients
  row by row (as Rasa loads them) and by one that stores them column by column
  (``bot.plugins.components.intent_classifier.column_major``);
* ``domain``: ``Domain.is_empty`` on the project's domain, Rasa's and ``domain_empty``;
* ``locks``: one lock and release of a conversation, as Rasa does per message, with the
  SQLite lock store and with Rasa's in-memory one (``--redis``: Rasa's Redis lock store
  and the cluster's, bot.plugins.redis_lock_store, on the local Redis);
* ``tracker``: one turn of a conversation (retrieve, five events added, save; eight turns
  per conversation, as bench/messages.yml), Rasa's SQLTrackerStore and the project's
  (bot.plugins.tracker_store), on a fresh SQLite file or PostgreSQL database, as a
  replica of the cluster uses it (``SANIC_WORKERS=2``: the cache is checked).

Results go to stdout (copied into docs/performance.md by hand, with the command).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

from bench.load import load_conversations
from bot import PROJECT_ROOT

WARM_UP_ROUNDS = 2


def _turns(calls: Dict[str, Callable[[], Any]], rounds: int) -> Dict[str, float]:
    """CPU ms per call of each of ``calls``, called in turn ``rounds`` times."""
    spent = {name: 0.0 for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.process_time()
            call()
            spent[name] += time.process_time() - started
    return {name: 1000 * seconds / rounds for name, seconds in spent.items()}


def _components(agent: Any, cls: type) -> List[Any]:
    """The loaded graph components of class ``cls`` (through Rasa's graph runner)."""
    return [node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
            if isinstance(node._component, cls)]


def parse_cpu_ms(model: Path, rounds: int) -> Dict[str, float]:
    """CPU ms per ``parse_message``: the featurizers as Rasa's, and sentence features only."""
    from rasa.core.agent import Agent

    from bot.plugins import patches
    from bot.plugins.components.count_vectors import SentenceCountVectorsFeaturizer

    patches.apply()
    as_rasa = Agent.load(str(model))
    for featurizer in _components(as_rasa, SentenceCountVectorsFeaturizer):
        featurizer.sentence_features_only = False  # Rasa's process: sequence features too
    return _parse_turns({"Rasa's CountVectorsFeaturizer": as_rasa,
                         "SentenceCountVectorsFeaturizer": Agent.load(str(model))}, rounds)


def classifier_cpu_ms(model: Path, rounds: int) -> Dict[str, float]:
    """CPU ms per ``parse_message`` with the intent classifier's coefficients stored row
    by row (as scikit-learn fits them and Rasa loads them) and column by column."""
    import numpy as np
    from rasa.core.agent import Agent

    from bot.plugins import patches
    from bot.plugins.components.intent_classifier import LogCountLogisticRegression

    patches.apply()
    row_major = Agent.load(str(model))
    for classifier in _components(row_major, LogCountLogisticRegression):
        classifier.clf.coef_ = np.ascontiguousarray(classifier.clf.coef_)
    return _parse_turns({"coef_ row by row": row_major,
                         "coef_ column by column (column_major)": Agent.load(str(model))}, rounds)


def _parse_turns(agents: Dict[str, Any], rounds: int) -> Dict[str, float]:
    """CPU ms per ``parse_message`` of each agent on bench/messages.yml, taking turns."""
    from rasa.core.channels.channel import UserMessage

    texts = [text for script in load_conversations() for text in script]
    loop = asyncio.new_event_loop()

    def parse_all(agent: Any) -> Callable[[], None]:
        def parse() -> None:
            for text in texts:
                loop.run_until_complete(agent.processor.parse_message(UserMessage(text)))
        return parse

    calls = {name: parse_all(agent) for name, agent in agents.items()}
    _turns(calls, WARM_UP_ROUNDS)
    return {name: ms / len(texts) for name, ms in _turns(calls, rounds).items()}


def domain_cpu_ms(calls: int) -> Dict[str, float]:
    """CPU ms per ``Domain.is_empty`` on the project's domain, Rasa's and the patch's."""
    from rasa.shared.core.domain import Domain

    from bot.plugins import patches

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    rasa_is_empty = patches._original(Domain.is_empty)
    patches.SPEEDUPS["domain_empty"]()
    return _turns({"Rasa's Domain.is_empty": lambda: rasa_is_empty(domain),
                   "domain_empty": lambda: Domain.is_empty(domain)}, calls)


def lock_cpu_ms(cycles: int, redis_db: Optional[int] = None) -> Dict[str, float]:
    """CPU ms per lock and release of a conversation, SQLite and in-memory lock store;
    with ``redis_db``, Rasa's Redis lock store and the cluster's instead."""
    from rasa.core.lock_store import InMemoryLockStore, LockStore

    from bot.plugins.lock_store import SQLiteLockStore

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def lock_and_release(store: LockStore) -> Callable[[], None]:
        async def cycle() -> None:
            async with store.lock("conversation"):
                pass
        return lambda: loop.run_until_complete(cycle())

    if redis_db is not None:
        from rasa.core.lock_store import RedisLockStore
        from rasa.utils.endpoints import EndpointConfig

        from bot.plugins import redis_lock_store

        prefix = f"micro{uuid.uuid4().hex[:8]}"
        ours = redis_lock_store.RedisLockStore(EndpointConfig(type="redis", db=redis_db, key_prefix=prefix))
        calls = {"Rasa's RedisLockStore": lock_and_release(RedisLockStore(db=redis_db, key_prefix=prefix)),
                 "redis_lock_store.RedisLockStore": lock_and_release(ours)}
        _turns(calls, WARM_UP_ROUNDS)
        return _turns(calls, cycles)
    with tempfile.TemporaryDirectory(prefix="micro-locks-") as temp:
        calls = {"SQLiteLockStore": lock_and_release(SQLiteLockStore(db=str(Path(temp) / "locks.db"))),
                 "InMemoryLockStore": lock_and_release(InMemoryLockStore())}
        _turns(calls, WARM_UP_ROUNDS)
        return _turns(calls, cycles)


@contextlib.contextmanager
def _tracker_database(dialect: str) -> Iterator[Dict[str, Any]]:
    """Settings of a fresh tracker database (a temporary SQLite file, or a PostgreSQL
    database on localhost, as deploy/cluster.env has it), removed afterwards."""
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="micro-tracker-") as temp:
            yield {"dialect": "sqlite", "db": str(Path(temp) / "tracker.db")}
        return
    import psycopg2

    from bot.tools.cluster import CLUSTER_ENV, read_env_file

    env = read_env_file(CLUSTER_ENV)
    server = {"host": env["DB_HOST"], "port": int(env["DB_PORT"]), "user": env["DB_USER"]}
    name = f"bot_micro_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname=env["DB_LOGIN_DB"], **server)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"dialect": "postgresql", "host": server["host"], "port": server["port"],
               "username": server["user"], "db": name}
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def tracker_cpu_ms(dialect: str, conversations: int) -> Dict[str, float]:
    """CPU ms per turn (retrieve, add a turn's events, save), Rasa's SQLTrackerStore and
    the project's, taking turns conversation by conversation."""
    import os

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.plugins.handoff.store import HandoffTrackerStore

    os.environ["SANIC_WORKERS"] = "2"  # others write the same rows: the cache is checked
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    texts = load_conversations()[0]
    loop = asyncio.new_event_loop()

    def conversation(store: Any) -> Callable[[], None]:
        async def play() -> None:
            sender = uuid.uuid4().hex
            for text in texts:
                tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
                for event in [UserUttered(text, {"name": "ask_venue", "confidence": 0.9}), SlotSet("language", "fr"),
                              ActionExecuted("action_answer"), BotUttered(text), ActionExecuted("action_listen")]:
                    tracker.update(event)
                await store.save(tracker)
        return lambda: loop.run_until_complete(play())

    with _tracker_database(dialect) as settings:
        rasa_settings = dict(settings)
        stock = SQLTrackerStore(domain=domain, dialect=rasa_settings.pop("dialect"),
                                host=rasa_settings.pop("host", None), **rasa_settings)
        calls = {"Rasa's SQLTrackerStore": conversation(stock),
                 "HandoffTrackerStore (plain SQL, checked cache)": conversation(HandoffTrackerStore(domain=domain, **settings))}
        _turns(calls, WARM_UP_ROUNDS)
        return {name: ms / len(texts) for name, ms in _turns(calls, conversations).items()}


def _table(title: str, results: Dict[str, float]) -> None:
    print(f"| {title} | CPU ms per call |")
    print("|---|---|")
    for name, ms in results.items():
        print(f"| {name} | {ms:.3f} |")


def _parse(args: argparse.Namespace) -> int:
    _table("parse_message", parse_cpu_ms(Path(args.model), args.rounds))
    return 0


def _classifier(args: argparse.Namespace) -> int:
    _table("parse_message", classifier_cpu_ms(Path(args.model), args.rounds))
    return 0


def _domain(args: argparse.Namespace) -> int:
    _table("Domain.is_empty", domain_cpu_ms(args.calls))
    return 0


def _locks(args: argparse.Namespace) -> int:
    _table("lock and release", lock_cpu_ms(args.cycles, args.redis_db if args.redis else None))
    return 0


def _tracker(args: argparse.Namespace) -> int:
    _table(f"a turn on {args.dialect}", tracker_cpu_ms(args.dialect, args.conversations))
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    parse = commands.add_parser("parse", help="parse_message CPU, Rasa's featurizer and sentence features only")
    parse.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    parse.add_argument("--rounds", type=int, default=30, help="passes over the messages")
    classifier = commands.add_parser("classifier", help="parse_message CPU, classifier coefficients "
                                                        "row by row and column by column")
    classifier.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    classifier.add_argument("--rounds", type=int, default=10, help="passes over the messages")
    domain = commands.add_parser("domain", help="Domain.is_empty CPU, Rasa's and domain_empty")
    domain.add_argument("--calls", type=int, default=300)
    locks = commands.add_parser("locks", help="lock store CPU per lock and release")
    locks.add_argument("--cycles", type=int, default=5000)
    locks.add_argument("--redis", action="store_true", help="Rasa's Redis lock store and the cluster's")
    locks.add_argument("--redis-db", type=int, default=6)
    tracker = commands.add_parser("tracker", help="tracker store CPU per turn, Rasa's and the project's")
    tracker.add_argument("--dialect", choices=["sqlite", "postgresql"], default="postgresql")
    tracker.add_argument("--conversations", type=int, default=100, help="of eight turns each")
    args = parser.parse_args(argv)
    return {"parse": _parse, "classifier": _classifier, "domain": _domain,
            "locks": _locks, "tracker": _tracker}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
