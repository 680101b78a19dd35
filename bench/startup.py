"""``python -m bench.startup``: how long what ``make run`` starts takes to be ready, and
whether ready means ready.

Each round starts the action server and the Rasa server (``bot.tools.serve.Servers``,
two Sanic workers on 2+ CPUs) on ports of its own and polls both every 50 ms: ready is
the time from starting the processes to the first answer of ``GET /``, as in
``python -m bench``. It then records the CPU seconds each process has used (the Rasa
process that forks the workers, each worker, the action server), sends one knowledge
question per language (bench/messages.yml), each a new conversation, and times each
answer, since work left for later would show there; then the proportional set size of
all of it. With ``--compare DIR`` (a checkout of other code, with its own model), the
two take turns, round by round, so that other load on the machine falls on both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot import PROJECT_ROOT

# Run in the checkout measured, so that it is that checkout's code which starts.
ROUND_SCRIPT = r"""
import json, sys, tempfile, threading, time, urllib.request
from pathlib import Path
import yaml
from bench.targets import _cpu_ticks, _pss_kb, _tree
from bot.tools.serve import ServerSettings, Servers

port = int(sys.argv[1])
settings = ServerSettings(model=Path("models/current.tar.gz").resolve(), rasa_port=port, actions_port=port + 50,
                          var_dir=Path(tempfile.mkdtemp(prefix="bench-startup-")))
servers = Servers(settings)
ready = {}


def poll(name, url):
    while name not in ready:
        try:
            urllib.request.urlopen(url, timeout=1)
            ready[name] = time.monotonic() - started
        except OSError:
            time.sleep(0.05)


started = time.monotonic()
servers.respawn_actions()
settings.var_dir.mkdir(parents=True, exist_ok=True)
servers.respawn_rasa()
try:
    pollers = [threading.Thread(target=poll, args=(name, url)) for name, url in
               (("actions", settings.actions_url + "/health"), ("rasa", settings.rasa_url + "/"))]
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join(timeout=180)
    tick = __import__("os").sysconf("SC_CLK_TCK")
    rasa = _tree(servers.rasa.pid)
    cpu = {"rasa": round(_cpu_ticks(rasa[0]) / tick, 2), "workers": [round(_cpu_ticks(p) / tick, 2) for p in rasa[1:]],
           "actions": round(_cpu_ticks(servers.actions.pid) / tick, 2)}
    first = {}
    for language, lines in yaml.safe_load(Path("bench/messages.yml").read_text(encoding="utf-8")).items():
        body = json.dumps({"sender": f"startup-{language}", "message": lines[1]}).encode()
        request = urllib.request.Request(settings.rasa_url + "/webhooks/rest/webhook", body,
                                         {"Content-Type": "application/json"})
        sent = time.monotonic()
        assert json.load(urllib.request.urlopen(request, timeout=60)), language
        first[language] = round(1000 * (time.monotonic() - sent))
    pss = sum(_pss_kb(pid) for pid in rasa + [servers.actions.pid]) / 1024
    print(json.dumps({"ready_s": round(ready["rasa"], 2), "actions_ready_s": round(ready["actions"], 2),
                      "cpu_s_at_ready": cpu, "first_message_ms": first, "pss_mb": round(pss)}))
finally:
    servers.stop()
"""


def one_round(checkout: Path, port: int) -> Dict[str, Any]:
    """One start of ``checkout``'s code and model, measured (ROUND_SCRIPT)."""
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    output = subprocess.run([sys.executable, "-c", ROUND_SCRIPT, str(port)], cwd=checkout, env=environment,
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(rounds: int, port: int, compare: Optional[Path]) -> List[Dict[str, Any]]:
    """``rounds`` starts of this checkout, alternating with ``compare``'s when given."""
    results = []
    for number in range(1, rounds + 1):
        for label, checkout in ([("compared", compare)] if compare else []) + [("this", PROJECT_ROOT)]:
            result = {"round": number, "code": label, "load_average": round(os.getloadavg()[0], 1),
                      **one_round(checkout, port)}
            print(json.dumps(result), flush=True)
            results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=5605, help="Rasa's port; the action server's is 50 above")
    parser.add_argument("--compare", type=Path, help="a checkout of other code (with models/current.tar.gz)")
    args = parser.parse_args()
    run(args.rounds, args.port, args.compare)


if __name__ == "__main__":
    main()
