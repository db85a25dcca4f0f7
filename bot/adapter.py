"""Builds the CloudAdapter for the settings (temporary stock version until outbound lands)."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from bot.settings import Settings


class _Configuration:
    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        self.APP_TYPE = settings.app_type
        self.APP_TENANTID = settings.app_tenant_id


@dataclass
class AdapterBundle:
    adapter: CloudAdapter

    async def close(self) -> None:
        return None


def create_adapter(settings: Settings) -> AdapterBundle:
    auth = ConfigurationBotFrameworkAuthentication(_Configuration(settings))
    return AdapterBundle(CloudAdapter(auth))
