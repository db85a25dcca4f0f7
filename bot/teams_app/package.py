"""The Teams app package: the manifest, its bokmål translation and the icons, in one zip.

`manifest(details)` and `localization(details)` are pure: the same `AppDetails` give the same
JSON. The manifest follows Teams manifest schema v1.26 (English, `en-us`); `nb-no.json`
translates the names, descriptions and command lists into Norwegian bokmål. The bot is offered
in personal chats, teams and group chats, with a command menu for each scope that names what
the bot understands (`COMMANDS`, made from the command table
`knowledge.commands.command_words`, which also makes the help text): Teams puts a command's
title in the compose box, so every title is a message, or the start of one, that the bot
answers as it stands.

With a tab host (`AppDetails.tab_host`, the public host that serves the bot's `/tab` page) the
manifest also has the portfolio tab ("Portfolio" / "Portefølje"): a static tab in the personal
app and one that can be pinned in channels and group chats (manifest v1.16 on lets a static tab
have the team and groupChat scopes, and needs no configuration page). Its `contentUrl` carries
Teams' `{locale}` and `{theme}` placeholders as the page's `lang` and `theme`; the host is added
to `validDomains`. With an SSO resource as well (`AppDetails.sso_resource`, the app
registration's Application ID URI, `api://<tab host>/<app id>`), `webApplicationInfo` lets the
tab's "Mine prosjekter" sign in with Teams single sign-on.

`write_package(details, path)` writes manifest.json, nb-no.json, color.png and outline.png at
the root of a zip, byte for byte the same on every run. `portfoliobot teams-package` is the
command line for it (`add_teams_package_command`, `run_teams_package`).

Teams itself checks more than the schema can say, so `AppDetails.check` refuses what Teams
would refuse: an id that is no GUID, a version that is not x.y.z, an http:// URL, a tab host
that is no host name, an SSO resource that is not an api:// URI on the tab's host. Command
titles and descriptions keep to the limits of the localization schema (10 commands a list,
32 and 128 characters), which are stricter than the manifest's own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.handlers.message_extension import QUERY_PARAMETER, SEARCH_COMMAND
from bot.settings import Settings
from bot.teams_app.icons import color_icon, outline_icon
from knowledge.answers.answers import Language
from knowledge.commands.command_words import COMMANDS as COMMAND_TABLE
from knowledge.commands.command_words import CommandName

NB, EN = Language.NB, Language.EN
MANIFEST_VERSION = "1.26"
SCHEMA_BASE = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}"
MANIFEST_SCHEMA = f"{SCHEMA_BASE}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = f"{SCHEMA_BASE}/MicrosoftTeams.Localization.schema.json"
SCOPES = ("personal", "team", "groupChat")
NB_LANGUAGE_TAG, NB_FILE = "nb-no", "nb-no.json"
MANIFEST_FILE, COLOR_FILE, OUTLINE_FILE = "manifest.json", "color.png", "outline.png"
DEFAULT_PACKAGE = Path("portfoliobot-teams.zip")
ACCENT_COLOR = "#005B8F"
MAX_COMMANDS, MAX_TITLE, MAX_DESCRIPTION = 10, 32, 128
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")
TAB_PATH = "/tab"
# Teams fills in {locale} (nb-NO, en-US) and {theme} (default, dark, contrast) itself.
TAB_QUERY = "lang={locale}&theme={theme}"
PERSONAL_TAB, TEAM_TAB = "portfolio", "portfolio-team"   # the tabs' entityId
TAB_NAME = {EN: "Portfolio", NB: "Portefølje"}
MAX_DOMAINS = 16
_DOMAIN = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")

NAME = {
    EN: ("Portfolio bot", "Portfolio bot for the regional ICT project portfolio"),
    NB: ("Porteføljeboten", "Porteføljeboten for den regionale IKT-prosjektporteføljen"),
}
DESCRIPTION = {
    EN: (
        "Who owns and leads the regional ICT projects, their status and transfers.",
        "Ask in plain English or Norwegian about the projects in Helse Sør-Øst's regional ICT "
        "portfolio: who owns and leads a project, its latest status report, and whether it "
        "has been transferred to Sykehuspartner. Project owners and managers can post a "
        "status report in one message or step by step, and undo it for a few minutes. "
        "Subscribe a chat or channel to a project, a programme or the whole portfolio to "
        "get changes as they happen. Find a project from the compose box and share its card, "
        "which stays current, and see the whole portfolio at a glance in the tab.",
    ),
    NB: (
        "Hvem som eier og leder de regionale IKT-prosjektene, status og overføring.",
        "Spør på norsk eller engelsk om prosjektene i Helse Sør-Østs regionale "
        "IKT-portefølje: hvem som eier og leder et prosjekt, siste statusrapport, og om det er "
        "overført til Sykehuspartner. Prosjekteiere og prosjektledere kan rapportere status i "
        "én melding eller steg for steg, og angre i noen minutter. Abonner i en chat eller "
        "kanal på et prosjekt, et program eller hele porteføljen for å få endringene når de "
        "skjer. Finn et prosjekt fra skrivefeltet og del kortet, som holder seg oppdatert, og "
        "se hele porteføljen på én gang i fanen.",
    ),
}


@dataclass(frozen=True, slots=True)
class BotCommand:
    """One entry of the command menu: what to write, in both languages, and where."""

    title: Mapping[Language, str]
    description: Mapping[Language, str]
    scopes: frozenset[str]


_EVERYWHERE = frozenset(SCOPES)
_SHARED = frozenset({"team", "groupChat"})
# Where each command of the command table (`knowledge.commands.command_words`) is in the menu;
# at most 10 a scope, so not every command the help names has a place.
MENU_SCOPES: Mapping[CommandName, frozenset[str]] = {
    CommandName.HELP: _EVERYWHERE,
    CommandName.ASK_OWNER: _EVERYWHERE,
    CommandName.ASK_MANAGER: _SHARED,
    CommandName.ASK_STATUS: _EVERYWHERE,
    CommandName.ASK_RED: _EVERYWHERE,
    CommandName.MY_PROJECTS: _EVERYWHERE,
    CommandName.START_STATUS_DIALOG: _EVERYWHERE,
    CommandName.UNDO: frozenset({"personal"}),
    CommandName.SUBSCRIBE: _EVERYWHERE,
    CommandName.LIST_SUBSCRIPTIONS: _EVERYWHERE,
    CommandName.UNSUBSCRIBE: _EVERYWHERE,
}
NOT_IN_MENU = frozenset({CommandName.STATUS_FORM,   # `update status` describes both ways
                         CommandName.CANCEL})       # said inside the dialog, which offers it
COMMANDS: tuple[BotCommand, ...] = tuple(
    BotCommand(command.menu.title, command.menu.description, MENU_SCOPES[command.name])
    for command in COMMAND_TABLE if command.menu is not None and command.name in MENU_SCOPES)


class TeamsPackageError(ValueError):
    """An input the package cannot be made from; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class AppDetails:
    """Everything the package is made of that is not fixed in this module."""

    app_id: str
    version: str
    developer_name: str = "Sykehuspartner HF"
    website_url: str = "https://sykehuspartner.no"
    privacy_url: str = "https://sykehuspartner.no/personvern"
    terms_url: str = "https://sykehuspartner.no/vilkar"
    valid_domains: tuple[str, ...] = field(default=())
    link_domain: str | None = None   # PORTFOLIO_PROJECT_URL's host: links Teams unfurls
    accent_color: str = ACCENT_COLOR
    tab_host: str | None = None      # the public host serving /tab (no scheme, no path): the tabs
    sso_resource: str | None = None  # the tab's SSO: the Application ID URI, api://<tab host>/<app id>

    @property
    def domains(self) -> tuple[str, ...]:
        """validDomains: the given ones, then the tab host (once)."""
        tab = (self.tab_host,) if self.tab_host else ()
        return tuple(dict.fromkeys((*self.valid_domains, *tab)))

    def check(self) -> None:
        """Raise TeamsPackageError for a value Teams would refuse."""
        if not _GUID.match(self.app_id):
            raise TeamsPackageError(
                f"the app id must be the Azure Bot's application id (a GUID), not {self.app_id!r}")
        if not _VERSION.match(self.version):
            raise TeamsPackageError(
                f"the app version must be three numbers such as 1.0.2, not {self.version!r}")
        if not 0 < len(self.developer_name) <= 32:
            raise TeamsPackageError("the developer name must be 1 to 32 characters")
        for what, url in (("website", self.website_url), ("privacy", self.privacy_url),
                          ("terms of use", self.terms_url)):
            if not re.match(r"^https://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", url) or len(url) > 2048:
                raise TeamsPackageError(f"the {what} URL must be an https:// address, not {url!r}")
        for domain in self.valid_domains:
            if not _DOMAIN.match(domain):
                raise TeamsPackageError(
                    f"a valid domain is a host name such as bot.example.no, not {domain!r}")
        if self.tab_host is not None and (
                not _DOMAIN.match(self.tab_host) or self.tab_host.startswith("*.")
                or len(self.tab_host) > 253):
            raise TeamsPackageError("the tab host is the host name that serves /tab, such as "
                                    f"portfoliobot.example.no (no https://, no path), not {self.tab_host!r}")
        if len(self.domains) > MAX_DOMAINS:
            raise TeamsPackageError(f"at most {MAX_DOMAINS} valid domains, the tab host included")
        if self.sso_resource is not None:
            self._check_sso_resource(self.sso_resource)
        if not re.match(r"^#[0-9a-fA-F]{6}$", self.accent_color):
            raise TeamsPackageError(f"the accent colour must be #rrggbb, not {self.accent_color!r}")

    def _check_sso_resource(self, resource: str) -> None:
        """Teams asks Entra ID for a token only when the Application ID URI is api:// on the
        tab's own host (api://<tab host>/<app id>): refuse anything else."""
        if self.tab_host is None:
            raise TeamsPackageError("the SSO resource is the tab's: it needs the tab host too")
        expected = f"api://{self.tab_host}/{self.app_id}"
        found = re.match(r"^api://([^/\s?#]+)/([^\s?#]+)$", resource)
        if found is None or found[1].lower() != self.tab_host or len(resource) > 2048 \
                or self.app_id.lower() not in found[2].lower():
            raise TeamsPackageError(
                f"the SSO resource must be the Application ID URI {expected} (api://, the tab "
                f"host, the app id), not {resource!r}")


