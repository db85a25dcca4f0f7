"""The Bot Framework endpoints the bot trusts and calls, under Bot Framework's own setting names.

Defaults are the public Azure cloud, the values botbuilder uses. They matter only with a
`MicrosoftAppId`: inbound tokens are checked against the channel's (and the Emulator's)
OpenID metadata and issuer, outbound tokens come from the login authority for the OAuth scope.

| setting                             | `CloudEndpoints` field          |
|-------------------------------------|---------------------------------|
| `ToBotFromChannelOpenIdMetadataUrl` | `channel_openid_metadata_url`   |
| `ToBotFromEmulatorOpenIdMetadataUrl`| `emulator_openid_metadata_url`  |
| `ToBotFromChannelTokenIssuer`       | `channel_token_issuer`          |
| `ToChannelFromBotLoginUrl`          | `login_url` (empty: derived)    |
| `ToChannelFromBotOAuthScope`        | `oauth_scope`                   |
| `OAuthUrl`                          | `oauth_url`                     |

URLs must be https; http is allowed on 127.0.0.1/localhost only (local stand-ins in tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, GovernmentConstants

PUBLIC_LOGIN_URL = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
MULTI_TENANT_AUTHORITY = AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def url_problem(url: str) -> str | None:
    """Why `url` may not be fetched for keys or tokens, or None: https, or http on loopback."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a URL"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host in LOCAL_HOSTS:
        return None
    return "must be an https URL (http only on 127.0.0.1 or localhost)"


@dataclass(frozen=True)
class CloudEndpoints:
    """Where keys, tokens and the token issuer are; the public Azure cloud by default."""

    channel_openid_metadata_url: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    emulator_openid_metadata_url: str = AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    channel_token_issuer: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    login_url: str = ""    # "" = PUBLIC_LOGIN_URL + (the tenant for SingleTenant, else botframework.com)
    oauth_scope: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    oauth_url: str = AuthenticationConstants.OAUTH_URL

    SETTINGS: ClassVar[dict[str, str]] = {
        "ToBotFromChannelOpenIdMetadataUrl": "channel_openid_metadata_url",
        "ToBotFromEmulatorOpenIdMetadataUrl": "emulator_openid_metadata_url",
        "ToBotFromChannelTokenIssuer": "channel_token_issuer",
        "ToChannelFromBotLoginUrl": "login_url",
        "ToChannelFromBotOAuthScope": "oauth_scope",
        "OAuthUrl": "oauth_url",
    }

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> CloudEndpoints:
        given = {field: env.get(name, "").strip() for name, field in cls.SETTINGS.items()}
        return cls(**{field: value for field, value in given.items() if value})

    def problem(self) -> str | None:
        """One line naming the setting whose value cannot be used, or None."""
        for name, field in self.SETTINGS.items():
            value = getattr(self, field)
            if field == "channel_token_issuer":
                if not value:
                    return f"{name} must not be empty"
                continue
            if field == "login_url" and not value:
                continue
            reason = url_problem(value)
            if reason is not None:
                return f"{name} {reason}, not {value!r}"
        return None

    def login_url_for(self, tenant_id: str) -> str:
        """The login authority outbound tokens come from (tenant included)."""
        return self.login_url or PUBLIC_LOGIN_URL + (tenant_id or MULTI_TENANT_AUTHORITY)

    @property
    def caller_id(self) -> str:
        """What botbuilder writes into inbound activities' `callerId` for this cloud."""
        if self.channel_token_issuer == GovernmentConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER:
            return str(CallerIdConstants.us_gov_channel.value)
        return str(CallerIdConstants.public_azure_channel.value)
