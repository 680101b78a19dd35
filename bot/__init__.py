"""The conference assistant's own package.

Imported by three processes: the Rasa server (custom graph components in
``bot.plugins.components``), the action server (``actions`` delegates to ``bot.conversation.content``)
and the command line (``python -m bot``). Modules outside ``bot.plugins.components`` do not
import Rasa, so the action server needs only ``rasa-sdk``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
