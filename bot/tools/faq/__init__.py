"""The organisers' FAQ spreadsheet: ``sheet`` reads and writes CSV/XLSX, ``check``
validates rows into entries with row-numbered findings, ``project`` writes the
generated files atomically and exports them back, ``cli`` is ``python -m bot faq``.
The live answers are ``bot.conversation.faq``.
"""
