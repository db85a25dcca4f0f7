"""Builders for inbound activities shaped like the ones Microsoft Teams really sends a bot.

The shapes follow Microsoft's published Teams payloads ("Conversation events in your Teams
bot", "Card actions", captured channel messages): user ids `29:…` with `aadObjectId`, the bot
as `28:<app id>`, `channelId` "msteams", `conversation.conversationType` personal /
groupChat / channel with `tenantId`, `channelData.tenant`, for channels `channelData.team`,
`channelData.channel` and a conversation id `19:…@thread.tacv2;messageid=<thread root>`, a
`clientInfo` entity, and in group chats and channels the bot is reached only through an
@mention (`<at>name</at>` in `text` plus a `mention` entity).

Every builder returns a plain JSON-ready dict with a fresh activity id (numeric, like Teams
message ids, or `f:<guid>` for events) and a UTC `timestamp`. `TeamsScene` holds who talks to
whom where (user, bot, tenant, team, channel, service URL) so a multi-turn scenario stays in
one conversation; the module-level functions are shortcuts taking the same options:

    scene = TeamsScene(service_url=connector.url, aad_object_id=KARI, scope="channel")
    scene.install()                      # conversationUpdate: the bot was added
    scene.message("hvem eier EPJ?")      # with the @mention, in a new channel thread
    personal_message("status DHO", service_url=connector.url)
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, TypedDict, Unpack
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Scope = Literal["personal", "group", "channel"]
SCOPES: tuple[Scope, ...] = ("personal", "group", "channel")

DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/emea/"
DEFAULT_TENANT_ID = "4b1d9a57-2c8e-4f6a-b3d0-7e5c9f1a2b64"
DEFAULT_BOT_APP_ID = "5c1f8e0a-7d2b-4c39-9a4e-2f6b8d0c1e7a"
DEFAULT_BOT_ID = f"28:{DEFAULT_BOT_APP_ID}"
DEFAULT_BOT_NAME = "portfoliobot"
# A demo user who is deliberately not a person in the demo portfolio (knowledge/data/demo.json).
DEFAULT_USER_NAME = "Demo Bruker"
DEFAULT_AAD_OBJECT_ID = "8c1e2f4a-6b3d-4e5f-9a7b-0c2d4e6f8a1b"
DEFAULT_LOCALE = "nb-NO"
DEFAULT_TIMEZONE = "Europe/Oslo"
DEFAULT_TEAM_ID = "19:Xk3pQ9vT2mW8rL5nB7cD1fG4hJ6sA0eYzUiOqMwE2tR1@thread.tacv2"
DEFAULT_TEAM_NAME = "Regional IKT-portefølje"
DEFAULT_TEAM_AAD_GROUP_ID = "0d7e3c9b-5a1f-4b8e-a2c6-9f4d1e7b3a58"
DEFAULT_CHANNEL_ID = "19:3f6a9c2e5b8d4a1f7e0c9b2d5a8f1e4c@thread.tacv2"
DEFAULT_CHANNEL_NAME = "Porteføljestyring"
DEFAULT_GROUP_CHAT_ID = "19:7b2e5a8d1c4f4e9a8b3d6c0f2a5e9d1b@thread.v2"

_CONVERSATION_TYPES: dict[Scope, str] = {
    "personal": "personal", "group": "groupChat", "channel": "channel"}
_id_lock = threading.Lock()
_last_message_id = 0


def new_message_id() -> str:
    """A Teams-like message id: milliseconds since the epoch, strictly increasing per process.

    `LocalConnector` uses the same sequence, so inbound and outbound ids never collide.
    """
    global _last_message_id
    with _id_lock:
        _last_message_id = max(int(time.time() * 1000), _last_message_id + 1)
        return str(_last_message_id)


def new_event_id() -> str:
    """A Teams-like id for a non-message event (`f:<guid>`)."""
    return f"f:{uuid.uuid4()}"


def _opaque(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest + digest[:16]).decode("ascii").rstrip("=")


def user_id_for(aad_object_id: str) -> str:
    """The stable `29:…` Teams user id this module gives the user with that Entra object id."""
    return "29:1" + _opaque("user", aad_object_id)


def personal_conversation_id(user_id: str, bot_id: str) -> str:
    """The stable `a:…` id of the 1:1 chat between that user and that bot."""
    return "a:1" + _opaque("personal", user_id, bot_id) + _opaque("chat", bot_id, user_id)


def mention_text(name: str) -> str:
    return f"<at>{name}</at>"


def _local_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _timestamps(zone_name: str) -> dict[str, str]:
    now = datetime.now(UTC)
    local = now.astimezone(_local_zone(zone_name))
    return {
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": local.isoformat(timespec="milliseconds"),
        "localTimezone": zone_name,
    }


class SceneOptions(TypedDict, total=False):
    """The options every builder takes; they become the `TeamsScene` fields."""

    service_url: str
    user_name: str
    aad_object_id: str
    user_id: str | None
    bot_id: str
    bot_name: str
    tenant_id: str
    locale: str
    timezone: str
    conversation_id: str | None
    team_id: str
    team_name: str
    channel_id: str
    channel_name: str


@dataclass(frozen=True)
class TeamsScene:
    """Who talks to whom, and where: builds every activity of one Teams conversation.

    `conversation_id` overrides the conversation: for personal and group scope the whole
    id; for channel scope the channel thread's base id (default: `channel_id`), to which
    `;messageid=<thread root>` is appended. `user_id` defaults to a stable id derived from
    `aad_object_id`.
    """

    service_url: str = DEFAULT_SERVICE_URL
    scope: Scope = "personal"
    user_name: str = DEFAULT_USER_NAME
    aad_object_id: str = DEFAULT_AAD_OBJECT_ID
    user_id: str | None = None
    bot_id: str = DEFAULT_BOT_ID
    bot_name: str = DEFAULT_BOT_NAME
    tenant_id: str = DEFAULT_TENANT_ID
    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE
    conversation_id: str | None = None
    team_id: str = DEFAULT_TEAM_ID
    team_name: str = DEFAULT_TEAM_NAME
    channel_id: str = DEFAULT_CHANNEL_ID
    channel_name: str = DEFAULT_CHANNEL_NAME

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {self.scope!r}")

    def with_options(self, **options: Unpack[SceneOptions]) -> TeamsScene:
        return replace(self, **options)

    # -- the participants ------------------------------------------------------------------

    @property
    def user_account_id(self) -> str:
        return self.user_id or user_id_for(self.aad_object_id)

    def user(self, *, with_name: bool = True) -> dict[str, Any]:
        account: dict[str, Any] = {"id": self.user_account_id}
        if with_name:
            account["name"] = self.user_name
        account["aadObjectId"] = self.aad_object_id
        return account

    def bot(self) -> dict[str, Any]:
        return {"id": self.bot_id, "name": self.bot_name}

    def member(self) -> dict[str, Any]:
        """The user as the connector's member endpoints answer (a `TeamsChannelAccount`)."""
        given, _, surname = self.user_name.partition(" ")
        login = ".".join(self.user_name.lower().split()) or "user"
        return {
            "id": self.user_account_id,
            "name": self.user_name,
            "aadObjectId": self.aad_object_id,
            "givenName": given,
            "surname": surname,
            "email": f"{login}@portfolio.example",
            "userPrincipalName": f"{login}@portfolio.example",
            "tenantId": self.tenant_id,
            "userRole": "user",
        }

    def team_details(self) -> dict[str, Any]:
        """The team as `GET /v3/teams/{id}` answers, with its channel list for the connector."""
        return {"id": self.team_id, "name": self.team_name,
                "aadGroupId": DEFAULT_TEAM_AAD_GROUP_ID,
                "channels": [{"id": self.channel_id, "name": self.channel_name}]}

    # -- where -----------------------------------------------------------------------------

    @property
    def conversation_type(self) -> str:
        return _CONVERSATION_TYPES[self.scope]

    def base_conversation_id(self) -> str:
        """The conversation id without a channel thread suffix."""
        if self.conversation_id:
            return self.conversation_id
        if self.scope == "personal":
            return personal_conversation_id(self.user_account_id, self.bot_id)
        if self.scope == "group":
            return DEFAULT_GROUP_CHAT_ID
        return self.channel_id

    def thread_conversation_id(self, thread_id: str) -> str:
        """A channel thread's conversation id: `<channel>;messageid=<root message id>`."""
        return f"{self.base_conversation_id()};messageid={thread_id}"

    def _conversation(self, conversation_id: str, *, name: str | None = None
                      ) -> dict[str, Any]:
        conversation: dict[str, Any] = {}
        if self.scope != "personal":
            conversation["isGroup"] = True
        conversation["conversationType"] = self.conversation_type
        conversation["tenantId"] = self.tenant_id
        conversation["id"] = conversation_id
        if name:
            conversation["name"] = name
        return conversation

    def _channel_data(self, *, team_names: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.scope == "channel":
            data["teamsChannelId"] = self.channel_id
            data["teamsTeamId"] = self.team_id
            data["channel"] = ({"id": self.channel_id, "name": self.channel_name} if team_names
                               else {"id": self.channel_id})
            data["team"] = ({"id": self.team_id, "name": self.team_name} if team_names
                            else {"id": self.team_id})
        data["tenant"] = {"id": self.tenant_id}
        return data

    def _client_info(self) -> dict[str, Any]:
        country = self.locale.rpartition("-")[2].upper() if "-" in self.locale else "NO"
        return {"type": "clientInfo", "locale": self.locale, "country": country,
                "platform": "Web", "timezone": self.timezone}

    def _activity(self, kind: str, activity_id: str, conversation: dict[str, Any], *,
                  user_name: bool = True) -> dict[str, Any]:
        activity: dict[str, Any] = {"type": kind, "id": activity_id}
        activity.update(_timestamps(self.timezone))
        activity["serviceUrl"] = self.service_url
        activity["channelId"] = "msteams"
        activity["from"] = self.user(with_name=user_name)
        activity["conversation"] = conversation
        activity["recipient"] = self.bot()
        activity["entities"] = [self._client_info()]
        activity["locale"] = self.locale
        return activity

    def _message_conversation(self, message_id: str, thread_id: str | None) -> dict[str, Any]:
        if self.scope == "channel":
            return self._conversation(self.thread_conversation_id(thread_id or message_id))
        return self._conversation(self.base_conversation_id())

    # -- activities ------------------------------------------------------------------------

    def message(self, text: str, *, mention: bool | None = None, thread_id: str | None = None,
                html: bool = True) -> dict[str, Any]:
        """A message from the user. In group chats and channels it @mentions the bot (Teams
        only delivers those to a bot) unless `mention=False`; a channel message starts a new
        thread unless `thread_id` (the thread's root message id) is given. Mentioning
        messages carry the `text/html` attachment Teams adds (`html=False` leaves it out).
        """
        message_id = new_message_id()
        activity = self._activity("message", message_id,
                                  self._message_conversation(message_id, thread_id))
        wants_mention = self.scope != "personal" if mention is None else mention
        entities: list[dict[str, Any]] = activity["entities"]
        if wants_mention:
            tag = mention_text(self.bot_name)
            if tag not in text:
                text = f"{tag} {text}" if text else tag
            entities.insert(0, {"mentioned": self.bot(), "text": tag, "type": "mention"})
            if html:
                body = text.replace(tag, '<span itemtype="http://schema.skype.com/Mention" '
                                    f'itemscope="" itemid="0">{self.bot_name}</span>', 1)
                activity["attachments"] = [{"contentType": "text/html",
                                            "content": f"<p>{body}</p>"}]
        activity["text"] = text
        activity["textFormat"] = "plain"
        activity["channelData"] = self._channel_data()
        return activity

    def card_submit(self, value: Any, *, reply_to_id: str, text: str | None = None,
                    thread_id: str | None = None) -> dict[str, Any]:
        """What Teams sends when the user presses an Adaptive Card `Action.Submit`: a message
        without text whose `value` is the action's data merged with the card's inputs, and
        `replyToId` the id of the message holding the card. `text` is for the `messageBack`
        form (`data.msteams.type == "messageBack"`), which does carry text.
        """
        activity = self._activity("message", new_message_id(),
                                  self._message_conversation(reply_to_id, thread_id))
        if text is not None:
            activity["text"] = text
            activity["textFormat"] = "plain"
        activity["value"] = value
        activity["replyToId"] = reply_to_id
        channel_data = self._channel_data(team_names=False)
        channel_data["source"] = {"name": "message"}
        activity["channelData"] = channel_data
        return activity

    def card_action(self, verb: str, data: Any, *, reply_to_id: str,
                    title: str | None = None, thread_id: str | None = None) -> dict[str, Any]:
        """An `Action.Execute` press: an `invoke` named `adaptiveCard/action`."""
        activity = self._activity("invoke", new_event_id(),
                                  self._message_conversation(reply_to_id, thread_id))
        action: dict[str, Any] = {"type": "Action.Execute", "verb": verb, "data": data}
        if title is not None:
            action["title"] = title
        activity["name"] = "adaptiveCard/action"
        activity["value"] = {"action": action, "trigger": "manual"}
        activity["replyToId"] = reply_to_id
        channel_data = self._channel_data(team_names=False)
        channel_data["source"] = {"name": "message"}
        activity["channelData"] = channel_data
        return activity

    def search_query(self, text: str | None, *, command_id: str = "searchProjects",
                     initial_run: bool = False) -> dict[str, Any]:
        """What Teams sends as someone types in the compose box's search (a search-based
        message extension): an `invoke` named `composeExtension/query`; `initial_run` is the
        query Teams sends when the search opens, before anything is typed."""
        activity = self._activity("invoke", new_event_id(),
                                  self._conversation(self.base_conversation_id()))
        parameters: list[dict[str, Any]] = []
        if initial_run:
            parameters.append({"name": "initialRun", "value": "true"})
        if text is not None:
            parameters.append({"name": "query", "value": text})
        activity["name"] = "composeExtension/query"
        activity["value"] = {"commandId": command_id, "parameters": parameters,
                             "queryOptions": {"skip": 0, "count": 25}}
        activity["channelData"] = self._channel_data(team_names=False)
        return activity

    def install(self) -> dict[str, Any]:
        """The `conversationUpdate` Teams sends when the app is installed: the bot (and in a
        1:1 chat the user too) in `membersAdded`; in a team `eventType` "teamMemberAdded",
        the team and the selected channel.
        """
        activity = self._activity("conversationUpdate", new_event_id(),
                                  self._install_conversation(), user_name=False)
        del activity["entities"], activity["locale"]
        members: list[dict[str, Any]] = [{"id": self.bot_id}]
        if self.scope == "personal":
            members.append({"id": self.user_account_id, "aadObjectId": self.aad_object_id})
        activity["membersAdded"] = members
        activity["channelData"] = self._install_channel_data(event_type="teamMemberAdded")
        return activity

    def uninstall(self) -> dict[str, Any]:
        """The `conversationUpdate` with the bot in `membersRemoved`."""
        activity = self._activity("conversationUpdate", new_event_id(),
                                  self._install_conversation(), user_name=False)
        del activity["entities"], activity["locale"]
        activity["membersRemoved"] = [{"id": self.bot_id}]
        activity["channelData"] = self._install_channel_data(event_type="teamMemberRemoved")
        return activity

    def installation_update(self, action: str = "add") -> dict[str, Any]:
        """The `installationUpdate` sent alongside: `action` "add", "remove", "add-upgrade" or
        "remove-upgrade"."""
        if action not in ("add", "remove", "add-upgrade", "remove-upgrade"):
            raise ValueError(f"unknown installationUpdate action {action!r}")
        activity = self._activity("installationUpdate", new_event_id(),
                                  self._install_conversation(), user_name=False)
        channel_data = self._install_channel_data(event_type=None)
        if self.scope == "channel":
            channel_data["channel"] = {"id": self.channel_id}
        channel_data["source"] = {"name": "message"}
        activity["channelData"] = channel_data
        activity["action"] = action
        return activity

    def _install_conversation(self) -> dict[str, Any]:
        name = self.channel_name if self.scope == "channel" else None
        return self._conversation(self.base_conversation_id(), name=name)

    def _install_channel_data(self, *, event_type: str | None) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.scope == "channel":
            data["settings"] = {"selectedChannel": {"id": self.channel_id}}
            data["team"] = {"aadGroupId": DEFAULT_TEAM_AAD_GROUP_ID, "name": self.team_name,
                            "id": self.team_id}
            if event_type:
                data["eventType"] = event_type
        data["tenant"] = {"id": self.tenant_id}
        return data

    def reaction(self, reaction: str = "like", *, reply_to_id: str, added: bool = True,
                 thread_id: str | None = None) -> dict[str, Any]:
        """A `messageReaction` on the bot's message `reply_to_id`."""
        activity = self._activity("messageReaction", new_event_id(),
                                  self._message_conversation(reply_to_id, thread_id),
                                  user_name=False)
        del activity["entities"], activity["locale"]
        key = "reactionsAdded" if added else "reactionsRemoved"
        activity[key] = [{"type": reaction}]
        activity["channelData"] = self._channel_data(team_names=False)
        activity["replyToId"] = reply_to_id
        return activity

    def typing(self, *, thread_id: str | None = None) -> dict[str, Any]:
        """A `typing` indicator from the user."""
        message_id = new_message_id()
        activity = self._activity("typing", message_id,
                                  self._message_conversation(message_id, thread_id))
        activity["channelData"] = self._channel_data(team_names=False)
        return activity

    def message_edit(self, text: str, *, message_id: str, thread_id: str | None = None
                     ) -> dict[str, Any]:
        """A `messageUpdate` with `eventType` "editMessage": the user edited `message_id`."""
        activity = self._activity("messageUpdate", message_id,
                                  self._message_conversation(message_id, thread_id))
        activity["text"] = text
        activity["textFormat"] = "plain"
        channel_data = self._channel_data(team_names=False)
        channel_data["eventType"] = "editMessage"
        activity["channelData"] = channel_data
        return activity

    def message_delete(self, *, message_id: str, thread_id: str | None = None
                       ) -> dict[str, Any]:
        """A `messageDelete` with `eventType` "softDeleteMessage"."""
        activity = self._activity("messageDelete", message_id,
                                  self._message_conversation(message_id, thread_id))
        channel_data = self._channel_data(team_names=False)
        channel_data["eventType"] = "softDeleteMessage"
        activity["channelData"] = channel_data
        return activity


# -- shortcuts ----------------------------------------------------------------------------

def personal_message(text: str, **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """A 1:1 chat message from the user to the bot."""
    return TeamsScene(scope="personal", **options).message(text)


def group_message(text: str, *, mention: bool = True,
                  **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """A group chat message, @mentioning the bot unless `mention=False`."""
    return TeamsScene(scope="group", **options).message(text, mention=mention)


def channel_message(text: str, *, mention: bool = True, thread_id: str | None = None,
                    **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """A channel post (or a reply in thread `thread_id`) @mentioning the bot."""
    return TeamsScene(scope="channel", **options).message(text, mention=mention,
                                                          thread_id=thread_id)


def install_update(scope: Scope = "personal", **options: Unpack[SceneOptions]
                   ) -> dict[str, Any]:
    """The `conversationUpdate` for installing the app in `scope` (the bot was added)."""
    return TeamsScene(scope=scope, **options).install()


def installation_update(action: str = "add", scope: Scope = "personal",
                        **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """The `installationUpdate` (`action` add or remove) in `scope`."""
    return TeamsScene(scope=scope, **options).installation_update(action)


def card_submit(value: Any, *, reply_to_id: str, scope: Scope = "personal",
                text: str | None = None, thread_id: str | None = None,
                **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """An Adaptive Card `Action.Submit` press on the bot's message `reply_to_id`."""
    return TeamsScene(scope=scope, **options).card_submit(value, reply_to_id=reply_to_id,
                                                          text=text, thread_id=thread_id)


def message_reaction(reaction: str = "like", *, reply_to_id: str, added: bool = True,
                     scope: Scope = "personal", **options: Unpack[SceneOptions]
                     ) -> dict[str, Any]:
    """A reaction added to (or removed from) the bot's message `reply_to_id`."""
    return TeamsScene(scope=scope, **options).reaction(reaction, reply_to_id=reply_to_id,
                                                       added=added)


def typing(scope: Scope = "personal", **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """A typing indicator from the user."""
    return TeamsScene(scope=scope, **options).typing()


def message_edit(text: str, *, message_id: str, scope: Scope = "personal",
                 **options: Unpack[SceneOptions]) -> dict[str, Any]:
    """The user edited their message `message_id` to `text`."""
    return TeamsScene(scope=scope, **options).message_edit(text, message_id=message_id)
