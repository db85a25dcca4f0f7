"""Settings: defaults for the embedded setup, one clear line for every wrong value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError

APP_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "66666666-7777-8888-9999-000000000000"


def test_defaults_are_the_embedded_setup(tmp_path: Path) -> None:
    settings = Settings.from_environment({"PORTFOLIOBOT_DATA_DIR": str(tmp_path)})
    assert settings.portfolio_database_url == f"sqlite:///{tmp_path}/portfolio.db"
    assert settings.bot_database_url == f"sqlite:///{tmp_path}/bot.db"
    assert (settings.host, settings.port, settings.sync_interval_seconds) == ("127.0.0.1", 3978, 300)
    assert not settings.authenticates and not settings.notify_api_token
    assert settings.digest_weekday is None and settings.reminder_weekday is None, "off by default"
    on = Settings.from_environment({"DIGEST_WEEKDAY": "mandag", "REMINDER_WEEKDAY": "Friday"})
    assert (on.digest_weekday, on.reminder_weekday) == (0, 4)
    tenants = Settings.from_environment({"ALLOWED_TENANT_IDS": f" {TENANT.upper()} ,{APP_ID}"})
    assert tenants.allowed_tenant_ids == (TENANT, APP_ID)


@pytest.mark.parametrize(("environment", "names"), [
    ({"PORT": "http"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"SYNC_INTERVAL_SECONDS": "0"}, "SYNC_INTERVAL_SECONDS"),
    ({"SYNC_INTERVAL_SECONDS": "soon"}, "SYNC_INTERVAL_SECONDS"),
    ({"MicrosoftAppType": "Everyone"}, "MicrosoftAppType"),
    ({"MicrosoftAppId": "not-a-guid", "MicrosoftAppPassword": "x"}, "MicrosoftAppId"),
    ({"MicrosoftAppId": APP_ID}, "MicrosoftAppPassword"),
    ({"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "x", "MicrosoftAppType": "SingleTenant"},
     "MicrosoftAppTenantId"),
    ({"PORTFOLIO_DATABASE_URL": "mysql://x/y"}, "PORTFOLIO_DATABASE_URL"),
    ({"BOT_DATABASE_URL": "::::"}, "BOT_DATABASE_URL"),
    ({"NOTIFY_API_TOKEN": "short"}, "NOTIFY_API_TOKEN"),
    ({"DIGEST_WEEKDAY": "someday"}, "DIGEST_WEEKDAY"),
    ({"ALLOWED_TENANT_IDS": f"{TENANT}, contoso"}, "ALLOWED_TENANT_IDS"),
    ({"REMINDER_HOUR": "25"}, "REMINDER_HOUR"),
    ({"ToBotFromChannelOpenIdMetadataUrl": "http://login.botframework.com/v1/.well-known/x"},
     "ToBotFromChannelOpenIdMetadataUrl"),
    ({"ToBotFromEmulatorOpenIdMetadataUrl": "login.microsoftonline.com"},
     "ToBotFromEmulatorOpenIdMetadataUrl"),
    ({"ToChannelFromBotLoginUrl": "ftp://login.microsoftonline.com/x"}, "ToChannelFromBotLoginUrl"),
    ({"ToChannelFromBotOAuthScope": "http://api.botframework.com"}, "ToChannelFromBotOAuthScope"),
    ({"OAuthUrl": "http://[::1"}, "OAuthUrl"),
])
def test_wrong_values_fail_with_one_line_naming_the_variable(
        environment: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_environment(environment)
    message = str(caught.value)
    assert names in message and "\n" not in message


def test_single_tenant_and_secrets_stay_out_of_repr() -> None:
    settings = Settings.from_environment({
        "MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "very-secret-value",
        "MicrosoftAppType": "SingleTenant", "MicrosoftAppTenantId": TENANT,
        "NOTIFY_API_TOKEN": "another-secret-token"})
    assert settings.authenticates
    assert "very-secret" not in repr(settings) and "another-secret" not in repr(settings)


def test_bot_framework_endpoints_default_to_the_public_cloud_and_can_be_set() -> None:
    endpoints = Settings.from_environment({}).endpoints
    assert endpoints.channel_openid_metadata_url == \
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert endpoints.emulator_openid_metadata_url == \
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
    assert endpoints.channel_token_issuer == "https://api.botframework.com"
    assert endpoints.oauth_scope == endpoints.oauth_url == "https://api.botframework.com"
    assert endpoints.login_url_for("") == "https://login.microsoftonline.com/botframework.com"
    assert endpoints.login_url_for(TENANT) == f"https://login.microsoftonline.com/{TENANT}"
    local = Settings.from_environment({
        "ToBotFromChannelOpenIdMetadataUrl": "http://127.0.0.1:8081/v1/.well-known/openid",
        "ToChannelFromBotLoginUrl": " http://localhost:8081/botframework.com ",
        "ToBotFromChannelTokenIssuer": "https://api.botframework.us"}).endpoints
    assert local.channel_openid_metadata_url == "http://127.0.0.1:8081/v1/.well-known/openid"
    assert local.login_url_for(TENANT) == "http://localhost:8081/botframework.com"
    assert local.caller_id == "urn:botframework:azureusgov"
