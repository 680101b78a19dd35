"""The organisers' FAQ: a spreadsheet in, training data and live answers out.

``sheet`` reads and writes CSV/XLSX, ``check`` validates rows into entries with
row-numbered findings, ``project`` writes the generated files atomically and
exports them back, ``store`` serves the answers to the action server with hot reload.
No Rasa imports here: the action server carries only ``rasa-sdk``.
"""

from bot.faq.model import FaqEntry, Finding

__all__ = ["FaqEntry", "Finding"]
