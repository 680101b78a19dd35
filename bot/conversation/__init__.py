"""What the assistant knows and says: languages, text, the knowledge base, the agenda,
the FAQ answers, the page texts, channel notices and redaction.

Imported by the Rasa server, the action server and the tools. Nothing here imports
Rasa or rasa-sdk (a unit test checks), so the action server needs only ``rasa-sdk``.
"""
