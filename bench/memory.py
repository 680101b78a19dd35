"""``python -m bench.memory``: where a serving process's memory goes, part by part.

Each row is measured in a fresh process, as the growth of its resident memory (VmRSS)
while one part is imported or loaded, in the order a Rasa server meets them; the rows
with the stand-in are what ``make run`` does now (bot/plugins/tensorflow_stand_in.py,
bot/conversation/lemmas.py). docs/performance.md ("Memory") has the table and how the
parts are shared between the Sanic workers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from bot import PROJECT_ROOT

# One script per configuration: each step is (label, code); the step's row is the growth
# of VmRSS while its code runs.
STEPS_TENSORFLOW = [
    ("Python, Rasa's serving modules (with TensorFlow, as Rasa imports it)", "import rasa.core.agent, rasa.core.run"),
]
IMPORTS = ("Python, Rasa's serving modules (TensorFlow stand-in)",
           "from bot.plugins import patches; assert patches.apply_tensorflow_stand_in(MODEL); "
           "import rasa.core.agent, rasa.core.run")
STEPS_SERVING = [
    IMPORTS,
    ("lingua: the six languages' models", "from bot.conversation.languages import load_catalogue; "
     "from lingua import Language, LanguageDetectorBuilder; c = load_catalogue(); "
     "six = [getattr(Language, l.lingua) for l in c.languages.values()]; "
     "d1 = LanguageDetectorBuilder.from_languages(*six).with_preloaded_language_models().build()"),
    ("lingua: the models of the other languages it tells apart", "others = [getattr(Language, n) for n in "
     "c.unsupported_lingua]; d2 = LanguageDetectorBuilder.from_languages(*six, *others)"
     ".with_preloaded_language_models().build()"),
    ("the model: spaCy pipelines and lemmas, featurizers, classifier, content, policies",
     "from rasa.core.processor import MessageProcessor; m = MessageProcessor._load_model(str(MODEL))"),
]
# Parts of the model, each loaded alone after the imports (what the model row is made of).
READ_FROM_MODEL = (
    "import tarfile, io, numpy as np\n"
    "def stored(suffix):\n"
    "    with tarfile.open(MODEL) as archive:\n"
    "        member = next(m for m in archive.getmembers() if m.name.endswith(suffix))\n"
    "        return io.BytesIO(archive.extractfile(member).read())\n"
)
STEPS_MODEL_PARTS = [
    IMPORTS,
    ("spaCy: seven blank pipelines (tokenizer rules)",
     "import spacy; p = {code: spacy.blank(code) for code in ['en','fr','nl','es','de','ar','xx']}"),
    ("spaCy's lemmas for five languages, as the model stores them (compact arrays)",
     READ_FROM_MODEL + "from bot.conversation.lemmas import load_tables\n"
     "t = load_tables(stored('lemmas.npz'))"),
    ("the intent classifier's coefficients",
     READ_FROM_MODEL + "with np.load(stored('coefficients.npz')) as f: k = {n: f[n] for n in f.files}"),
]
STEPS_SPACY_TABLES = [
    IMPORTS,
    ("spaCy's own lemma tables (dictionaries), five languages",
     "import spacy\nps = []\nfor code in ['en','fr','nl','es','de']:\n    nlp = spacy.blank(code); "
     "nlp.add_pipe('lemmatizer', config={'mode': 'lookup'}); nlp.initialize(); ps.append(nlp)"),
]

RUNNER = """
import json, sys, time
from pathlib import Path
MODEL = Path(sys.argv[1])
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
rows = []
for label, code in json.loads(sys.stdin.read()):
    before, started = rss(), time.process_time()
    exec(code)
    rows.append([label, round(rss() - before), round(time.process_time() - started, 1)])
print(json.dumps(rows))
"""


def measure(steps: List[tuple], model: Path) -> List[List]:
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(model)], input=json.dumps(steps), capture_output=True, text=True,
        cwd=PROJECT_ROOT, check=True, env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
                                           "PATH": "/usr/bin:/bin"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def table(sections: Dict[str, List[List]]) -> str:
    lines = ["| part | resident memory (MB) | CPU to load (s) |", "|---|---|---|"]
    for title, rows in sections.items():
        lines.append(f"| *{title}* | | |")
        lines += [f"| {label} | {mb} | {cpu} |" for label, mb, cpu in rows]
        lines.append(f"| **total** | **{sum(r[1] for r in rows)}** | {sum(r[2] for r in rows):.1f} |")
    return "\n".join(lines)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "current.tar.gz"))
    args = parser.parse_args(argv)
    model = Path(args.model).resolve()
    print(table({
        "a serving process now": measure(STEPS_SERVING, model),
        "parts of the model, each loaded alone": measure(STEPS_MODEL_PARTS, model)[1:],
        "what it no longer loads: TensorFlow": measure(STEPS_TENSORFLOW, model),
        "what it no longer loads: spaCy's lemma dictionaries": measure(STEPS_SPACY_TABLES, model)[1:],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
