"""Builds the bot's CloudAdapter from the settings: botbuilder's adapter with reliable outbound.

`bot.connector.outbound.create_adapter` keeps botbuilder's public API and sends every reply through one
shared aiohttp session with retries inside the channel's 15-second window. With an app id the
bundle also holds the `bot.auth.inbound_auth.InboundAuthenticator` that checks `/api/messages`
tokens (its key caches are closed with the adapter).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.auth.inbound_auth import InboundAuthenticator
from bot.connector.outbound import OutboundCloudAdapter
from bot.connector.outbound import create_adapter as create_outbound_adapter
from bot.settings import Settings


@dataclass
class AdapterBundle:
    """The adapter and what must be closed with it on shutdown."""

    adapter: OutboundCloudAdapter
    inbound: InboundAuthenticator | None = None   # None: no app id, nothing to check

    async def close(self) -> None:
        try:
            await self.adapter.close()
        finally:
            if self.inbound is not None:
                await self.inbound.close()


def create_adapter(settings: Settings) -> AdapterBundle:
    adapter = create_outbound_adapter(
        app_id=settings.app_id, app_password=settings.app_password,
        app_type=settings.app_type, tenant_id=settings.app_tenant_id,
        endpoints=settings.endpoints if settings.authenticates else None,
    )
    inbound = None
    if settings.authenticates:
        inbound = InboundAuthenticator(
            app_id=settings.app_id, app_type=settings.app_type,
            tenant_id=settings.app_tenant_id, endpoints=settings.endpoints,
            authentication=adapter.outbound_authentication)
    return AdapterBundle(adapter, inbound)
