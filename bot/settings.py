"""Settings read once from the environment into one frozen object; a wrong value fails at start.

Bot Framework's own names (`MicrosoftAppId`, `MicrosoftAppPassword`, `MicrosoftAppType`,
`MicrosoftAppTenantId`, and the endpoint settings of `bot.auth.cloud_endpoints` such as
`ToBotFromChannelOpenIdMetadataUrl`) are kept as they are, so an Azure Bot's configuration can
be pasted in unchanged. Every problem is reported as one `SettingsError` line naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.auth.cloud_endpoints import CloudEndpoints
from bot.cards.project_links import LinkTemplateError, ProjectLinks
from bot.observability.log_format import LOG_FORMATS
from bot.storage.retention import (
    MINIMUM_DIALOG_STATE,
    MINIMUM_DISABLED_REFERENCE,
    MINIMUM_OUTBOX,
    MINIMUM_PROCESSED_ACTIVITY,
    MINIMUM_UNANSWERED,
    Retention,
)
from knowledge.errors import DatabaseUrlError
from knowledge.portfolio.database import async_url, sqlite_url

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3978
DEFAULT_SYNC_INTERVAL_SECONDS = 300.0
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message is one line for the operator."""


TAB_SSO_METADATA_URL = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    data_dir: Path
    portfolio_database_url: str
    bot_database_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    sync_interval_seconds: float = DEFAULT_SYNC_INTERVAL_SECONDS
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    endpoints: CloudEndpoints = field(default_factory=CloudEndpoints)  # Bot Framework's, public cloud
    notify_api_token: str = field(default="", repr=False)
    allowed_tenant_ids: tuple[str, ...] = ()  # empty = every tenant
    digest_weekday: int | None = None        # 0 = Monday; None = no weekly digest
    digest_hour: int = 8                     # Europe/Oslo
    reminder_weekday: int | None = None      # None = no reminders to leads
    reminder_hour: int = 9
    log_format: str = "text"                 # LOG_FORMAT: text or json (one object per line)
    freeze_heap: bool = True                 # GC_FREEZE: see bot.runtime.heap
    retention: Retention = field(default_factory=Retention)  # *_RETENTION_*: bot.storage.retention
    portfolio_project_url: str = ""          # PORTFOLIO_PROJECT_URL: bot.cards.project_links
    # The tab's single sign-on (bot.auth.tab_token): the Teams app's webApplicationInfo
    # resource (TAB_SSO_RESOURCE, e.g. api://portefolje.example.no/<app id>; empty = off) and
    # where Entra ID's signing keys are listed (TAB_SSO_OPENID_METADATA_URL).
    tab_sso_resource: str = ""
    tab_sso_metadata_url: str = TAB_SSO_METADATA_URL

    @property
    def project_links(self) -> ProjectLinks | None:
        """Links to the portfolio office's project pages, when PORTFOLIO_PROJECT_URL is set."""
        return ProjectLinks(self.portfolio_project_url) if self.portfolio_project_url else None

    @property
    def authenticates(self) -> bool:
        """Whether inbound requests must carry a Bot Framework token (an app id is set)."""
        return bool(self.app_id)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, "").strip()

        data_dir = Path(get("PORTFOLIOBOT_DATA_DIR") or "data").expanduser().resolve()
        portfolio = get("PORTFOLIO_DATABASE_URL") or sqlite_url(data_dir / "portfolio.db")
        bot_db = get("BOT_DATABASE_URL") or sqlite_url(data_dir / "bot.db")
        for name, url in (("PORTFOLIO_DATABASE_URL", portfolio), ("BOT_DATABASE_URL", bot_db)):
            try:
                async_url(url)
            except DatabaseUrlError as error:
                raise SettingsError(f"{name}: {error}") from error
        settings = cls(
            data_dir=data_dir,
            portfolio_database_url=portfolio,
            bot_database_url=bot_db,
            host=get("HOST") or DEFAULT_HOST,
            port=_port(get("PORT")),
            sync_interval_seconds=_interval(get("SYNC_INTERVAL_SECONDS")),
            app_id=get("MicrosoftAppId"),
            app_password=env.get("MicrosoftAppPassword", ""),
            app_type=get("MicrosoftAppType") or "MultiTenant",
            app_tenant_id=get("MicrosoftAppTenantId"),
            endpoints=CloudEndpoints.from_environment(env),
            notify_api_token=get("NOTIFY_API_TOKEN"),
            allowed_tenant_ids=_tenants(get("ALLOWED_TENANT_IDS")),
            digest_weekday=_weekday("DIGEST_WEEKDAY", get("DIGEST_WEEKDAY")),
            digest_hour=_hour("DIGEST_HOUR", get("DIGEST_HOUR"), 8),
            reminder_weekday=_weekday("REMINDER_WEEKDAY", get("REMINDER_WEEKDAY")),
            reminder_hour=_hour("REMINDER_HOUR", get("REMINDER_HOUR"), 9),
            log_format=_log_format(get("LOG_FORMAT")),
            freeze_heap=_switch("GC_FREEZE", get("GC_FREEZE"), True),
            retention=_retention(get),
            portfolio_project_url=get("PORTFOLIO_PROJECT_URL"),
            tab_sso_resource=get("TAB_SSO_RESOURCE"),
            tab_sso_metadata_url=get("TAB_SSO_OPENID_METADATA_URL") or TAB_SSO_METADATA_URL,
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Raise SettingsError for a combination of values that cannot work."""
        if self.app_type not in APP_TYPES:
            raise SettingsError(
                f"MicrosoftAppType must be one of {', '.join(APP_TYPES)}, not {self.app_type!r}"
            )
        if self.app_id and not _GUID.match(self.app_id):
            raise SettingsError("MicrosoftAppId must be the Azure Bot's application id (a GUID)")
        if self.app_id and self.app_type != "UserAssignedMSI" and not self.app_password:
            raise SettingsError("MicrosoftAppPassword is required when MicrosoftAppId is set "
                                f"and MicrosoftAppType is {self.app_type}")
        if self.app_type in ("SingleTenant", "UserAssignedMSI") and self.app_id \
                and not self.app_tenant_id:
            raise SettingsError(f"MicrosoftAppTenantId is required for {self.app_type}")
        if self.notify_api_token and len(self.notify_api_token) < 16:
            raise SettingsError("NOTIFY_API_TOKEN must be at least 16 characters "
                                "(or unset, which turns /api/notify off)")
        if self.app_tenant_id and not _GUID.match(self.app_tenant_id):
            raise SettingsError("MicrosoftAppTenantId must be a tenant id (a GUID)")
        endpoint_problem = self.endpoints.problem()
        if endpoint_problem is not None:
            raise SettingsError(endpoint_problem)
        if self.portfolio_project_url:
            try:
                ProjectLinks(self.portfolio_project_url)
            except LinkTemplateError as error:
                raise SettingsError(str(error)) from error
        if self.tab_sso_resource and not self.app_id:
            raise SettingsError("TAB_SSO_RESOURCE needs MicrosoftAppId (the app the tab signs "
                                "in to)")
        if not re.match(r"^https://|^http://(127\.0\.0\.1|localhost)[:/]",
                        self.tab_sso_metadata_url):
            raise SettingsError("TAB_SSO_OPENID_METADATA_URL must be an https URL (http only on "
                                "127.0.0.1 or localhost)")
        retention_problem = self.retention.problem()
        if retention_problem is not None:
            raise SettingsError(retention_problem)


def _port(value: str) -> int:
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _interval(value: str) -> float:
    if not value:
        return DEFAULT_SYNC_INTERVAL_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 86400:
        raise SettingsError(
            f"SYNC_INTERVAL_SECONDS must be a number of seconds from 1 to 86400, not {value!r}"
        )
    return seconds


_WEEKDAYS = {
    "mon": 0, "monday": 0, "mandag": 0, "tue": 1, "tuesday": 1, "tirsdag": 1,
    "wed": 2, "wednesday": 2, "onsdag": 2, "thu": 3, "thursday": 3, "torsdag": 3,
    "fri": 4, "friday": 4, "fredag": 4, "sat": 5, "saturday": 5, "lordag": 5, "lørdag": 5,
    "sun": 6, "sunday": 6, "sondag": 6, "søndag": 6,
}


def _weekday(name: str, value: str) -> int | None:
    if not value or value.lower() == "off":
        return None
    if value.lower() in _WEEKDAYS:
        return _WEEKDAYS[value.lower()]
    raise SettingsError(f"{name} must be a weekday (monday … sunday, or off), not {value!r}")


def _hour(name: str, value: str, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 0 <= int(value) <= 23:
        raise SettingsError(f"{name} must be an hour from 0 to 23 (Oslo time), not {value!r}")
    return int(value)


def _switch(name: str, value: str, default: bool) -> bool:
    if not value:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0 (on or off), not {value!r}")


def _log_format(value: str) -> str:
    if not value:
        return "text"
    if value.lower() not in LOG_FORMATS:
        raise SettingsError(f"LOG_FORMAT must be text or json, not {value!r}")
    return value.lower()


def _tenants(value: str) -> tuple[str, ...]:
    tenants = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    for tenant in tenants:
        if not _GUID.match(tenant):
            raise SettingsError(f"ALLOWED_TENANT_IDS must be tenant ids (GUIDs) separated by "
                                f"commas; {tenant!r} is not one")
    return tenants


_DAYS = timedelta(days=1)
_HOURS = timedelta(hours=1)
_MAX_DAYS = 36500   # a hundred years: anything longer is a typo


def _retention(get: Callable[[str], str]) -> Retention:
    default = Retention()
    return Retention(
        dialog_state=_period("DIALOG_STATE_RETENTION_HOURS", get("DIALOG_STATE_RETENTION_HOURS"),
                             default.dialog_state, MINIMUM_DIALOG_STATE, _HOURS, "hours"),
        processed_activity=_period(
            "PROCESSED_ACTIVITY_RETENTION_DAYS", get("PROCESSED_ACTIVITY_RETENTION_DAYS"),
            default.processed_activity, MINIMUM_PROCESSED_ACTIVITY, _DAYS, "days",
            "Teams' retries and the undo window must find a handled activity"),
        audit=_period("AUDIT_RETENTION_DAYS", get("AUDIT_RETENTION_DAYS"), default.audit,
                      _DAYS, _DAYS, "days"),
        outbox=_period("OUTBOX_RETENTION_DAYS", get("OUTBOX_RETENTION_DAYS"), default.outbox,
                       MINIMUM_OUTBOX, _DAYS, "days",
                       "the weekly digest reads the last week's deliveries"),
        disabled_reference=_period(
            "DISABLED_REFERENCE_RETENTION_DAYS", get("DISABLED_REFERENCE_RETENTION_DAYS"),
            default.disabled_reference, MINIMUM_DISABLED_REFERENCE, _DAYS, "days"),
        unanswered=_period("UNANSWERED_RETENTION_DAYS", get("UNANSWERED_RETENTION_DAYS"),
                           default.unanswered, MINIMUM_UNANSWERED, _DAYS, "days"),
        unanswered_max=_count("UNANSWERED_MAX_QUESTIONS", get("UNANSWERED_MAX_QUESTIONS"),
                              default.unanswered_max),
        unanswered_per_asker_per_day=_count(
            "UNANSWERED_MAX_PER_ASKER_PER_DAY", get("UNANSWERED_MAX_PER_ASKER_PER_DAY"),
            default.unanswered_per_asker_per_day),
        interval_seconds=_retention_interval(get("RETENTION_INTERVAL_SECONDS"),
                                             default.interval_seconds),
    )


def _period(name: str, value: str, default: timedelta, minimum: timedelta, unit: timedelta,
            unit_name: str, why: str = "") -> timedelta:
    if not value:
        return default
    least = int(minimum / unit)
    most = int(timedelta(days=_MAX_DAYS) / unit)
    if not value.isdigit() or not least <= int(value) <= most:
        reason = f" ({why})" if why else ""
        raise SettingsError(f"{name} must be a whole number of {unit_name} from {least} to "
                            f"{most}{reason}, not {value!r}")
    return int(value) * unit


def _count(name: str, value: str, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 10_000_000:
        raise SettingsError(f"{name} must be a number from 1 to 10000000, not {value!r}")
    return int(value)


def _retention_interval(value: str, default: float) -> float:
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 7 * 86400:
        raise SettingsError("RETENTION_INTERVAL_SECONDS must be a number of seconds from 1 to "
                            f"604800, not {value!r}")
    return seconds
