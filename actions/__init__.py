"""Custom actions for the rasa-sdk action server (``rasa run actions``).

Each module holds thin Action classes; the logic lives in ``bot`` and is tested there.
"""