def commands_for(scope: str) -> tuple[BotCommand, ...]:
    """The command menu of one scope, in menu order."""
    return tuple(command for command in COMMANDS if scope in command.scopes)


def manifest(details: AppDetails) -> dict[str, Any]:
    """manifest.json as a dictionary (English); the tabs and SSO only when `details` has them."""
    details.check()
    short_name, full_name = NAME[EN]
    short_description, full_description = DESCRIPTION[EN]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": details.version,
        "id": details.app_id,
        "localizationInfo": {
            "defaultLanguageTag": "en-us",
            "additionalLanguages": [{"languageTag": NB_LANGUAGE_TAG, "file": NB_FILE}],
        },
        "developer": {
            "name": details.developer_name,
            "websiteUrl": details.website_url,
            "privacyUrl": details.privacy_url,
            "termsOfUseUrl": details.terms_url,
        },
        "name": {"short": short_name, "full": full_name},
        "description": {"short": short_description, "full": full_description},
        "icons": {"color": COLOR_FILE, "outline": OUTLINE_FILE},
        "accentColor": details.accent_color,
        "bots": [{
            "botId": details.app_id,
            "scopes": list(SCOPES),
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [
                {"scopes": [scope], "commands": [
                    {"title": command.title[EN], "description": command.description[EN]}
                    for command in commands_for(scope)]}
                for scope in SCOPES
            ],
        }],
        "composeExtensions": [{
            "botId": details.app_id,
            **({"messageHandlers": [{"type": "link", "value": {"domains": [details.link_domain]}}]}
               if details.link_domain else {}),
            "commands": [{
                "id": SEARCH_COMMAND, "type": "query", "initialRun": True,
                "context": ["compose", "commandBox"],
                "title": SEARCH_TEXT["title"][EN], "description": SEARCH_TEXT["description"][EN],
                "parameters": [{"name": QUERY_PARAMETER, "inputType": "text",
                                "title": SEARCH_TEXT["parameter"][EN],
                                "description": SEARCH_TEXT["parameter_description"][EN]}],
            }],
        }],
        **({"staticTabs": static_tabs(details.tab_host)} if details.tab_host else {}),
        "validDomains": list(details.domains),
        **({"webApplicationInfo": {"id": details.app_id, "resource": details.sso_resource}}
           if details.sso_resource else {}),   # check() lets it through only with a tab host
    }


