"""Input channels: Rasa's connectors with the checks a public endpoint needs."""
