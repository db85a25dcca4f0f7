"""What a person typed, read from the `text` of a Teams message.

Besides the words, Teams puts markup in a message's text: a card inserted from an app (a
message extension result, an unfurled link) leaves a placeholder
`<span itemtype="http://schema.skype.com/InputExtension" …><span itemprop="cardId"></span></span>`
where the card sits, formatted text arrives as HTML (`<p>`, `<b>`, `<br>`), and characters
come escaped (`&amp;`, `&lt;`). `typed_text` removes the placeholders and the tags and
decodes the characters, so a question is read as it was written and a message that is only a
shared card has no text at all (`only_a_card`: the bot stays quiet, nobody asked it anything).
"""

from __future__ import annotations

import html
import re
from typing import Any

# A card placeholder, nested spans and all: from the opening span naming InputExtension to
# the closing tags of that span and the one inside it (what Teams writes; an unclosed one is
# cut to the end of the text).
_CARD_PLACEHOLDER = re.compile(
    r"<span\b[^>]*schema\.skype\.com/InputExtension[^>]*>.*?(?:</span>\s*</span>|$)",
    re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BREAK = re.compile(r"<(?:br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_CARD_TYPES = ("application/vnd.microsoft.card.", "application/vnd.microsoft.teams.card.")


def typed_text(text: str | None) -> str:
    """The words of a message's text: no card placeholders, no tags, characters decoded."""
    if not text:
        return ""
    words = _CARD_PLACEHOLDER.sub(" ", text)
    words = _BREAK.sub(" ", words)
    words = _TAG.sub("", words)
    return _SPACES.sub(" ", html.unescape(words)).strip()


def only_a_card(text: str, attachments: Any) -> bool:
    """Whether a message without words carries a card (someone shared one, asked nothing)."""
    return not text and any(
        str(getattr(attachment, "content_type", None)
            or (attachment.get("contentType") if isinstance(attachment, dict) else "")
            or "").startswith(_CARD_TYPES)
        for attachment in (attachments if isinstance(attachments, list) else []))
