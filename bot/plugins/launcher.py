"""``python -m bot.plugins.launcher run …``: ``rasa run`` with this project's additions.

What ``python -m bot serve`` and ``make run-cluster`` start instead of ``rasa run``
(same arguments, Rasa's own command line):

1. for ``run``, the garbage collector paused until the model is loaded (it is collected
   once, then frozen, before the workers fork) and the model archive unpacked once
   (``bot.plugins.model_archive``, by a child process while this one loads lingua's models;
   Rasa takes the files instead of reading the archive twice more); before Rasa is
   imported, the TensorFlow stand-in when the model needs no TensorFlow
   (``bot.plugins.patches.apply_tensorflow_stand_in``: about 350 MB less per process);
2. ``bot.plugins.patches.apply()``: the speed-ups, when Rasa is the pinned version
   (before Rasa builds anything, so the forked Sanic workers inherit them);
3. through Rasa's plug-in hook ``configure_commandline`` (``rasa run`` only): the model
   loaded once before Sanic forks its workers (``patches.preload_model``), and Rasa's
   ``server_listeners`` that run ``bot.plugins.model_sync`` in every worker: each one
   follows the model file it was started with and reports what it serves to the shared
   state.

Any other Rasa command (``shell``) passes through with the patches only.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pluggy

from bot.plugins.model_archive import Unpacked

# Rasa's hook specs name the project "rasa" (rasa/plugin.py).
hookimpl = pluggy.HookimplMarker("rasa")


class ServerListeners:
    """A plug-in for Rasa's ``configure_commandline`` hook (``rasa run`` only)."""

    def __init__(self, patches: Tuple[str, ...], unpacked: Optional[Unpacked] = None) -> None:
        self.patches = patches
        self.unpacked = unpacked

    @hookimpl
    def configure_commandline(self, cmdline_arguments: argparse.Namespace) -> Optional[str]:
        from rasa.cli.run import run as rasa_run

        from bot.plugins.endpoints import process_shared_state
        from bot.plugins.model_sync import server_listeners
        from bot.plugins.patches import preload_model

        model = getattr(cmdline_arguments, "model", None)
        try:
            if getattr(cmdline_arguments, "func", None) is rasa_run and model and Path(model).is_file():
                preload_model(Path(model), self.unpacked)
                cmdline_arguments.server_listeners = server_listeners(
                    Path(model).resolve(), getattr(cmdline_arguments, "port", None), process_shared_state, self.patches
                )
        finally:
            if self.unpacked is not None:
                self.unpacked.discard()  # when nothing took it
            gc.enable()  # off since start-up (main); the loaded objects are frozen by now
        return None  # Rasa takes a returned value for an endpoints file


def model_argument(arguments: List[str]) -> Optional[Path]:
    """The ``--model`` of Rasa's command line, if it is given."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-m", "--model")
    model = parser.parse_known_args(arguments)[0].model
    return Path(model) if model else None


def main(argv: Optional[List[str]] = None) -> Any:
    from bot.plugins import patches

    arguments = sys.argv[1:] if argv is None else argv
    model = model_argument(arguments)
    serving = arguments[:1] == ["run"]
    if serving:
        # Until the model is loaded (ServerListeners): the collector's passes over what is
        # being loaded, none of it garbage, took ~1 s of start-up; preload_model collects
        # once, before the workers fork.
        gc.disable()
    unpacking = patches.unpack_model(model) if serving else None
    if unpacking is not None:  # lingua's models meanwhile (no TensorFlow in them)
        from bot.conversation.languages import load_catalogue, preload_lingua

        preload_lingua(load_catalogue())
    unpacked = unpacking.wait() if unpacking is not None else None
    patches.apply_tensorflow_stand_in(unpacked.directory if unpacked else model)

    from rasa.__main__ import main as rasa_main
    from rasa.plugin import plugin_manager

    plugin_manager().register(ServerListeners(patches.apply(), unpacked))
    sys.argv = ["rasa", *arguments]
    return rasa_main()


if __name__ == "__main__":
    main()
