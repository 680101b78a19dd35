"""Rasa's SQL tracker store, made resilient and fast (``sql``), with redaction,
"forget me" and a size cap on top (``privacy``: the class endpoints.yml names)."""
