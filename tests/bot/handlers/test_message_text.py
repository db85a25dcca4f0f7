"""A Teams message's text read as the person wrote it: no card placeholders, tags or escapes.

Over HTTP (the bot on the demo portfolio, the connector stand-in): a message that only shares
a card inserted from the compose box gets no answer (Teams' text for it is the placeholder
Microsoft 365 Agents Playground also sends); words beside a card are answered.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.schema import Attachment

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.handlers.message_text import only_a_card, typed_text
from tests.bot.conftest import exchange, post

# What Teams (and the playground) put in the text where a card from an app sits.
PLACEHOLDER = ('<span itemid="app-preview-card-7f3e" itemscope="" '
               'itemtype="http://schema.skype.com/InputExtension">'
               '<span itemprop="cardId"></span></span>')
PLAYGROUND_PLACEHOLDER = ('<span class="inline-compose-card" itemid="0" '
                          'itemtype="http://schema.skype.com/InputExtension">'
                          '<span content="0" itemprop="cardId"></span></span>')
CARD = {"contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "version": "1.5",
                    "body": [{"type": "TextBlock", "text": "Regional løsning for helselogistikk"}]}}


def test_a_card_placeholder_is_no_words() -> None:
    assert typed_text(PLACEHOLDER) == ""
    assert typed_text(PLAYGROUND_PLACEHOLDER) == ""
    assert typed_text(f"hvem eier dette?{PLACEHOLDER}") == "hvem eier dette?"
    assert typed_text(f"{PLACEHOLDER} og dette {PLAYGROUND_PLACEHOLDER}") == "og dette"
    assert typed_text('<span itemtype="http://schema.skype.com/InputExtension">rest') == "", \
        "an unclosed placeholder is cut to the end"


def test_everything_else_is_kept_as_written() -> None:
    """A status update is stored as the person wrote it: tags and escapes included."""
    for text in ("Hvem eier <b>DHO</b>?", "Tom &amp; Jerry <3", "hvem eier <script>x</script>?",
                 "prosjekter med mer enn 3 < 5"):
        assert typed_text(text) == text
    assert typed_text("  status DHO  ") == "status DHO"
    assert typed_text(None) == typed_text("") == ""


def test_only_a_card_needs_no_words_and_a_card() -> None:
    as_model = Attachment(content_type=CARD["contentType"], content=CARD["content"])
    assert only_a_card("", [CARD]) and only_a_card("", [as_model])
    assert not only_a_card("hei", [CARD]), "words beside the card are a question"
    assert not only_a_card("", []) and not only_a_card("", None)
    html: dict[str, Any] = {"contentType": "text/html", "content": "<p></p>"}
    assert not only_a_card("", [html]), "Teams' text/html copy of the message is no card"


async def test_a_shared_card_gets_no_answer_and_words_beside_it_do(
        bot_url: str, connector: LocalConnector) -> None:
    scene = TeamsScene(service_url=connector.url)
    shared = scene.message(PLAYGROUND_PLACEHOLDER)
    shared["attachments"] = [CARD]
    status, _ = await post(bot_url, shared)
    assert status in (200, 201)
    await asyncio.sleep(0.5)
    assert [a for a in connector.activities if a.type == "message"] == [], \
        "nothing answered to a card someone shared"

    asked = scene.message(f"Hvem eier helselogistikk? {PLACEHOLDER}")
    asked["attachments"] = [CARD]
    reply = await exchange(bot_url, connector, asked)
    assert "Hilde Johansen" in reply.shown_text, reply.shown_text
