"""Protection of the public entry points: rate limits, size limits, the public gateway."""
