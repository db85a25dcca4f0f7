"""Removing the bot's @mention from a Teams message, robustly.

Teams puts `<at>Name</at>` in the text and a `mention` entity naming who was mentioned. The
bot's own mention is cut out; other people's mentions keep their name without the tags.
Entities without text, with odd characters, or not matching the text are skipped, never fatal.
"""

from __future__ import annotations

import re
from typing import Any

_AT_TAG = re.compile(r"</?at>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _mention_parts(entity: Any) -> tuple[str | None, str | None]:
    """(mentioned id, mention text) of a mention entity, whatever shape it arrived in."""
    data = entity if isinstance(entity, dict) else getattr(entity, "additional_properties", None)
    properties: dict[str, Any] = dict(data or {})
    if not isinstance(entity, dict):
        for key in ("type", "text", "mentioned"):
            value = getattr(entity, key, None)
            if value is not None:
                properties.setdefault(key, value)
    if str(properties.get("type", "")).lower() != "mention":
        return None, None
    mentioned = properties.get("mentioned")
    mentioned_id = (mentioned.get("id") if isinstance(mentioned, dict)
                    else getattr(mentioned, "id", None))
    text = properties.get("text")
    return (mentioned_id if isinstance(mentioned_id, str) else None,
            text if isinstance(text, str) and text else None)


def strip_bot_mention(text: str | None, entities: Any, bot_id: str | None,
                      bot_name: str | None = None) -> str:
    """`text` without the bot's mention(s); other mentions keep their plain names."""
    result = text or ""
    for entity in entities if isinstance(entities, list) else []:
        mentioned_id, mention_text = _mention_parts(entity)
        if mention_text is None:
            continue
        if bot_id and mentioned_id == bot_id:
            result = result.replace(mention_text, " ")
    if bot_name:
        result = re.sub(rf"<at>\s*{re.escape(bot_name)}\s*</at>", " ", result, flags=re.IGNORECASE)
    result = _AT_TAG.sub("", result)
    return _SPACES.sub(" ", result).strip()
