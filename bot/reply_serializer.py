"""A faster msrest serializer for outgoing activities that carry Adaptive Cards.

msrest walks an attachment's `content` (declared as `object`) value by value: for a card
that is most of the CPU a reply costs. Card content here is already plain JSON, so the
activity is serialised with the contents left out and the contents are put back as they are.
The JSON sent is the same; anything that is not plain JSON goes the ordinary way.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from botframework.connector import models
from msrest import Serializer

_MODELS = {name: value for name, value in vars(models).items() if isinstance(value, type)}


def _plain_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return isinstance(value, dict | list)


class ReplySerializer(Serializer):
    """msrest's Serializer, with a short cut for `Activity` bodies whose card content is JSON."""

    def __init__(self) -> None:
        super().__init__(_MODELS)  # type: ignore[no-untyped-call]

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        attachments = getattr(data, "attachments", None)
        if data_type != "Activity" or not attachments:
            return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        contents = [getattr(a, "content", None) for a in attachments]
        if not all(c is None or _plain_json(c) for c in contents):
            return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        shallow = copy.copy(data)
        shallow.attachments = []
        for attachment in attachments:
            emptied = copy.copy(attachment)
            emptied.content = None
            shallow.attachments.append(emptied)
        result = super().body(shallow, data_type, **kwargs)  # type: ignore[no-untyped-call]
        for serialized, content in zip(result.get("attachments", []), contents, strict=True):
            if content is not None:
                serialized["content"] = content
        return result


def use_reply_serializer(client: Any) -> None:
    """Make a botbuilder ConnectorClient's conversation operations use `ReplySerializer`."""
    client.conversations._serialize = ReplySerializer()