def tab_url(host: str) -> str:
    """The tab's page as Teams opens it: Teams fills in {locale} and {theme}."""
    return f"https://{host}{TAB_PATH}?{TAB_QUERY}"


def static_tabs(host: str) -> list[dict[str, Any]]:
    """The portfolio tab in the personal app and, to pin, in channels and group chats."""
    content, website = tab_url(host), f"https://{host}{TAB_PATH}"
    return [
        {"entityId": PERSONAL_TAB, "name": TAB_NAME[EN], "contentUrl": content,
         "websiteUrl": website, "scopes": ["personal"], "context": ["personalTab"]},
        {"entityId": TEAM_TAB, "name": TAB_NAME[EN], "contentUrl": content,
         "websiteUrl": website, "scopes": ["team", "groupChat"],
         "context": ["channelTab", "privateChatTab", "meetingChatTab"]},
    ]


# The compose box's project search (`bot.handlers.message_extension`), in both languages.
SEARCH_TEXT = {
    "title": {EN: "Search projects", NB: "Søk i prosjekter"},
    "description": {EN: "Find a project and insert its card",
                    NB: "Finn et prosjekt og sett inn kortet"},
    "parameter": {EN: "Project", NB: "Prosjekt"},
    "parameter_description": {EN: "Name, code, person or topic",
                              NB: "Navn, kode, person eller tema"},
}


