"""``make bench`` / ``python -m bench``: the stock assistant, the embedded default and the
cluster, started one after another on this machine and given the same load.

Results: ``reports/bench/results.json`` (every run), ``reports/bench/summary.md`` and the
table and chart in ``docs/performance.md``. Load levels are repeated (``--repeat``) and
the median run is reported, because other processes on the machine add noise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, List

from bench import report, targets
from bench.load import LoadResult, load
from bot import PROJECT_ROOT

# Ports: stock 5630, embedded 5631 + actions 5670, cluster replicas 5620.. + actions 5660..,
# nginx 8607/8608; --port-offset N adds N to each (two benchmarks on one machine).
# What `make run` starts here (the Makefile's WORKERS default): 2 processes on 2+ CPUs.
DEFAULT_WORKERS = 2 if (os.cpu_count() or 1) >= 2 else 1


def embedded_name(workers: int) -> str:
    """'embedded default (…)' for what `make run` starts, which bench/report.py checks."""
    processes = f"{workers} worker{'s' if workers > 1 else ''}"
    return f"embedded default ({processes})" if workers == DEFAULT_WORKERS else f"embedded, {processes}"


PORTS = {"stock": 5630, "embedded": 5631, "embedded_actions": 5670, "rasa": 5620, "actions": 5660,
         "lb": 8607, "lb_actions": 8608}


def _median_run(runs: List[LoadResult]) -> LoadResult:
    return sorted(runs, key=lambda r: r.throughput)[len(runs) // 2]


def measure(target: targets.Target, args: argparse.Namespace) -> Dict[str, Any]:
    """Warm up, then single-user latency and throughput at each concurrency."""
    print(f"  ready in {target.ready_s:.1f} s; warming up", flush=True)
    load(target.url, concurrency=2, seconds=10, max_messages=24)
    levels: Dict[str, Any] = {}
    for concurrency in args.concurrency:
        runs = []
        for repeat in range(args.repeat):
            cpu_before = target.cpu_seconds()
            if concurrency == 1:
                result = load(target.url, 1, seconds=args.seconds, max_messages=args.single_messages)
            else:
                result = load(target.url, concurrency, seconds=args.seconds)
            cpu_after = target.cpu_seconds()
            result.cpu_ms_per_message = {
                role: round(1000 * (cpu_after[role] - cpu_before.get(role, 0)) / result.messages, 1)
                for role in cpu_after}
            print(f"  {concurrency:>3} conversations, run {repeat + 1}: {result.throughput} msg/s, "
                  f"p50 {result.p50_ms} ms, p95 {result.p95_ms} ms, errors {result.errors}, "
                  f"CPU ms/message {result.cpu_ms_per_message}", flush=True)
            runs.append(result)
        levels[str(concurrency)] = {"median": _median_run(runs).as_dict(),
                                    "runs": [r.as_dict() for r in runs]}
    pss = target.pss_mb()
    conversations = sum(run["conversations"] for level in levels.values() for run in level["runs"])
    print(f"  PSS after {conversations} conversations: {pss} MB", flush=True)
    return {"name": target.name, "ready_s": round(target.ready_s, 1), **target.extra,
            "peak_memory_mb": target.peak_memory_mb(), "pss_mb": pss, "conversations": conversations,
            "pss_total_mb": round(sum(pss.values()), 1), "levels": levels}


def _machine() -> Dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True).stdout.strip()
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit,
            "cpus": os.cpu_count(), "load_average_at_start": list(os.getloadavg())}


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--seconds", type=float, default=20, help="per load run")
    parser.add_argument("--single-messages", type=int, default=200, help="cap for the 1-user run")
    parser.add_argument("--repeat", type=int, default=2, help="runs per load level (median kept)")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2], help="cluster sizes")
    parser.add_argument("--action-servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="Sanic workers per cluster replica")
    parser.add_argument("--embedded-workers", type=int, nargs="+", default=[1, 2],
                        help="Sanic workers of the embedded assistant (make run WORKERS=n), one run each; "
                             f"make run's default here: {DEFAULT_WORKERS}")
    parser.add_argument("--redis-db", default="6")
    parser.add_argument("--port-offset", type=int, default=0, help="added to every port the benchmark uses")
    parser.add_argument("--only", nargs="+", choices=["stock", "embedded", "cluster"],
                        default=["stock", "embedded", "cluster"])
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "bench"))
    parser.add_argument("--docs", default=str(PROJECT_ROOT / "docs" / "performance.md"),
                        help="markdown file whose generated section is replaced ('' = none)")
    args = parser.parse_args(argv)
    model = Path(args.model).resolve()
    ports = {name: port + args.port_offset for name, port in PORTS.items()}

    with tempfile.TemporaryDirectory(prefix="bench-") as temp:
        work = Path(temp)
        starters: List[Callable[[], ContextManager[targets.Target]]] = []
        if "stock" in args.only:
            starters.append(lambda: targets.stock_assistant(work / "stock", ports["stock"]))
        if "embedded" in args.only:
            for workers in args.embedded_workers:
                starters.append(lambda n=workers: targets.embedded_default(
                    model, work / f"embedded-{n}", ports["embedded"], ports["embedded_actions"],
                    name=embedded_name(n), workers=n))
        if "cluster" in args.only:
            for replicas in args.replicas:
                starters.append(lambda n=replicas: targets.cluster(
                    model, work / f"cluster-{n}", n, args.action_servers, args.workers,
                    ports, args.redis_db))
        results = {"machine": _machine(), "settings": {k: v for k, v in vars(args).items()},
                   "targets": []}
        for start in starters:
            with contextlib.ExitStack() as stack:
                print("Starting …", flush=True)
                target = stack.enter_context(start())
                print(target.name, flush=True)
                results["targets"].append(measure(target, args))
    results["machine"]["load_average_at_end"] = list(os.getloadavg())

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    summary = report.summary_markdown(results)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    report.chart(results, out / "throughput.svg")
    if args.docs:
        docs = Path(args.docs)
        report.chart(results, docs.with_suffix(".svg"))
        report.replace_generated_section(docs, summary)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
