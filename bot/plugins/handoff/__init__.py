"""Hand-off to a person: the desk between conversations and the organisers (docs/handoff.md)."""
