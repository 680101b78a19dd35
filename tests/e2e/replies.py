"""Judging replies independently of how the bot produced them."""

from bot.conversation.languages import LanguageIdentifier, load_catalogue

DETECTOR = LanguageIdentifier(load_catalogue())


def language_of(reply: str) -> str:
    """Detected language of a reply, judged on its first line (the source line is a URL)."""
    return DETECTOR.detect(reply.split("\n")[0]).code
