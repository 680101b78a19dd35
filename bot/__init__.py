"""The conference assistant's own package, in three layers (one folder each):

* ``bot.conversation`` — what the assistant knows and says: languages, text, the
  knowledge base, the agenda, the FAQ answers, page texts, notices, redaction. No Rasa.
* ``bot.plugins`` — what Rasa loads by name: graph components (config.yml), channels
  (credentials.yml), tracker and lock stores (endpoints.yml), the shared state, the
  workers' model sync, and the one version-checked module that patches Rasa.
* ``bot.tools`` — what people run (``python -m bot …``): serve, cluster, gateway,
  publish, evaluation, reports, the FAQ spreadsheet, retention.

A layer imports only the layers above it in this list (tests/unit/test_layers.py);
``actions/`` (the rasa-sdk action server) uses ``bot.conversation`` only.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
