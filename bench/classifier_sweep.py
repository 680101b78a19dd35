"""Intent-classifier variants compared on the pipeline's own features (docs/evaluation.md).

A full ``rasa train`` + ``rasa test nlu`` takes 10 minutes per variant; the classifier
is the only part that changes, so this featurises the training data and the held-out
sets once with the real front of ``config.yml`` (language detector, tokenizer, both
count vectorisers) and fits scikit-learn's logistic regression the way Rasa's component
does (lbfgs, balanced class weights, seed 42) for each variant.

    python -m bench.classifier_sweep raw:1 log:10 binary:3      # held-out sets
    python -m bench.classifier_sweep --dev raw:1 log:10          # 12 % of the training data

``--dev`` scores on a stratified split of the training data instead of ``tests/nlu``,
so a choice can be confirmed without steering by the held-out sets.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import yaml
from scipy.sparse import csr_matrix, vstack

from bot.tools.evaluation import read_test_sets

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCALINGS: Dict[str, Callable[[csr_matrix], csr_matrix]] = {
    "raw": lambda x: x,
    "log": lambda x: x.log1p(),
    "binary": lambda x: (x > 0).astype(float),
}


def _front_components() -> List[object]:
    """Detector, tokenizer and count vectorisers configured as in ``config.yml``."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )

    from bot.plugins.components.language_detector import LanguageDetector
    from bot.plugins.components.language_tokenizer import LanguageAwareTokenizer

    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    components: List[object] = [
        LanguageDetector(),
        LanguageAwareTokenizer(LanguageAwareTokenizer.get_default_config()),
    ]
    for index, entry in enumerate(c for c in pipeline if c["name"] == "CountVectorsFeaturizer"):
        settings = {k: v for k, v in entry.items() if k != "name"}
        name = f"featurizer{index}"
        components.append(CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), **settings},
            storage, Resource(name), ExecutionContext(GraphSchema({}), name)))
    return components


def _matrix(messages: Sequence[object]) -> csr_matrix:
    return vstack([m.get_sparse_features("text")[1].features for m in messages], format="csr")


def featurise() -> Tuple[csr_matrix, List[str], Dict[str, Tuple[csr_matrix, List[str]]]]:
    """(training matrix, training intents, {language: (held-out matrix, intents)})."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    components = _front_components()
    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    for component in components:
        if callable(getattr(component, "train", None)):  # the count vectorisers
            component.train(data)
        component.process_training_data(data)
    training = [m for m in data.intent_examples if m.get("text")]
    tests = {}
    for language, rows in read_test_sets(PROJECT_ROOT / "tests" / "nlu").items():
        messages = [Message(data={"text": text}) for text, _ in rows]
        for component in components:
            component.process(messages)
        tests[language] = (_matrix(messages), [intent for _, intent in rows])
    return _matrix(training), [m.get("intent") for m in training], tests


def fit(variant: str, x: csr_matrix, y: Sequence[str]):
    """A fitted logistic regression for ``scaling:C`` (e.g. ``log:10``) and its scaling."""
    from sklearn.linear_model import LogisticRegression

    scaling, c_value = variant.split(":")
    scale = SCALINGS[scaling]
    model = LogisticRegression(solver="lbfgs", max_iter=2000, class_weight="balanced",
                               tol=1e-4, random_state=42, C=float(c_value))
    return model.fit(scale(x), list(y)), scale


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="scaling:C, scaling one of " + ", ".join(SCALINGS))
    parser.add_argument("--dev", action="store_true", help="score on 12 %% of the training data")
    args = parser.parse_args(argv)
    x, y, tests = featurise()
    y = np.array(y)
    if args.dev:
        from sklearn.model_selection import train_test_split

        train, dev = train_test_split(np.arange(len(y)), test_size=0.12, random_state=7, stratify=y)
        tests = {"dev": (x[dev], list(y[dev]))}
        x, y = x[train], y[train]
    for variant in args.variants:
        model, scale = fit(variant, x, y)
        errors = 0
        scores = []
        for language, (matrix, truth) in sorted(tests.items()):
            predicted = model.predict(scale(matrix))
            wrong = int((predicted != np.array(truth)).sum())
            errors += wrong
            scores.append(f"{language} {1 - wrong / len(truth):.3f}")
        print(f"{variant:>10}  {'  '.join(scores)}  errors {errors}", flush=True)


if __name__ == "__main__":
    main()
