"""Settings: defaults for the embedded setup, one clear line for every wrong value."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from bot.storage.retention import Retention

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


def test_retention_defaults_and_settings() -> None:
    kept = Settings.from_environment({}).retention
    assert (kept.dialog_state, kept.processed_activity, kept.outbox, kept.disabled_reference,
            kept.unanswered) == (timedelta(hours=24), timedelta(days=30), timedelta(days=30),
                                 timedelta(days=90), timedelta(days=90))
    assert kept.audit == timedelta(days=1826), "five years"
    assert (kept.unanswered_max, kept.interval_seconds) == (10_000, 86400)
    assert kept.unanswered_per_asker_per_day == 50
    set_ = Settings.from_environment({
        "DIALOG_STATE_RETENTION_HOURS": "1", "PROCESSED_ACTIVITY_RETENTION_DAYS": "2",
        "AUDIT_RETENTION_DAYS": "3650", "OUTBOX_RETENTION_DAYS": "7",
        "DISABLED_REFERENCE_RETENTION_DAYS": "14", "UNANSWERED_RETENTION_DAYS": "30",
        "UNANSWERED_MAX_QUESTIONS": "200", "RETENTION_INTERVAL_SECONDS": "0.5e1",
        "UNANSWERED_MAX_PER_ASKER_PER_DAY": "20"}).retention
    assert set_ == Retention(timedelta(hours=1), timedelta(days=2), timedelta(days=3650),
                             timedelta(days=7), timedelta(days=14), timedelta(days=30), 200, 5.0,
                             20)


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
    ({"PORTFOLIO_PROJECT_URL": "http://portefolje.example.no/{code}"}, "PORTFOLIO_PROJECT_URL"),
    ({"PORTFOLIO_PROJECT_URL": "https://portefolje.example.no/prosjekt"},
     "PORTFOLIO_PROJECT_URL"),
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
    ({"DIALOG_STATE_RETENTION_HOURS": "0"}, "DIALOG_STATE_RETENTION_HOURS"),
    ({"DIALOG_STATE_RETENTION_HOURS": "1.5"}, "DIALOG_STATE_RETENTION_HOURS"),
    ({"PROCESSED_ACTIVITY_RETENTION_DAYS": "0"}, "PROCESSED_ACTIVITY_RETENTION_DAYS"),
    ({"AUDIT_RETENTION_DAYS": "forever"}, "AUDIT_RETENTION_DAYS"),
    ({"AUDIT_RETENTION_DAYS": "10"}, "AUDIT_RETENTION_DAYS"),   # shorter than the keys' 30
    ({"OUTBOX_RETENTION_DAYS": "6"}, "OUTBOX_RETENTION_DAYS"),  # the weekly digest reads 7
    ({"OUTBOX_RETENTION_DAYS": "-30"}, "OUTBOX_RETENTION_DAYS"),
    ({"DISABLED_REFERENCE_RETENTION_DAYS": "0"}, "DISABLED_REFERENCE_RETENTION_DAYS"),
    ({"UNANSWERED_RETENTION_DAYS": "99999999"}, "UNANSWERED_RETENTION_DAYS"),
    ({"UNANSWERED_MAX_QUESTIONS": "0"}, "UNANSWERED_MAX_QUESTIONS"),
    ({"UNANSWERED_MAX_PER_ASKER_PER_DAY": "many"}, "UNANSWERED_MAX_PER_ASKER_PER_DAY"),
    ({"RETENTION_INTERVAL_SECONDS": "0"}, "RETENTION_INTERVAL_SECONDS"),
    ({"RETENTION_INTERVAL_SECONDS": "daily"}, "RETENTION_INTERVAL_SECONDS"),
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
