"""Builds the bot's CloudAdapter from the settings: botbuilder's adapter with reliable outbound.

`bot.outbound.create_adapter` keeps botbuilder's public API and sends every reply through one
shared aiohttp session with retries inside the channel's 15-second window.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.outbound import OutboundCloudAdapter
from bot.outbound import create_adapter as create_outbound_adapter
from bot.settings import Settings


@dataclass
class AdapterBundle:
    """The adapter and what must be closed with it on shutdown."""

    adapter: OutboundCloudAdapter

    async def close(self) -> None:
        await self.adapter.close()


def create_adapter(settings: Settings) -> AdapterBundle:
    return AdapterBundle(create_outbound_adapter(
        app_id=settings.app_id, app_password=settings.app_password,
        app_type=settings.app_type, tenant_id=settings.app_tenant_id,
    ))
