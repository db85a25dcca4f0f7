"""Which Microsoft Entra tenants the bot answers (`ALLOWED_TENANT_IDS`).

Teams puts the tenant in `channelData.tenant.id` (and `conversation.tenantId`; see
`bot.auth.tenant_id`). With an allow-list set, activities from any other tenant, or with no
tenant at all, are accepted at the HTTP level (so the channel does not retry them) but get no
answer; they are logged without their content and counted.

One kind is let through all the same: a conversation leaving the bot (an unsubscribe command,
the bot being removed). A tenant taken off the list after its channels subscribed must be
able to stop what it was sent; the delivery worker sends it nothing more in any case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.auth.tenant_id import tenant_of
from knowledge.commands.command_words import CommandName, command_for

log = logging.getLogger("portfoliobot.tenants")
_MENTION = re.compile(r"<at>.*?</at>", re.DOTALL)   # the bot's @mention in a channel


def leaving(body: Mapping[str, Any]) -> bool:
    """Whether a raw activity is a conversation leaving the bot: an unsubscribe command, or
    the bot removed (uninstalled, or taken out of the conversation's members)."""
    kind = body.get("type")
    if kind == "installationUpdate":
        return str(body.get("action") or "").startswith("remove")
    if kind == "conversationUpdate":
        recipient = body.get("recipient")
        bot_id = recipient.get("id") if isinstance(recipient, dict) else None
        removed = body.get("membersRemoved")
        return bot_id is not None and isinstance(removed, list) and any(
            isinstance(member, dict) and member.get("id") == bot_id for member in removed)
    text = body.get("text")
    if kind != "message" or not isinstance(text, str):
        return False
    match = command_for(_MENTION.sub(" ", text))
    return match is not None and match.name is CommandName.UNSUBSCRIBE


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
        if leaving(body):
            log.info("a %s activity from tenant %s (not in ALLOWED_TENANT_IDS) let through: "
                     "the conversation is leaving the bot", body.get("type"), tenant or "<none>")
            return True
        self.refused += 1
        log.warning("ignored a %s activity from tenant %s (not in ALLOWED_TENANT_IDS)",
                    body.get("type"), tenant or "<none>")
        return False
