"""Every worker serves the newest model file, and says which model it serves.

Rasa's ``PUT /model`` loads a model into the one Sanic worker that happens to take the
request; with two workers (``make run``) or several replicas, the others keep the old
model. So publishing does not talk to a server: it replaces the model file
(``models/current.tar.gz``, atomically), and each worker notices within
``CHECK_INTERVAL_S`` and loads it, off the event loop, so it keeps answering with the
old model meanwhile (Rasa's own ``Agent.load_model``; conversations live in the
tracker store, so none is dropped). A worker serving without TensorFlow refuses a new
model that needs it (bot/plugins/tensorflow_stand_in.py) and keeps the old one; publish
then names it, and a restart of the assistant loads TensorFlow for that model.

Each worker also reports, every ``REPORT_INTERVAL_S``, what it serves to the
deployment's shared state (bot/plugins/shared_state.py: the lock store's SQLite file
or Redis): the model id, the Rasa version, the active patches. ``make publish`` waits
until every worker reports the new model id, and names those that do not.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.plugins import tensorflow_stand_in
from bot.plugins.shared_state import SharedState, worker_name

logger = logging.getLogger(__name__)

CHECK_INTERVAL_S = 1.0
REPORT_INTERVAL_S = 2.0
# A worker that has not reported for this long is taken to be gone.
ALIVE_WITHIN_S = 4 * REPORT_INTERVAL_S

Signature = Tuple[int, int, int]


def file_signature(path: Path) -> Optional[Signature]:
    """Changes whenever the file is replaced or rewritten; None when it is missing."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


@dataclass
class ModelSync:
    """Follows ``model_file`` for one worker's agent and reports to ``shared``."""

    agent_of: Callable[[], Any]
    model_file: Path
    shared: SharedState
    worker: str
    patches: Tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._signature = file_signature(self.model_file)
        self._last_report = 0.0
        self.loading = False

    def info(self) -> Dict[str, Any]:
        import rasa

        from bot.plugins.patches import served_preloaded

        agent = self.agent_of()
        return {
            "pid": os.getpid(),
            "model_id": agent.model_id if agent else None,
            "model_file": str(self.model_file),
            "rasa": rasa.__version__,
            "patches": list(self.patches),
            "loading": self.loading,
            "tensorflow": tensorflow_stand_in.state(),
            "preloaded": served_preloaded(),
        }

    def report(self) -> None:
        self.shared.report(self.worker, self.info())
        self._last_report = time.monotonic()

    async def _load(self, signature: Signature) -> None:
        agent = self.agent_of()
        self.loading = True
        started = time.monotonic()

        def load() -> None:
            # Off the event loop too: finding the model's metadata decompresses the whole
            # archive (about 0.6 s for ours), which would stall every conversation.
            tensorflow_stand_in.refuse_if_needed(self.model_file)
            agent.load_model(str(self.model_file))

        try:
            await asyncio.get_running_loop().run_in_executor(None, load)
        except Exception:  # a broken file must not stop the worker
            logger.exception(
                "Worker %s: could not load %s; still serving model %s", self.worker, self.model_file, agent.model_id
            )
        else:
            logger.info(
                "Worker %s now serves model %s (%s, loaded in %.1f s)",
                self.worker,
                agent.model_id,
                self.model_file,
                time.monotonic() - started,
            )
        finally:
            self.loading = False
            self._signature = signature

    async def step(self) -> None:
        """One round: load a changed model file, report when due."""
        signature = file_signature(self.model_file)
        if signature is not None and signature != self._signature:
            await self._load(signature)
            await self._report_off_loop()
        elif time.monotonic() - self._last_report >= REPORT_INTERVAL_S:
            await self._report_off_loop()

    async def _report_off_loop(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.report)
        except Exception as error:  # the registry is advisory; keep serving
            logger.warning("Worker %s could not report to the shared state: %s", self.worker, error)

    async def run(self) -> None:
        while True:
            await self.step()
            await asyncio.sleep(CHECK_INTERVAL_S)


def server_listeners(
    model_file: Path, port: Optional[int], shared: Callable[[], SharedState], patches: Tuple[str, ...]
) -> List[Tuple[Callable[..., Any], str]]:
    """Sanic listeners (Rasa's ``server_listeners``) that run a ``ModelSync`` in each
    worker once it serves, and take the worker out of the registry when it stops."""
    syncs: Dict[int, ModelSync] = {}

    async def start(app: Any, _loop: Any) -> None:
        sync = ModelSync(lambda: app.ctx.agent, Path(model_file), shared(), worker_name(port), patches)
        syncs[os.getpid()] = sync
        await sync._report_off_loop()
        app.add_task(sync.run())

    async def stop(_app: Any, _loop: Any) -> None:
        sync = syncs.pop(os.getpid(), None)
        if sync is not None:
            try:
                sync.shared.forget(sync.worker)
            except Exception as error:
                logger.warning("Worker %s could not leave the registry: %s", sync.worker, error)

    return [(start, "after_server_start"), (stop, "before_server_stop")]
