"""``python -m bench.languages``: how the language identifier's settings do on short
messages cut from the training examples, before anything is measured on a blind set.

The training examples of each language are split (every fifth one held out); the
n-gram model learns from the rest; each held-out example, and its first one to five
words, is identified with lingua alone, the learnt model alone, and the two combined at
several weights, and with several amounts of evidence per word (how sure a word makes
the model). This chooses the settings (bot/conversation/languages.py) without
looking at any test set. Results on stdout, copied into docs/evaluation.md by hand.
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, List, Tuple

from bot import PROJECT_ROOT
from bot.conversation import language_model, languages
from bot.conversation.language_model import LanguageModel
from bot.conversation.languages import LanguageIdentifier, load_catalogue
from bot.plugins.components.language_detector import languages_of_examples


def split(examples: Dict[str, str]) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]]]:
    items = sorted(examples.items())
    return ([item for i, item in enumerate(items) if i % 5], [item for i, item in enumerate(items) if not i % 5])


def short_forms(held_out: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """Each held-out example and its first 1..5 words (what first messages look like)."""
    found = []
    for text, code in held_out:
        words = text.split()
        found += [(" ".join(words[:n]), code) for n in range(1, min(5, len(words)) + 1)]
        if len(words) > 5:
            found.append((text, code))
    return found


def accuracy(identifier: LanguageIdentifier, cases: List[Tuple[str, str]]) -> Dict[str, float]:
    """Per language: share identified right among the messages that have a language; and
    over all: the share the identifier was sure of, and how often it was right when sure."""
    right: Dict[str, int] = {}
    total: Dict[str, int] = {}
    sure = sure_right = 0
    for text, code in cases:
        detection = identifier.detect(text)
        if detection.code is None:
            continue  # names or nothing left: the conversation keeps its language
        total[code] = total.get(code, 0) + 1
        right[code] = right.get(code, 0) + (detection.code == code)
        if detection.reliable:
            sure += 1
            sure_right += detection.code == code
    scores = {code: right[code] / total[code] for code in sorted(total)}
    scores["sure"] = sure / sum(total.values())
    scores["right when sure"] = sure_right / max(1, sure)
    return scores


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.languages", description=__doc__)
    parser.add_argument("--weights", default="0.5", help="lingua weights to try beside the model")
    parser.add_argument("--per-word", default="2,4,8,1000", help="evidence per word to try (1000: per n-gram)")
    parser.add_argument("--whole-word", default="0,0.5", help="shares of a word's evidence its whole form weighs")
    parser.add_argument("--unknown-word", default="0,0.5", help="weights of a word no example has, beside known ones")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    training, held_out = split(languages_of_examples(PROJECT_ROOT / "data" / "nlu", catalogue.codes))
    cases = short_forms(held_out)
    model = LanguageModel.train(training)
    print(f"{len(training)} examples learnt, {len(cases)} short messages identified\n")
    rows = {"lingua alone": accuracy(LanguageIdentifier(catalogue), cases)}
    for weight in (float(w) for w in args.weights.split(",")):
        for per_word in (float(p) for p in args.per_word.split(",")):
            for whole in (float(share) for share in args.whole_word.split(",")):
                for unknown in (float(share) for share in args.unknown_word.split(",")):
                    languages.LINGUA_WEIGHT = weight
                    language_model.EVIDENCE_PER_WORD = per_word
                    language_model.WHOLE_WORD_SHARE = whole
                    language_model.UNKNOWN_WORD_WEIGHT = unknown
                    name = f"model ({per_word:g}/word, whole word {whole:g}, unknown word {unknown:g}) + lingua^{weight:g}"
                    rows[name] = accuracy(LanguageIdentifier(catalogue, LanguageModel.from_dict(model.as_dict())), cases)
    codes = sorted(next(iter(rows.values())))
    print("| settings | " + " | ".join(codes) + " |")
    print("|---|" + "---:|" * len(codes))
    for name, scores in rows.items():
        print(f"| {name} | " + " | ".join(f"{scores[code]:.3f}" for code in codes) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
