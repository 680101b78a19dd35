"""Bounded soak run: mixed traffic against the full stack; reports errors and memory growth.

Not part of CI (it runs for minutes). It starts its own action server, Rasa server
and public gateway (the privacy tracker store on a throw-away SQLite file), then
``--users`` simulated attendees talk through the gateway for ``--duration`` seconds:
questions in six languages, small talk, personal data, bad input, "forget me".
Every few seconds it samples the resident memory of each server.

    python bench/soak.py --duration 1200 --users 8          # the 20-minute run
    python bench/soak.py --duration 180 --json reports/soak.json

An *error* is a 5xx, a timeout, a refused connection, or a 200 without any reply;
4xx answers to the deliberately bad inputs are expected and counted separately.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tools.serve import ServerSettings, Servers  # noqa: E402

QUESTIONS = [
    "Where does the conference take place?", "Who organised the conference?", "When is the conference?",
    "Où se déroule la conférence ?", "Qui sont les intervenants ?", "Waar vindt de conferentie plaats?",
    "Wat is de Verklaring van Mechelen?", "¿Dónde se celebra la conferencia?", "¿Quién organiza la conferencia?",
    "Wo findet die Konferenz statt?", "Wer sind die Redner?", "أين يعقد المؤتمر؟", "ما هو إعلان ميخلين؟",
    "hello", "thanks", "what can you do?", "My email is someone@example.org, where is the venue?",
]
BAD = [b"", b"not json", b'{"sender": "x"}', b'{"sender": "x", "message": ""}', "🎉".encode() * 500]
FORGET = ["delete my data", "supprime mes données", "verwijder mijn gegevens"]


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.latencies: List[float] = []

    def record(self, kind: str, status: str, latency: float, error: str = "") -> None:
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1
            if error:
                self.errors[error] += 1
            if kind == "question":
                self.latencies.append(latency)


def attendee(url: str, until: float, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    sender = f"soak-{uuid.uuid4().hex[:10]}"
    while time.monotonic() < until:
        roll = rng.random()
        started = time.monotonic()
        try:
            if roll < 0.08:
                response = requests.post(url, data=rng.choice(BAD), timeout=30,
                                         headers={"Content-Type": "application/json"})
                kind = "bad"
            else:
                kind = "forget" if roll < 0.11 else "question"
                text = rng.choice(FORGET) if kind == "forget" else rng.choice(QUESTIONS)
                response = requests.post(url, json={"sender": sender, "message": text}, timeout=30)
            latency = time.monotonic() - started
            error = ""
            if response.status_code >= 500:
                error = f"{kind}: HTTP {response.status_code}"
            elif kind != "bad" and (response.status_code != 200 or not response.json()):
                error = f"{kind}: HTTP {response.status_code} without a reply"
            results.record(kind, str(response.status_code), latency, error)
        except requests.RequestException as exception:
            results.record("request", "exception", time.monotonic() - started, type(exception).__name__)
        time.sleep(rng.uniform(2.0, 4.0))  # below the per-sender limit (30 a minute)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=180, help="seconds of traffic")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--rasa-port", type=int, default=5705)
    parser.add_argument("--actions-port", type=int, default=5755)
    parser.add_argument("--public-port", type=int, default=8705)
    parser.add_argument("--sample-every", type=float, default=10)
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="soak-"))
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{args.actions_port}/webhook"\n'
        "tracker_store:\n  type: bot.plugins.tracker_store.privacy.PrivacyTrackerStore\n"
        f"  dialect: sqlite\n  db: {work / 'tracker.db'}\n", encoding="utf-8")
    settings = ServerSettings(
        model=Path(args.model), rasa_port=args.rasa_port, actions_port=args.actions_port,
        endpoints=endpoints, log_dir=work / "log", public=f"127.0.0.1:{args.public_port}",
        extra_env={"BOT_RATE_PER_ADDRESS_PER_MINUTE": "100000", "BOT_RATE_ADDRESS_BURST": "100000"})
    url = f"http://127.0.0.1:{args.public_port}/webhooks/rest/webhook"
    results = Results()
    memory: Dict[str, List[float]] = {"rasa": [], "actions": [], "gateway": []}
    with Servers(settings) as servers:
        processes = {"rasa": servers.rasa, "actions": servers.actions, "gateway": servers.gateway}
        until = time.monotonic() + args.duration
        threads = [threading.Thread(target=attendee, args=(url, until, results, i), daemon=True)
                   for i in range(args.users)]
        for thread in threads:
            thread.start()
        while time.monotonic() < until:
            for name, process in processes.items():
                memory[name].append(round(rss_mb(process.pid), 1))
            time.sleep(args.sample_every)
        for thread in threads:
            thread.join(timeout=60)
        alive = {name: process.poll() is None for name, process in processes.items()}

    latencies = sorted(results.latencies)
    report = {
        "duration_s": args.duration, "users": args.users,
        "requests": sum(results.statuses.values()), "by_kind_and_status": dict(results.statuses),
        "errors": sum(results.errors.values()), "error_kinds": dict(results.errors),
        "servers_alive_at_end": alive,
        "question_latency_s": {
            "median": round(statistics.median(latencies), 3) if latencies else None,
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
        },
        "rss_mb": {name: {"first": s[0], "after_warm_up": s[min(len(s) - 1, max(1, len(s) // 5))],
                          "last": s[-1], "max": max(s)} for name, s in memory.items() if s},
        "rss_samples_mb": memory,
    }
    print(json.dumps({k: v for k, v in report.items() if k != "rss_samples_mb"}, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if report["errors"] == 0 and all(alive.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
