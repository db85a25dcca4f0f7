"""What a person wrote, read from the `text` of a Teams message: without inserted cards.

A card inserted from an app (a message extension result, an unfurled link) leaves a
placeholder in the message's text where the card sits:
`<span itemtype="http://schema.skype.com/InputExtension" …><span itemprop="cardId"></span></span>`
(Teams does, and Microsoft 365 Agents Playground too). Nobody types that, so `typed_text`
removes it; a message that is only a shared card then has no text (`only_a_card`: the bot
stays quiet, nobody asked it anything). Everything else is kept exactly as it arrived: a
status update is stored as the person wrote it, `<b>` and `&amp;` included.
"""

from __future__ import annotations

import re
from typing import Any

# A card placeholder, nested spans and all: from the opening span naming InputExtension to
# the closing tags of that span and the one inside it (what Teams writes; an unclosed one is
# cut to the end of the text).
_CARD_PLACEHOLDER = re.compile(
    r"<span\b[^>]*schema\.skype\.com/InputExtension[^>]*>.*?(?:</span>\s*</span>|$)",
    re.IGNORECASE | re.DOTALL)
_CARD_TYPES = ("application/vnd.microsoft.card.", "application/vnd.microsoft.teams.card.")


def typed_text(text: str | None) -> str:
    """The message's text without card placeholders (and the space they leave), else as is."""
    if not text:
        return ""
    if "InputExtension" not in text:
        return text.strip()
    return " ".join(_CARD_PLACEHOLDER.sub(" ", text).split())


def only_a_card(text: str, attachments: Any) -> bool:
    """Whether a message without words carries a card (someone shared one, asked nothing)."""
    return not text and any(
        str(getattr(attachment, "content_type", None)
            or (attachment.get("contentType") if isinstance(attachment, dict) else "")
            or "").startswith(_CARD_TYPES)
        for attachment in (attachments if isinstance(attachments, list) else []))
