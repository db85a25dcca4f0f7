"""The dialog tests drive a running bot, so they share the bot tests' fixtures."""

from tests.bot.conftest import bot_url, connector

__all__ = ["bot_url", "connector"]
