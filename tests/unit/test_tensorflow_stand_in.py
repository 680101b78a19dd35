"""bot.plugins.tensorflow_stand_in: which models may be served without TensorFlow, and
Rasa's serving modules importing (and a model loading) with the stand-in in place."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import List

import pytest

from bot.plugins import tensorflow_stand_in
from tests.conftest import ROOT


def model_with(tmp_path: Path, components: List[str]) -> Path:
    """A model file whose metadata names ``components`` as its prediction graph."""
    metadata = {"predict_schema": {"nodes": {f"node_{i}": {"uses": name} for i, name in enumerate(components)}}}
    data = json.dumps(metadata).encode()
    path = tmp_path / "model.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


PROJECT_GRAPH = [
    "bot.plugins.components.language_detector.LanguageDetector",
    "bot.plugins.components.intent_classifier.LogCountLogisticRegression",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "rasa.graph_components.providers.domain_provider.DomainProvider",
]


def test_a_graph_of_rasa_and_project_components_without_tensorflow_ones_needs_none(tmp_path):
    assert tensorflow_stand_in.tensorflow_components(model_with(tmp_path, PROJECT_GRAPH)) == []


@pytest.mark.parametrize(
    "component",
    [
        "rasa.nlu.classifiers.diet_classifier.DIETClassifier",
        "rasa.core.policies.ted_policy.TEDPolicy",
        "rasa.nlu.selectors.response_selector.ResponseSelector",
        "rasa.nlu.featurizers.dense_featurizer.lm_featurizer.LanguageModelFeaturizer",
        "acme.components.Sentiment",  # unknown code may import TensorFlow
    ],
)
def test_a_tensorflow_or_unknown_component_is_named(tmp_path, component):
    model = model_with(tmp_path, PROJECT_GRAPH + [component])
    assert tensorflow_stand_in.tensorflow_components(model) == [component]


def test_a_file_that_is_no_rasa_model_is_refused_by_name(tmp_path):
    path = tmp_path / "other.tar.gz"
    with tarfile.open(path, "w:gz"):
        pass
    with pytest.raises(KeyError, match="metadata.json"):
        tensorflow_stand_in.model_components(path)


def test_no_module_of_the_project_imports_tensorflow_itself():
    """What lets ``bot.`` components count as known to run without it."""
    imports = re.compile(r"^\s*(import|from)\s+(tensorflow|keras|jax)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "actions")
        for path in (ROOT / folder).rglob("*.py")
        if imports.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_rasa_serving_modules_import_with_the_stand_in_and_real_tensorflow_stays_out(tmp_path):
    model = model_with(tmp_path, PROJECT_GRAPH)
    out = run_python(
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.plugins import patches, tensorflow_stand_in\n"
        f"assert patches.apply_tensorflow_stand_in(Path({str(model)!r}))\n"
        "import rasa.core.agent, rasa.core.run, rasa.__main__\n"
        "import importlib, pkgutil, bot.plugins.components as components\n"
        "for found in pkgutil.iter_modules(components.__path__):\n"
        "    importlib.import_module(f'bot.plugins.components.{found.name}')\n"
        "import spacy; spacy.blank('nl')\n"
        "real = [m for m, mod in sys.modules.items() if m.split('.')[0] in tensorflow_stand_in.PACKAGES\n"
        "        and getattr(mod, '__file__', None)]\n"
        "print(tensorflow_stand_in.state(), real)\n"
    )
    assert out.strip() == "stand-in []"


def test_with_the_stand_in_a_model_that_needs_tensorflow_is_refused(tmp_path):
    free = model_with(tmp_path, PROJECT_GRAPH)
    (tmp_path / "tf").mkdir()
    needing = model_with(tmp_path / "tf", PROJECT_GRAPH + ["rasa.core.policies.ted_policy.TEDPolicy"])
    out = run_python(
        "from pathlib import Path\n"
        "from bot.plugins import patches, tensorflow_stand_in\n"
        f"assert patches.apply_tensorflow_stand_in(Path({str(free)!r}))\n"
        f"tensorflow_stand_in.refuse_if_needed(Path({str(free)!r}))\n"
        "try:\n"
        f"    tensorflow_stand_in.refuse_if_needed(Path({str(needing)!r}))\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    assert "TEDPolicy" in out and "restart" in out


def test_the_setting_or_a_tensorflow_model_keeps_the_real_library(tmp_path, monkeypatch):
    """Decided before anything is installed, so these run in this process."""
    from bot.plugins import patches

    monkeypatch.setenv(patches.TENSORFLOW_ENV, "on")
    assert not patches.apply_tensorflow_stand_in(model_with(tmp_path, PROJECT_GRAPH))
    monkeypatch.delenv(patches.TENSORFLOW_ENV)
    graph = PROJECT_GRAPH + ["rasa.nlu.classifiers.diet_classifier.DIETClassifier"]
    assert not patches.apply_tensorflow_stand_in(model_with(tmp_path, graph))
    assert not patches.apply_tensorflow_stand_in(None)
    assert not tensorflow_stand_in.installed()
