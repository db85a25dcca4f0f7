"""The reply short cut sends exactly what msrest's own serializer would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    Entity,
    Mention,
)
from msrest import Serializer

from bot.cards.answer_cards import reply_activity
from bot.connector.reply_serializer import _MODELS, ReplySerializer, to_wire
from knowledge.answers.answers import Candidate, Clarification, Followup, Intent, Language
from knowledge.language.name_index import EntityKind


def stock(activity: Activity) -> Any:
    return Serializer(_MODELS).body(activity, "Activity")


def addressed(activity: Activity) -> Activity:
    activity.conversation = ConversationAccount(id="19:abc@thread.tacv2", conversation_type="channel")
    activity.recipient = ChannelAccount(id="29:user", name="Ola", aad_object_id="0c6439ef")
    activity.from_property = ChannelAccount(id="28:bot", name="portfoliobot")
    activity.reply_to_id = "1795688798086"
    activity.service_url = "http://127.0.0.1:1/"
    activity.channel_id = "msteams"
    activity.timestamp = datetime(2026, 11, 26, 10, 0, 1, 123456, tzinfo=UTC)
    return activity


def card_reply() -> Activity:
    followup = Followup(Intent.STATUS, EntityKind.PROJECT, 17, Language.NB)
    answer = Clarification(Language.NB, "trådløst nett",
                           (Candidate(EntityKind.PROJECT, 17, "Trådløst nett fase II", "ST-007"),),
                           (followup,))
    return addressed(reply_activity(answer))


def inbound_shaped() -> Activity:
    """A reply addressed from a deserialised Teams activity: extra keys msrest drops."""
    return Activity().deserialize({
        "type": "message", "text": "svar", "serviceUrl": "http://127.0.0.1:1/",
        "conversation": {"id": "a:1", "tenantId": "t", "conversationType": "personal"},
        "recipient": {"id": "29:u", "aadObjectId": "a", "userRole": "user"},
        "entities": [{"type": "clientInfo", "locale": "nb-NO"}],
        "channelData": {"tenant": {"id": "t"}},
    })


SAMPLES = {
    "reply to a Teams activity": inbound_shaped,
    "card reply": card_reply,
    "typing": lambda: addressed(Activity(type=ActivityTypes.typing)),
    "plain text": lambda: addressed(Activity(type="message", text="Hei <at>x</at> *bold*",
                                             text_format="plain", locale="nb-NO")),
    "mention entity": lambda: addressed(Activity(type="message", text="hi", entities=[
        Mention(mentioned=ChannelAccount(id="29:x", name="X"), text="<at>X</at>", type="mention")])),
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_same_json_as_msrest(name: str) -> None:
    activity = SAMPLES[name]()
    assert ReplySerializer().body(activity, "Activity") == stock(activity)


def test_card_reply_takes_the_short_cut_and_leaves_the_input_alone() -> None:
    activity = card_reply()
    assert to_wire(activity) is not None
    assert activity.attachments[0].content["type"] == "AdaptiveCard"


@pytest.mark.parametrize("activity", [
    Activity(type="message", attachments=[
        Attachment(content_type="application/x-thing", content=ChannelAccount(id="x", name="y"))]),
    Activity(type="message", entities=[Entity(type="clientInfo", locale="nb-NO")]),
])
def test_odd_content_still_matches_msrest(activity: Activity) -> None:
    assert ReplySerializer().body(activity, "Activity") == stock(activity)


def test_content_that_is_not_plain_json_goes_to_msrest() -> None:
    when = datetime(2026, 11, 26, tzinfo=UTC)
    activity = Activity(type="message", attachments=[
        Attachment(content_type="application/json", content={"when": when})])
    assert to_wire(activity) is None
    assert ReplySerializer().body(activity, "Activity") == stock(activity)