def localization(details: AppDetails) -> dict[str, Any]:
    """nb-no.json: the manifest's words in Norwegian bokmål, keyed by their manifest path."""
    details.check()
    short_name, full_name = NAME[NB]
    short_description, full_description = DESCRIPTION[NB]
    strings: dict[str, Any] = {
        "$schema": LOCALIZATION_SCHEMA,
        "name.short": short_name,
        "name.full": full_name,
        "description.short": short_description,
        "description.full": full_description,
        "composeExtensions[0].commands[0].title": SEARCH_TEXT["title"][NB],
        "composeExtensions[0].commands[0].description": SEARCH_TEXT["description"][NB],
        "composeExtensions[0].commands[0].parameters[0].title": SEARCH_TEXT["parameter"][NB],
        "composeExtensions[0].commands[0].parameters[0].description":
            SEARCH_TEXT["parameter_description"][NB],
    }
    for list_index, scope in enumerate(SCOPES):
        for index, command in enumerate(commands_for(scope)):
            key = f"bots[0].commandLists[{list_index}].commands[{index}]"
            strings[f"{key}.title"] = command.title[NB]
            strings[f"{key}.description"] = command.description[NB]
    if details.tab_host:
        for index in range(len(static_tabs(details.tab_host))):
            strings[f"staticTabs[{index}].name"] = TAB_NAME[NB]
    return strings


def package_files(details: AppDetails) -> dict[str, bytes]:
    """The files of the package by name, in the order they are zipped."""
    return {
        MANIFEST_FILE: _json_bytes(manifest(details)),
        NB_FILE: _json_bytes(localization(details)),
        COLOR_FILE: color_icon(),
        OUTLINE_FILE: outline_icon(),
    }


