"""The Microsoft Entra tenant an activity comes from, as Teams names it.

Teams puts the tenant in `channelData.tenant.id` and in `conversation.tenantId` (which
botbuilder's `ConversationAccount` model does not read: it expects `tenantID`), so both the raw
body and a deserialised activity are read here, from `channelData` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def tenant_of(body: Mapping[str, Any]) -> str | None:
    """The tenant id a raw activity names, lower case; None when it names none."""
    channel_data = body.get("channelData")
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return str(tenant["id"]).strip().lower() or None
    conversation = body.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        return str(conversation["tenantId"]).strip().lower() or None
    return None


def tenant_of_conversation(conversation: Any) -> str | None:
    """The tenant a deserialised `ConversationAccount` names, lower case, or None: its
    `tenant_id`, else the `tenantId` botbuilder left in `additional_properties`."""
    extra = getattr(conversation, "additional_properties", None) or {}
    for candidate in (getattr(conversation, "tenant_id", None), extra.get("tenantId")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip().lower()
    return None


def tenant_of_activity(activity: Any) -> str | None:
    """`tenant_of` for a deserialised botbuilder `Activity`: `channelData` first."""
    named = tenant_of_conversation(getattr(activity, "conversation", None))
    return tenant_of({"channelData": getattr(activity, "channel_data", None),
                      "conversation": {"tenantId": named} if named else {}})
