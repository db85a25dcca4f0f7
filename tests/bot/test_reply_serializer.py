"""The reply short cut sends exactly what msrest's own serializer would."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount
from msrest import Serializer

from bot.cards import reply_activity
from bot.reply_serializer import _MODELS, ReplySerializer
from knowledge.answers import Candidate, Clarification, Followup, Intent, Language
from knowledge.name_index import EntityKind


def stock(activity: Activity) -> Any:
    return Serializer(_MODELS).body(activity, "Activity")


def sample_card_reply() -> Activity:
    followup = Followup(Intent.STATUS, EntityKind.PROJECT, 17, Language.NB)
    answer = Clarification(Language.NB, "trådløst nett",
                           (Candidate(EntityKind.PROJECT, 17, "Trådløst nett fase II", "ST-007"),),
                           (followup,))
    activity = reply_activity(answer)
    activity.conversation = ConversationAccount(id="19:abc@thread.tacv2")
    activity.recipient = ChannelAccount(id="29:user", name="Ola")
    activity.reply_to_id = "1795688798086"
    return activity


def test_card_reply_serialises_as_msrest_does() -> None:
    activity = sample_card_reply()
    assert ReplySerializer().body(activity, "Activity") == stock(activity)
    assert activity.attachments[0].content["type"] == "AdaptiveCard", "input left untouched"


def test_content_that_is_not_plain_json_takes_the_ordinary_way() -> None:
    activity = Activity(type="message", attachments=[
        Attachment(content_type="application/x-thing", content=ChannelAccount(id="x", name="y"))])
    assert ReplySerializer().body(activity, "Activity") == stock(activity)


def test_activity_without_attachments() -> None:
    activity = Activity(type="typing", text=None)
    assert ReplySerializer().body(activity, "Activity") == stock(activity)
