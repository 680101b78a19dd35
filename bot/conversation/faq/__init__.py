"""The FAQ entries as the assistant answers them (``model``) and the live answers file
(``answers``). The organisers' spreadsheet tooling is ``bot.tools.faq``."""
