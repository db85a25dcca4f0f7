"""The Teams activity builders: shapes as Teams sends them, read back by botbuilder itself."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.teams import teams_get_channel_id, teams_get_team_info
from botbuilder.schema import Activity
from botbuilder.schema.teams import TeamsChannelData

from bot.cli import teams_activities as ta
from bot.cli.teams_activities import TeamsScene

SERVICE_URL = "http://127.0.0.1:9/"
KARI = "0c6439ef-150b-5df2-a716-cabaebdfe17b"

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "personal message": lambda: ta.personal_message("hvem eier EPJ?", service_url=SERVICE_URL,
                                                    aad_object_id=KARI,
                                                    user_name="Kari Nordmann"),
    "group message": lambda: ta.group_message("status DHO", service_url=SERVICE_URL),
    "channel message": lambda: ta.channel_message("hvem leder trådløst nett?",
                                                  service_url=SERVICE_URL),
    "channel reply": lambda: ta.channel_message("og fase I?", thread_id="1700000000000",
                                                service_url=SERVICE_URL),
    "install personal": lambda: ta.install_update("personal", service_url=SERVICE_URL),
    "install group": lambda: ta.install_update("group", service_url=SERVICE_URL),
    "install team": lambda: ta.install_update("channel", service_url=SERVICE_URL),
    "uninstall team": lambda: TeamsScene(scope="channel").uninstall(),
    "installationUpdate add": lambda: ta.installation_update("add", "channel"),
    "installationUpdate remove": lambda: ta.installation_update("remove", "personal"),
    "card submit": lambda: ta.card_submit({"action": "project", "code": "RP-001"},
                                          reply_to_id="1700000000001"),
    "card action": lambda: TeamsScene().card_action("refresh", {"code": "RP-001"},
                                                    reply_to_id="1700000000001"),
    "reaction": lambda: ta.message_reaction("like", reply_to_id="1700000000001",
                                            scope="channel"),
    "typing": lambda: ta.typing("personal"),
    "edit": lambda: ta.message_edit("hvem eier EPJ nå?", message_id="1700000000002"),
    "delete": lambda: TeamsScene().message_delete(message_id="1700000000002"),
}


@pytest.fixture(params=sorted(BUILDERS))
def built(request: pytest.FixtureRequest) -> dict[str, Any]:
    return BUILDERS[request.param]()


def test_every_activity_has_the_teams_envelope(built: dict[str, Any]) -> None:
    assert built["channelId"] == "msteams"
    assert built["id"]
    assert built["serviceUrl"].startswith(("http://", "https://"))
    assert built["from"]["id"].startswith("29:")
    assert re.fullmatch(r"[0-9a-f-]{36}", built["from"]["aadObjectId"])
    assert built["recipient"] == {"id": ta.DEFAULT_BOT_ID, "name": "portfoliobot"}
    assert built["conversation"]["tenantId"] == built["channelData"]["tenant"]["id"]
    assert built["conversation"]["conversationType"] in ("personal", "groupChat", "channel")
    stamp = datetime.fromisoformat(built["timestamp"].replace("Z", "+00:00"))
    assert stamp.utcoffset() == UTC.utcoffset(None)
    assert built["timestamp"].endswith("Z")
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    json.dumps(built)  # plain JSON, ready to post


def test_botbuilder_reads_every_field_back(built: dict[str, Any]) -> None:
    activity = Activity().deserialize(built)
    assert activity.type == built["type"]
    assert activity.from_property.aad_object_id == built["from"]["aadObjectId"]
    # botbuilder-python maps ConversationAccount.tenant_id to "tenantID", not Teams'
    # "tenantId": the value survives only as an extra; bots read channelData.tenant.id.
    assert activity.conversation.tenant_id is None
    assert activity.conversation.additional_properties == {
        "tenantId": built["conversation"]["tenantId"]}
    assert activity.conversation.conversation_type == built["conversation"]["conversationType"]
    assert activity.channel_data == built["channelData"]
    again = activity.serialize()
    for key, value in built.items():
        if key in ("timestamp", "localTimestamp", "entities"):
            continue  # datetimes are re-formatted; entities keep their extras, see below
        if key == "conversation":
            value = {k: v for k, v in value.items() if k != "tenantId"}  # see above
        assert again.get(key) == value, key
    assert again["timestamp"][:19] == built["timestamp"][:19]
    for entity, original in zip(activity.entities or [], built.get("entities", []),
                                strict=True):
        assert {"type": entity.type} | entity.additional_properties == original


def test_ids_are_unique_and_messages_look_like_teams_ids() -> None:
    activities = [BUILDERS[name]() for name in sorted(BUILDERS) for _ in range(5)]
    ids = [a["id"] for a in activities if a["type"] not in ("messageUpdate", "messageDelete")]
    assert len(ids) == len(set(ids))
    messages = [a for a in activities if a["type"] == "message"]
    assert all(a["id"].isdigit() for a in messages)
    events = [a for a in activities if a["type"] in ("conversationUpdate", "installationUpdate",
                                                     "messageReaction")]
    assert all(a["id"].startswith("f:") for a in events)
    assert ta.new_message_id() < ta.new_message_id()


def test_personal_message() -> None:
    activity = BUILDERS["personal message"]()
    conversation = activity["conversation"]
    assert conversation["conversationType"] == "personal"
    assert "isGroup" not in conversation
    assert conversation["id"].startswith("a:")
    assert activity["from"] == {"id": ta.user_id_for(KARI), "name": "Kari Nordmann",
                                "aadObjectId": KARI}
    assert activity["text"] == "hvem eier EPJ?"
    assert activity["locale"] == "nb-NO"
    assert activity["entities"][0]["type"] == "clientInfo"
    assert "attachments" not in activity
    assert activity["channelData"] == {"tenant": {"id": ta.DEFAULT_TENANT_ID}}
    # the 1:1 chat is one conversation across turns
    assert ta.personal_message("neste", aad_object_id=KARI)["conversation"]["id"] == \
        conversation["id"]


def test_channel_message_mentions_the_bot_in_a_new_thread() -> None:
    activity = BUILDERS["channel message"]()
    assert activity["text"] == "<at>portfoliobot</at> hvem leder trådløst nett?"
    mention = activity["entities"][0]
    assert mention == {"mentioned": {"id": ta.DEFAULT_BOT_ID, "name": "portfoliobot"},
                       "text": "<at>portfoliobot</at>", "type": "mention"}
    assert mention["text"] in activity["text"]
    assert mention["mentioned"]["id"] == activity["recipient"]["id"]
    conversation = activity["conversation"]
    assert conversation["isGroup"] is True
    assert conversation["conversationType"] == "channel"
    assert conversation["id"] == f"{ta.DEFAULT_CHANNEL_ID};messageid={activity['id']}"
    assert re.fullmatch(r"19:\w+@thread\.tacv2;messageid=\d+", conversation["id"])
    data = activity["channelData"]
    assert data["team"] == {"id": ta.DEFAULT_TEAM_ID, "name": ta.DEFAULT_TEAM_NAME}
    assert data["channel"] == {"id": ta.DEFAULT_CHANNEL_ID, "name": ta.DEFAULT_CHANNEL_NAME}
    assert data["tenant"] == {"id": ta.DEFAULT_TENANT_ID}
    assert activity["attachments"][0]["contentType"] == "text/html"
    assert "schema.skype.com/Mention" in activity["attachments"][0]["content"]


def test_channel_reply_stays_in_its_thread() -> None:
    activity = BUILDERS["channel reply"]()
    assert activity["conversation"]["id"].endswith(";messageid=1700000000000")
    assert activity["id"] != "1700000000000"


def test_botbuilder_strips_the_mention_and_finds_team_and_channel() -> None:
    activity = Activity().deserialize(BUILDERS["channel message"]())
    assert TurnContext.remove_recipient_mention(activity).strip() == "hvem leder trådløst nett?"
    assert teams_get_channel_id(activity) == ta.DEFAULT_CHANNEL_ID
    team = teams_get_team_info(activity)
    assert (team.id, team.name) == (ta.DEFAULT_TEAM_ID, ta.DEFAULT_TEAM_NAME)


def test_group_message_and_opting_out_of_the_mention() -> None:
    activity = BUILDERS["group message"]()
    assert activity["conversation"]["conversationType"] == "groupChat"
    assert activity["conversation"]["id"].endswith("@thread.v2")
    assert activity["text"].startswith("<at>portfoliobot</at> ")
    assert "team" not in activity["channelData"]
    quiet = ta.group_message("uten mention", mention=False)
    assert quiet["text"] == "uten mention"
    assert [e["type"] for e in quiet["entities"]] == ["clientInfo"]
    assert "attachments" not in quiet
    scene = TeamsScene(scope="group", bot_name="Porteføljebot")
    own = scene.message("<at>Porteføljebot</at> hei", html=False)
    assert own["text"] == "<at>Porteføljebot</at> hei"  # not mentioned twice
    assert "attachments" not in own


def test_install_events() -> None:
    personal = BUILDERS["install personal"]()
    assert personal["type"] == "conversationUpdate"
    bot, user = personal["membersAdded"]
    assert bot == {"id": ta.DEFAULT_BOT_ID}
    assert user["id"].startswith("29:") and user["aadObjectId"] == ta.DEFAULT_AAD_OBJECT_ID
    assert "eventType" not in personal["channelData"]

    team = BUILDERS["install team"]()
    assert team["membersAdded"] == [{"id": ta.DEFAULT_BOT_ID}]
    assert team["conversation"]["id"] == ta.DEFAULT_CHANNEL_ID
    data = TeamsChannelData().deserialize(team["channelData"])
    assert data.event_type == "teamMemberAdded"
    assert data.team.id == ta.DEFAULT_TEAM_ID
    assert data.tenant.id == ta.DEFAULT_TENANT_ID
    assert team["channelData"]["settings"]["selectedChannel"]["id"] == ta.DEFAULT_CHANNEL_ID

    group = BUILDERS["install group"]()
    assert group["conversation"]["conversationType"] == "groupChat"
    assert group["membersAdded"] == [{"id": ta.DEFAULT_BOT_ID}]

    removed = BUILDERS["uninstall team"]()
    assert removed["membersRemoved"] == [{"id": ta.DEFAULT_BOT_ID}]
    assert removed["channelData"]["eventType"] == "teamMemberRemoved"


def test_installation_update() -> None:
    added = BUILDERS["installationUpdate add"]()
    assert (added["type"], added["action"]) == ("installationUpdate", "add")
    assert added["channelData"]["team"]["id"] == ta.DEFAULT_TEAM_ID
    assert BUILDERS["installationUpdate remove"]()["action"] == "remove"
    with pytest.raises(ValueError, match="installationUpdate action"):
        ta.installation_update("delete")


def test_card_submit_and_action_execute() -> None:
    submit = BUILDERS["card submit"]()
    assert submit["type"] == "message"
    assert "text" not in submit
    assert submit["value"] == {"action": "project", "code": "RP-001"}
    assert submit["replyToId"] == "1700000000001"
    back = ta.card_submit({"k": 1}, reply_to_id="5", text="vis detaljer")
    assert (back["text"], back["value"]) == ("vis detaljer", {"k": 1})
    invoke = BUILDERS["card action"]()
    assert (invoke["type"], invoke["name"]) == ("invoke", "adaptiveCard/action")
    assert invoke["value"] == {"action": {"type": "Action.Execute", "verb": "refresh",
                                          "data": {"code": "RP-001"}}, "trigger": "manual"}


def test_reaction_typing_edit_delete() -> None:
    reaction = BUILDERS["reaction"]()
    assert reaction["reactionsAdded"] == [{"type": "like"}]
    assert reaction["replyToId"] == "1700000000001"
    assert reaction["channelData"]["team"] == {"id": ta.DEFAULT_TEAM_ID}
    removed = ta.message_reaction("heart", reply_to_id="1", added=False)
    assert removed["reactionsRemoved"] == [{"type": "heart"}]
    assert ta.typing()["type"] == "typing"
    edit = BUILDERS["edit"]()
    assert (edit["type"], edit["id"], edit["text"]) == ("messageUpdate", "1700000000002",
                                                       "hvem eier EPJ nå?")
    assert edit["channelData"]["eventType"] == "editMessage"
    assert BUILDERS["delete"]()["channelData"]["eventType"] == "softDeleteMessage"


def test_options_reach_the_activity() -> None:
    activity = ta.personal_message(
        "hello", service_url=SERVICE_URL, user_name="Test Person", aad_object_id=KARI,
        user_id="29:explicit", bot_id="28:other-bot", bot_name="otherbot", tenant_id="t-1",
        locale="en-US", conversation_id="a:fixed")
    assert activity["serviceUrl"] == SERVICE_URL
    assert activity["from"] == {"id": "29:explicit", "name": "Test Person", "aadObjectId": KARI}
    assert activity["recipient"] == {"id": "28:other-bot", "name": "otherbot"}
    assert activity["conversation"]["id"] == "a:fixed"
    assert activity["conversation"]["tenantId"] == "t-1"
    assert activity["locale"] == "en-US"
    assert activity["entities"][0]["country"] == "US"
    with pytest.raises(ValueError, match="scope"):
        TeamsScene(scope="meeting")  # type: ignore[arg-type]


def test_scene_member_and_team_details_for_the_connector() -> None:
    scene = TeamsScene(user_name="Kari Nordmann", aad_object_id=KARI, scope="channel")
    member = scene.member()
    assert member["id"] == scene.message("x")["from"]["id"]
    assert (member["aadObjectId"], member["givenName"], member["surname"]) == (
        KARI, "Kari", "Nordmann")
    assert member["userPrincipalName"] == "kari.nordmann@portfolio.example"
    assert scene.team_details()["channels"] == [{"id": ta.DEFAULT_CHANNEL_ID,
                                                 "name": ta.DEFAULT_CHANNEL_NAME}]
    assert scene.with_options(locale="en-US").locale == "en-US"


def test_default_user_is_not_in_the_demo_portfolio() -> None:
    demo = json.loads(resources.files("knowledge").joinpath("data/demo.json")
                      .read_text("utf-8"))
    known = {person["aad_object_id"] for person in demo["person"]}
    assert KARI in known
    assert ta.DEFAULT_AAD_OBJECT_ID not in known
    assert ta.DEFAULT_USER_NAME not in {person["full_name"] for person in demo["person"]}
