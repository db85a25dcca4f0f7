"""Request validation for `/api/messages`: is the body a well-formed activity the bot can answer?

`read_activity` returns the deserialised activity or the reason it is not one (answered 400 by
`bot.web.messages`); nothing here touches the network or the app.
"""

from __future__ import annotations

import re
from typing import Any

from botbuilder.schema import Activity

from bot.connector.activity_reader import read_activity_model

MAX_JSON_DEPTH = 32
DELIVERY_MODES = ("normal", "notification", "ephemeral")   # not expectReplies: Teams never asks
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, counting no further than `limit` + 1."""
    depth, level = 0, [value]
    while level and depth <= limit:
        depth += 1
        level = [child for item in level if isinstance(item, dict | list)
                 for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, dict | list)]
    return depth


def activity_problem(body: Any) -> str | None:
    """Why `body` is not an activity the bot can answer, or None when it is one."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (a Bot Framework activity)"
    if _depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return f"the activity is nested deeper than {MAX_JSON_DEPTH} levels"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity has no type"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("http://", "https://")):
        return "the activity has no http(s) serviceUrl"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "the activity has no conversation.id"
    if body.get("deliveryMode") not in (None, *DELIVERY_MODES):
        return (f"the activity's deliveryMode must be one of {', '.join(DELIVERY_MODES)}: "
                "the bot answers through the connector, not in the HTTP response")
    for key in ("text", "id", "locale", "channelId"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"the activity's {key} must be a string"
    # These go into the reply's URL: a control character there could only be an attack.
    for name, value in (("serviceUrl", service_url), ("conversation.id", conversation["id"]),
                        ("id", body.get("id"))):
        if isinstance(value, str) and _CONTROL.search(value):
            return f"the activity's {name} contains control characters"
    for key in ("from", "recipient"):
        if key in body and body[key] is not None and not isinstance(body[key], dict):
            return f"the activity's {key} must be an object"
    if "entities" in body and body["entities"] is not None and not isinstance(
            body["entities"], list):
        return "the activity's entities must be a list"
    return None


def read_activity(body: Any) -> Activity | str:
    """The activity in `body`, or why it is not one. Deserialised once, here, for the adapter."""
    reason = activity_problem(body)
    if reason is not None:
        return reason
    try:
        activity = read_activity_model(body)
    except Exception as error:  # msrest raises several types for malformed input
        return f"the activity cannot be read: {type(error).__name__}"
    return activity
