"""Custom Rasa graph components: the only modules that import Rasa's internals.

Listed in ``config.yml`` by their import path, e.g.
``bot.plugins.components.language_detector.LanguageDetector``.
"""
