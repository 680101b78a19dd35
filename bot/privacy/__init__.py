"""Personal data: redaction before storage, "forget me", and retention (docs/privacy.md)."""
