"""``python -m bench.ablation``: what each speed change buys, one variant at a time.

Each variant adds one change to the one before (the first is Rasa's own SQL store
with Rasa unpatched), given the same
single-user load and 20 concurrent conversations. The measure that matters is
CPU time per message of each process: unlike latency it barely moves when other
programs share the machine. Results: reports/bench/ablation.json and a table on stdout
(copied into docs/performance.md by hand, with the command).

Every variant serves the trained model, whose graph names the two speed-up components
(bot/plugins/components/rule_policy.py, count_vectors.py): those are measured by
``python -m bench.micro parse`` and their unit tests, not here (their earlier ablation
rows, from when they were patches: docs/history.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List

from bench import targets
from bench.__main__ import PORTS
from bench.load import load
from bot import PROJECT_ROOT

STOCK_SQL = "SQL"
DOMAIN_SENT = {"send_domain": True}
SQLITE_LOCKS = {"lock_store_type": "bot.plugins.lock_store.SQLiteLockStore"}  # before in-memory locks for 1 worker
ROUND_2 = "validator,events,graph_runner,action_session"
# Cumulative: each row adds one change to the row above; the last but one is the default.
VARIANTS: Dict[str, Dict[str, Any]] = {
    "Rasa's SQL store, Rasa unpatched": {"tracker_store_type": STOCK_SQL, **DOMAIN_SENT, **SQLITE_LOCKS,
                                         "env": {"BOT_SPEEDUPS": "off"}},
    "+ our SQLite store (WAL, one kept connection, one insert per turn, redaction of new events)":
        {**DOMAIN_SENT, **SQLITE_LOCKS, "env": {"BOT_SPEEDUPS": "off", "BOT_TRACKER_CACHE": "off"}},
    "+ cached action-reply validator": {**DOMAIN_SENT, **SQLITE_LOCKS,
                                        "env": {"BOT_SPEEDUPS": "validator", "BOT_TRACKER_CACHE": "off"}},
    "+ event cache in the SQLite store": {**DOMAIN_SENT, **SQLITE_LOCKS, "env": {"BOT_SPEEDUPS": "validator"}},
    "+ remembered event classes": {**DOMAIN_SENT, **SQLITE_LOCKS, "env": {"BOT_SPEEDUPS": "validator,events"}},
    "+ graphs run depth-first, not through dask": {
        **DOMAIN_SENT, **SQLITE_LOCKS, "env": {"BOT_SPEEDUPS": "validator,events,graph_runner"}},
    "+ kept action-server session": {**DOMAIN_SENT, **SQLITE_LOCKS, "env": {"BOT_SPEEDUPS": ROUND_2}},
    "+ domain not sent to the action server": {**SQLITE_LOCKS, "env": {"BOT_SPEEDUPS": ROUND_2}},
    "+ locks in memory with one Sanic worker": {"env": {"BOT_SPEEDUPS": ROUND_2}},
    "+ empty domain built once = the default with 1 worker": {"workers": 1},
    "2 Sanic workers, event cache off": {"workers": 2, "env": {"BOT_TRACKER_CACHE": "off"}},
    "2 Sanic workers = the default (make run on 2+ CPUs)": {"workers": 2},
}


def run_variant(name: str, variant: Dict[str, Any], model: Path, work: Path,
                messages: int, seconds: float, ports: List[int]) -> Dict[str, Any]:
    with targets.embedded_default(model, work, *ports, name=name, **variant) as target:
        load(target.url, 2, seconds=10, max_messages=24)  # warm-up
        row: Dict[str, Any] = {"name": name}
        for concurrency, label in ((1, "single"), (20, "twenty")):
            before = target.cpu_seconds()
            result = load(target.url, concurrency, seconds=seconds,
                          max_messages=messages if concurrency == 1 else 10**9)
            after = target.cpu_seconds()
            row[label] = {**result.as_dict(), "cpu_ms_per_message": {
                role: round(1000 * (after[role] - before[role]) / result.messages, 1) for role in after}}
        print(json.dumps(row, ensure_ascii=False), flush=True)
        return row


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ablation", description=__doc__)
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=2, help="every variant, in turn, this often")
    parser.add_argument("--only", nargs="+", type=int, help="variant numbers (1 = the first row)")
    parser.add_argument("--ports", type=int, nargs=2, metavar=("RASA", "ACTIONS"),
                        default=[PORTS["embedded"], PORTS["embedded_actions"]])
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "bench" / "ablation.json"))
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ablation-") as temp:
        for repeat in range(args.repeat):
            for index, (name, variant) in enumerate(VARIANTS.items()):
                if args.only and index + 1 not in args.only:
                    continue
                rows.append(run_variant(name, variant, Path(args.model).resolve(),
                                        Path(temp) / f"{repeat}-{index}", args.messages, args.seconds,
                                        args.ports))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    print("| variant | Rasa CPU ms/msg (1 user / 20 conv.) | actions CPU ms/msg | 1 user p50 (ms) "
          "| 20 conv. msg/s | 20 conv. p95 (ms) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        s, t = row["single"], row["twenty"]
        cpu, cpu20 = s["cpu_ms_per_message"], t["cpu_ms_per_message"]
        print(f"| {row['name']} | {cpu.get('rasa', '–')} / {cpu20.get('rasa', '–')} | {cpu.get('actions', '–')} "
              f"| {s['p50_ms']} | {t['throughput']} | {t['p95_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
