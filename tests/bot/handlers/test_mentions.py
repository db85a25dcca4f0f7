"""The bot's @mention is removed; other mentions and odd entities never break a message."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from bot.handlers.mentions import strip_bot_mention

BOT_ID = "28:11111111-2222-3333-4444-555555555555"


def mention(entity_id: str, text: str | None) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": "mention", "mentioned": {"id": entity_id, "name": "x"}}
    if text is not None:
        entity["text"] = text
    return entity


def test_bot_mention_removed_and_other_mentions_kept_as_names() -> None:
    text = "<at>portfoliobot</at> hvilke prosjekter har <at>Ola Hansen</at>?"
    entities = [mention(BOT_ID, "<at>portfoliobot</at>"), mention("29:ola", "<at>Ola Hansen</at>")]
    assert strip_bot_mention(text, entities, BOT_ID) == "hvilke prosjekter har Ola Hansen?"


def test_entities_without_text_or_with_odd_shapes_do_not_crash() -> None:
    entities: list[Any] = [
        mention(BOT_ID, None), {"type": "mention"}, {"type": "clientInfo", "locale": "nb-NO"},
        {"type": "mention", "mentioned": "not an object", "text": 5}, "junk", None,
        mention(BOT_ID, "<at>Bot (*?[</at>"),
    ]
    assert strip_bot_mention("<at>Bot (*?[</at> status DHO", entities, BOT_ID) == "status DHO"


def test_mention_by_bot_name_when_entity_is_missing() -> None:
    assert strip_bot_mention("<at>Portfoliobot</at>  hei", None, BOT_ID, "portfoliobot") == "hei"


def test_deserialized_entities_are_understood() -> None:
    activity = Activity().deserialize({
        "type": "message", "text": "<at>pb</at> status DHO",
        "entities": [mention(BOT_ID, "<at>pb</at>")],
    })
    assert strip_bot_mention(activity.text, activity.entities, BOT_ID) == "status DHO"
