"""Which Microsoft Entra tenants the bot answers (`ALLOWED_TENANT_IDS`).

Teams puts the tenant in `channelData.tenant.id` (and `conversation.tenantId`). With an
allow-list set, activities from any other tenant, or with no tenant at all, are accepted at
the HTTP level (so the channel does not retry them) but get no answer; they are logged
without their content and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

log = logging.getLogger("portfoliobot.tenants")


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


class TenantGate:
    """Lets activities from allowed tenants through; counts the others."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = frozenset(t.strip().lower() for t in allowed if t.strip())
        self.refused = 0

    @property
    def active(self) -> bool:
        return bool(self.allowed)

    def admits(self, body: Mapping[str, Any]) -> bool:
        if not self.allowed:
            return True
        tenant = tenant_of(body)
        if tenant in self.allowed:
            return True
        self.refused += 1
        log.warning("ignored a %s activity from tenant %s (not in ALLOWED_TENANT_IDS)",
                    body.get("type"), tenant or "<none>")
        return False
