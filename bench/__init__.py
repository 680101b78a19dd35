"""`make bench`: readiness, memory, latency and throughput against a stock Rasa assistant."""