def _json_bytes(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_package(details: AppDetails, path: Path) -> Path:
    """Write the zip to `path` (replacing it whole, never half-written) and return the path."""
    files = package_files(details)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".teams-package-", suffix=".zip", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for name, content in files.items():
                entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, content)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the package is no secret
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def release_version() -> str:
    """This release's version (the default app version), or 0.1.0 when not installed."""
    try:
        return metadata.version("portfoliobot")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def add_teams_package_command(commands: Any) -> None:
    """Add `teams-package` to the `portfoliobot` subcommands."""
    defaults = AppDetails(app_id="", version="")
    teams = commands.add_parser(
        "teams-package", help="write the Teams app package (manifest and icons) to upload in Teams")
    teams.add_argument("--output", default=str(DEFAULT_PACKAGE),
                       help=f"the zip to write (default {DEFAULT_PACKAGE}; a folder: that file in it)")
    teams.add_argument("--app-id", help="the Azure Bot's application id (default MicrosoftAppId)")
    teams.add_argument("--app-version", help="the app's version, x.y.z; raise it for every new "
                       "upload (default: this release's version)")
    teams.add_argument("--developer-name", default=defaults.developer_name,
                       help=f"the publisher Teams shows (default {defaults.developer_name})")
    teams.add_argument("--website-url", default=defaults.website_url,
                       help=f"the publisher's website (default {defaults.website_url})")
    teams.add_argument("--privacy-url", default=defaults.privacy_url,
                       help=f"the privacy statement (default {defaults.privacy_url})")
    teams.add_argument("--terms-url", default=defaults.terms_url,
                       help=f"the terms of use (default {defaults.terms_url})")
    teams.add_argument("--valid-domain", action="append", default=[], dest="valid_domains",
                       metavar="DOMAIN", help="a domain the app may open (repeatable; default none)")
    teams.add_argument("--tab-host", metavar="HOST",
                       help="the public host that serves /tab, such as portfoliobot.example.no: "
                       "adds the portfolio tab (default: none, no tab)")
    teams.add_argument("--sso-resource", metavar="URI",
                       help="the tab's single sign-on, the Application ID URI api://HOST/APP_ID "
                       "(default TAB_SSO_RESOURCE; used only with --tab-host; '' for none)")


def run_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    """`portfoliobot teams-package`: write the zip and print its path; one line on failure.

    The SSO resource is `--sso-resource`, else TAB_SSO_RESOURCE; the setting alone, without
    `--tab-host`, leaves the package without a tab (as before) and says so in one line."""
    app_id = (args.app_id or settings.app_id).strip()
    if not app_id:
        print("portfoliobot: teams-package needs the bot's app id: set MicrosoftAppId or pass "
              "--app-id", file=sys.stderr)
        return 2
    tab_host = (args.tab_host or "").strip().lower() or None
    explicit = args.sso_resource is not None
    sso_resource = (args.sso_resource if explicit else settings.tab_sso_resource).strip() or None
    if sso_resource and tab_host is None and not explicit:
        print("portfoliobot: note: TAB_SSO_RESOURCE is set but --tab-host is not: the package "
              "has no tab", file=sys.stderr)
        sso_resource = None
    details = AppDetails(
        app_id=app_id, version=args.app_version or release_version(),
        developer_name=args.developer_name, website_url=args.website_url,
        privacy_url=args.privacy_url, terms_url=args.terms_url,
        valid_domains=tuple(dict.fromkeys(domain.strip().lower() for domain in args.valid_domains)),
        link_domain=links.domain if (links := settings.project_links) is not None else None,
        tab_host=tab_host, sso_resource=sso_resource,
    )
    target = Path(args.output)
    if args.output.endswith(("/", os.sep)) or target.is_dir():
        target = target / DEFAULT_PACKAGE.name
    try:
        written = write_package(details, target)
    except TeamsPackageError as error:
        print(f"portfoliobot: teams-package: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"portfoliobot: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(written)
    return 0
