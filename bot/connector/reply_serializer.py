"""A fast msrest serializer for the activities the bot sends.

msrest's `Serializer.body` rebuilds the model by deserialising it, validates it recursively
and then walks every value, including every value of an Adaptive Card (declared `object`):
about a millisecond of CPU per reply, the largest part of a turn. `to_wire` writes the same
JSON straight from the model's attribute map. Anything it does not handle exactly as msrest
does (flattened keys, values of unexpected types) goes to msrest.
A test compares both on the bot's real replies.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import Any

from botframework.connector import models
from msrest import Serializer
from msrest.serialization import Model

_MODELS = {name: value for name, value in vars(models).items() if isinstance(value, type)}
_PLAIN = (str, int, float, bool)


class _NotPlain(Exception):
    """This value needs msrest's own serializer."""


def _value(value: Any, data_type: str) -> Any:
    if isinstance(value, Model):
        return _model(value)
    if isinstance(value, enum.Enum):
        return value.value
    if data_type == "iso-8601":
        if not isinstance(value, datetime):
            raise _NotPlain(data_type)
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    if isinstance(value, datetime | date):
        raise _NotPlain(data_type)
    if data_type.startswith("[") and isinstance(value, list):
        inner = data_type[1:-1]
        return [_value(item, inner) for item in value]
    if data_type == "object" or data_type.startswith("{"):
        json.dumps(value)   # only plain JSON passes as it is (TypeError otherwise)
        return value
    if isinstance(value, _PLAIN) and data_type in ("str", "bool", "int", "float"):
        return value
    raise _NotPlain(data_type)


def _model(model: Model) -> dict[str, Any]:
    # msrest's body() rebuilds the model without additional properties, so they never
    # reach the wire (Teams' conversation.tenantId, for one); they are left out here too.
    out: dict[str, Any] = {}
    for attribute, info in model._attribute_map.items():
        key = info["key"]
        if not key or "." in key:
            if attribute == "additional_properties":
                continue
            raise _NotPlain("flattened key")
        value = getattr(model, attribute, None)
        if value is not None:
            out[key] = _value(value, info["type"])
    return out


def to_wire(activity: Model) -> dict[str, Any] | None:
    """The JSON body msrest would send for `activity`, or None when msrest must do it."""
    try:
        return _model(activity)
    except (_NotPlain, TypeError, ValueError):
        return None


class ReplySerializer(Serializer):
    """msrest's Serializer, with `to_wire` as a short cut for `Activity` bodies."""

    def __init__(self) -> None:
        super().__init__(_MODELS)  # type: ignore[no-untyped-call]

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type == "Activity" and isinstance(data, models.Activity) and not kwargs:
            wire = to_wire(data)
            if wire is not None:
                return wire
        return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]


def use_reply_serializer(client: Any) -> None:
    """Make a botbuilder ConnectorClient's conversation operations use `ReplySerializer`."""
    client.conversations._serialize = ReplySerializer()
