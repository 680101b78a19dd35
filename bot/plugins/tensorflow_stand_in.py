"""Serving without TensorFlow when the model has no TensorFlow component.

Rasa 3.6 imports TensorFlow (and, through it, JAX) whatever the pipeline: ``rasa.core.agent``
imports the policy base class, which imports the featurizers, which import
``rasa.utils.train_utils``, which imports Keras callbacks. In a serving process that costs
about 350 MB of resident memory and several seconds of start-up, for a library this
project's pipeline never calls (no DIET, TED, ResponseSelector or language-model
featurizer: config.yml).

So, before Rasa is imported, ``install()`` puts a stand-in in front of the import system
for the packages below: ``import tensorflow as tf`` gives a module whose every attribute
is a placeholder that can be called, subscripted, decorated with and subclassed, so that
Rasa's modules import (their class bodies and decorators run at import time), but nothing
computes. It is only installed for a model whose components are all known to run without
TensorFlow (``tensorflow_components``), decided from the model file's own metadata, and a
model that needs TensorFlow is refused by a process running the stand-in
(``bot.plugins.model_sync``) rather than loaded into it. ``BOT_TENSORFLOW=on`` keeps the real
library. Called only from ``bot.plugins.patches.apply_tensorflow_stand_in`` under its
Rasa version check.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence

# The packages replaced: TensorFlow, what TensorFlow imports when present (Keras, JAX), the
# add-ons Rasa's language-model components import, and h5py, the file format of Keras's
# weights, which only thinc's TensorFlow shim uses (thinc imports it if it can: 0.2 s).
PACKAGES = ("tensorflow", "tensorflow_hub", "tensorflow_text", "tensorflow_addons", "keras", "jax", "jaxlib", "h5py")

# Rasa 3.6's graph components that run TensorFlow when they predict (Rasa's documentation,
# "Components" and "Policies"; each subclasses rasa.utils.tensorflow.models.RasaModel or
# loads a TensorFlow Hub / Hugging Face model).
RASA_TENSORFLOW_COMPONENTS = frozenset(
    {
        "DIETClassifier",
        "ResponseSelector",
        "TEDPolicy",
        "UnexpecTEDIntentPolicy",
        "ConveRTFeaturizer",
        "LanguageModelFeaturizer",
    }
)
# Components from these packages are known: Rasa's own (all but the list above) and this
# project's (tests/unit/test_tensorflow_stand_in.py checks that none imports TensorFlow).
KNOWN_PACKAGES = ("rasa.", "bot.")


class Placeholder:
    """Whatever Rasa's modules reach for in ``tf`` at import time: ``tf.float32``,
    ``@tf.function``, ``class Layer(tf.keras.layers.Layer)``, ``Optional[tf.Tensor]``;
    as a collection it is empty (no GPU devices)."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> "Placeholder":
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Placeholder()

    def __call__(self, *_args: Any, **_kwargs: Any) -> "Placeholder":
        return Placeholder()

    def __getitem__(self, _key: Any) -> "Placeholder":
        return Placeholder()

    def __len__(self) -> int:
        # thinc (under spaCy) asks len(tensorflow.config.get_visible_devices("GPU")).
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __or__(self, _other: Any) -> "Placeholder":
        return Placeholder()

    __ror__ = __or__

    def __mro_entries__(self, _bases: tuple) -> tuple:
        # A class derived from a placeholder derives from a fresh empty class instead
        # (a fresh one each time, so two placeholder bases are not a duplicate base).
        return (type("TensorFlowPlaceholder", (), {}),)


class StandInModule(types.ModuleType):
    """``tensorflow`` and every ``tensorflow.*`` submodule."""

    def __getattr__(self, name: str) -> Placeholder:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Placeholder()


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers imports of ``PACKAGES`` (and their submodules) with stand-in modules."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[types.ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname.split(".", 1)[0] in PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module is its placeholders."""


def installed() -> bool:
    return any(isinstance(finder, StandInFinder) for finder in sys.meta_path)


def install() -> None:
    """Answers TensorFlow imports with the stand-in in this process (and the processes it
    forks). Refuses once the real library is imported: two TensorFlows would be worse."""
    if installed():
        return
    already = sorted(name for name in sys.modules if name.split(".", 1)[0] in PACKAGES)
    if already:
        raise RuntimeError(f"TensorFlow is already imported ({already[0]}); the stand-in must come first")
    sys.meta_path.insert(0, StandInFinder())


def model_components(model_file: Path) -> List[str]:
    """The classes (module.Class) of the model's prediction graph, from its metadata.json,
    read without importing Rasa; ``model_file`` is the archive or the directory it was
    unpacked into (bot/plugins/model_archive.py)."""
    if model_file.is_dir():
        metadata = json.loads((model_file / "metadata.json").read_text(encoding="utf-8"))
    else:
        with tarfile.open(model_file, mode="r:gz") as archive:
            member = archive.extractfile("metadata.json")
            if member is None:
                raise ValueError(f"{model_file} has no metadata.json: not a Rasa 3 model")
            metadata = json.load(member)
    nodes = metadata.get("predict_schema", {}).get("nodes", {})
    return sorted({node["uses"] for node in nodes.values() if "uses" in node})


def tensorflow_components(model_file: Path) -> List[str]:
    """The model's components that need (or may need) TensorFlow: Rasa's TensorFlow
    components, and any component from outside Rasa and this project (unknown code)."""
    return [
        component
        for component in model_components(model_file)
        if component.rsplit(".", 1)[-1] in RASA_TENSORFLOW_COMPONENTS or not component.startswith(KNOWN_PACKAGES)
    ]


def state() -> str:
    """What this process has: ``stand-in``, ``tensorflow`` (the real library) or ``none``."""
    if installed():
        return "stand-in"
    return "tensorflow" if "tensorflow" in sys.modules else "none"


def refuse_if_needed(model_file: Path) -> None:
    """Raises when this process runs the stand-in and ``model_file`` needs TensorFlow."""
    if installed():
        needing = tensorflow_components(model_file)
        if needing:
            raise RuntimeError(
                f"{model_file} needs TensorFlow ({', '.join(needing)}), which this process was started "
                "without: restart the assistant to serve it"
            )
