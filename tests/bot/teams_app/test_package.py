"""The Teams app package: its manifest against Microsoft's schema, the icons, the CLI command.

The schemas under tests/bot/data are Microsoft's, copied unchanged (only the tests need them):

- teams_manifest_schema_v1.26.json: MicrosoftTeams.schema.json v1.26, from
  OfficeDev/microsoft-365-agents-toolkit, packages/manifest/src/json-schemas/teams/v1.26/
  (commit c7a034919229106cfb2e74e2b32b900960555122), published as
  https://developer.microsoft.com/json-schemas/teams/v1.26/MicrosoftTeams.schema.json;
- teams_localization_schema.json: MicrosoftTeams.Localization.schema.json from
  OfficeDev/microsoft-teams-app-schema (commit 10df1724e5ac38b5218c7ed5990ed5ce9cfd8bdf).

Both say draft-04 in `$schema` but use `const` (draft-06 on), so they are read as Draft 7.
"""

from __future__ import annotations

import copy
import fnmatch
import io
import json
import os
import re
import struct
import tomllib
import zipfile
import zlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from jsonschema import Draft7Validator, FormatChecker

from bot.cli.main import main
from bot.handlers.message_extension import QUERY_PARAMETER, SEARCH_COMMAND
from bot.tab.page import THEMES
from bot.tab.texts import language_for
from bot.teams_app.icons import COLOR_SIZE, OUTLINE_SIZE
from bot.teams_app.package import (
    COMMANDS,
    MANIFEST_VERSION,
    MAX_COMMANDS,
    MAX_DESCRIPTION,
    MAX_TITLE,
    MENU_SCOPES,
    NOT_IN_MENU,
    SCOPES,
    AppDetails,
    TeamsPackageError,
    commands_for,
    localization,
    manifest,
    package_files,
    write_package,
)
from knowledge.answers.answers import Intent, Language
from knowledge.commands.command_words import COMMANDS as COMMAND_TABLE
from knowledge.commands.command_words import command_for
from knowledge.commands.subscription_commands import SubscriptionAction, parse_subscription_command
from knowledge.language.understanding import understand
from knowledge.portfolio.status_rules import UNDO_WINDOW

DATA = Path(__file__).parents[1] / "data"
MANIFEST_SCHEMA = DATA / f"teams_manifest_schema_v{MANIFEST_VERSION}.json"
LOCALIZATION_SCHEMA = DATA / "teams_localization_schema.json"
APP_ID = "6f1c2b3a-9d4e-4f5a-8b7c-0123456789ab"
DETAILS = AppDetails(app_id=APP_ID, version="1.4.0")
PACKAGE_NAMES = {"manifest.json", "nb-no.json", "color.png", "outline.png"}
TAB_HOST = "portfoliobot.example.no"
SSO_RESOURCE = f"api://{TAB_HOST}/{APP_ID}"
TAB_DETAILS = replace(DETAILS, tab_host=TAB_HOST)
SSO_DETAILS = replace(TAB_DETAILS, sso_resource=SSO_RESOURCE)


def _schema(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return schema


def _validator(path: Path) -> Draft7Validator:
    return Draft7Validator(_schema(path), format_checker=Draft7Validator.FORMAT_CHECKER)


def _errors(path: Path, instance: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, error.path))}: {error.message}"
            for error in _validator(path).iter_errors(instance)]


# ----------------------------------------------------------------- the shipped schemas
@pytest.mark.parametrize("path", [MANIFEST_SCHEMA, LOCALIZATION_SCHEMA], ids=lambda p: p.name)
def test_the_shipped_schemas_are_valid_draft_7_schemas(path: Path) -> None:
    ecma = FormatChecker()

    @ecma.checks("regex", raises=re.error)
    def _ecma_regex(pattern: object) -> bool:
        # JSON Schema patterns are ECMA-262 regexes; Python's `re` lacks only the Unicode
        # property escape \p{L} (a letter) that the manifest schema uses once.
        return not isinstance(pattern, str) or bool(re.compile(pattern.replace(r"\p{L}", "a")))

    Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=ecma).validate(_schema(path))


def test_the_manifest_schema_is_the_version_the_manifest_names() -> None:
    schema = _schema(MANIFEST_SCHEMA)
    assert schema["properties"]["manifestVersion"]["const"] == MANIFEST_VERSION
    assert manifest(DETAILS)["manifestVersion"] == MANIFEST_VERSION
    assert f"/v{MANIFEST_VERSION}/" in manifest(DETAILS)["$schema"]


# ----------------------------------------------------------------- the manifest
def test_the_manifest_validates_against_the_teams_schema() -> None:
    assert _errors(MANIFEST_SCHEMA, manifest(DETAILS)) == []


def test_the_norwegian_translation_validates_against_the_localization_schema() -> None:
    assert _errors(LOCALIZATION_SCHEMA, localization(DETAILS)) == []


@pytest.mark.parametrize("breakage", [
    "no developer", "old manifest version", "bot id no guid", "unknown scope", "bad colour",
    "extra field",
])
def test_a_broken_manifest_fails_the_validator(breakage: str) -> None:
    broken = copy.deepcopy(manifest(DETAILS))
    if breakage == "no developer":
        del broken["developer"]
    elif breakage == "old manifest version":
        broken["manifestVersion"] = "1.16"
    elif breakage == "bot id no guid":
        broken["bots"][0]["botId"] = "portfoliobot"
    elif breakage == "unknown scope":
        broken["bots"][0]["scopes"].append("meetings")
    elif breakage == "bad colour":
        broken["accentColor"] = "blue"
    else:
        broken["homepage"] = "https://sykehuspartner.no"
    assert _errors(MANIFEST_SCHEMA, broken) != []


def test_a_broken_translation_fails_the_validator() -> None:
    too_many = dict(localization(DETAILS))
    too_many["bots[0].commandLists[0].commands[10].title"] = "elleve"
    assert _errors(LOCALIZATION_SCHEMA, too_many) != []
    missing = dict(localization(DETAILS))
    del missing["description.full"]
    assert _errors(LOCALIZATION_SCHEMA, missing) != []


def test_the_app_and_the_bot_carry_the_bots_app_id() -> None:
    built = manifest(DETAILS)
    assert built["id"] == APP_ID
    assert [bot["botId"] for bot in built["bots"]] == [APP_ID]
    assert built["version"] == "1.4.0"


def test_the_compose_box_search_is_declared_as_the_bot_answers_it() -> None:
    [extension] = manifest(DETAILS)["composeExtensions"]
    assert extension["botId"] == DETAILS.app_id
    [command] = extension["commands"]
    assert command["id"] == SEARCH_COMMAND and command["type"] == "query"
    assert command["initialRun"] is True   # the caller's own projects before anything is typed
    assert [p["name"] for p in command["parameters"]] == [QUERY_PARAMETER]
    norwegian = localization(DETAILS)
    assert norwegian["composeExtensions[0].commands[0].title"] == "Søk i prosjekter"
    assert norwegian["composeExtensions[0].commands[0].parameters[0].title"] == "Prosjekt"


def test_links_to_the_portfolio_unfurl_only_when_its_domain_is_given() -> None:
    assert "messageHandlers" not in manifest(DETAILS)["composeExtensions"][0]
    linked = manifest(replace(DETAILS, link_domain="portefolje.example.no"))
    assert linked["composeExtensions"][0]["messageHandlers"] == [
        {"type": "link", "value": {"domains": ["portefolje.example.no"]}}]
    assert _errors(MANIFEST_SCHEMA, linked) == []


def test_the_bot_is_offered_in_personal_chat_teams_and_group_chats() -> None:
    bot = manifest(DETAILS)["bots"][0]
    assert bot["scopes"] == list(SCOPES) == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    assert [command_list["scopes"] for command_list in bot["commandLists"]] == [
        ["personal"], ["team"], ["groupChat"]]


def test_every_scope_has_a_command_list_within_teams_limits() -> None:
    for command_list in manifest(DETAILS)["bots"][0]["commandLists"]:
        commands = command_list["commands"]
        assert 1 <= len(commands) <= MAX_COMMANDS
        titles = [command["title"] for command in commands]
        assert len(set(titles)) == len(titles)
        assert "help" in titles
    for command in COMMANDS:
        for language in Language:
            assert 0 < len(command.title[language]) <= MAX_TITLE
            assert 0 < len(command.description[language]) <= MAX_DESCRIPTION


def test_the_command_lists_are_in_english_and_norwegian() -> None:
    bot = manifest(DETAILS)["bots"][0]
    strings = localization(DETAILS)
    english = {(i, j): command for i, command_list in enumerate(bot["commandLists"])
               for j, command in enumerate(command_list["commands"])}
    norwegian_keys = {key for key in strings if key.startswith("bots[")}
    assert norwegian_keys == {f"bots[0].commandLists[{i}].commands[{j}].{part}"
                              for (i, j) in english for part in ("title", "description")}
    for (i, j), command in english.items():
        title = strings[f"bots[0].commandLists[{i}].commands[{j}].title"]
        entry = next(c for c in COMMANDS if c.title[Language.EN] == command["title"])
        assert title == entry.title[Language.NB]
    personal = [strings[f"bots[0].commandLists[0].commands[{j}].title"]
                for j in range(len(commands_for("personal")))]
    assert {"hjelp", "hvem eier", "status", "mine prosjekter", "abonner", "angre"} <= set(personal)
    assert strings["name.short"] == "Porteføljeboten"
    assert manifest(DETAILS)["localizationInfo"] == {
        "defaultLanguageTag": "en-us",
        "additionalLanguages": [{"languageTag": "nb-no", "file": "nb-no.json"}]}


def _understood(title: str) -> bool:
    """Whether the bot answers `title` (followed by a project, where it asks for one)."""
    if command_for(title) is not None:
        return True
    question = understand(f"{title} DHO")
    return question.help_cue or bool(question.health) or bool(
        question.cue_intents() & {Intent.OWNER, Intent.MANAGER, Intent.STATUS})


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.title[Language.EN])
def test_every_command_title_is_something_the_bot_understands(command: Any) -> None:
    for language in Language:
        title = command.title[language]
        assert _understood(title), title


def test_the_menu_is_the_command_tables_and_stays_as_it_was() -> None:
    """The menu is made from the command table (which also makes the help text); which
    commands each scope lists, and in which order, is what it was when written by hand."""
    menu = [command for command in COMMAND_TABLE if command.menu is not None]
    assert {command.name for command in menu} == set(MENU_SCOPES) | NOT_IN_MENU
    assert [(c.title, c.description) for c in COMMANDS] == [
        (c.menu.title, c.menu.description) for c in menu if c.name in MENU_SCOPES]
    shared = ["help", "who owns", "who leads", "status", "which projects are red", "my projects",
              "update status", "subscribe", "subscriptions", "unsubscribe"]
    personal = ["help", "who owns", "status", "which projects are red", "my projects",
                "update status", "undo", "subscribe", "subscriptions", "unsubscribe"]
    assert {scope: [c.title[Language.EN] for c in commands_for(scope)] for scope in SCOPES} == {
        "personal": personal, "team": shared, "groupChat": shared}


def test_the_subscription_commands_do_what_their_titles_say() -> None:
    actions = {title: parse_subscription_command(title) for title in (
        "subscribe", "abonner", "subscriptions", "abonnementer", "unsubscribe",
        "avslutt abonnement")}
    assert {title: command.action if command else None for title, command in actions.items()} == {
        "subscribe": SubscriptionAction.SUBSCRIBE, "abonner": SubscriptionAction.SUBSCRIBE,
        "subscriptions": SubscriptionAction.LIST, "abonnementer": SubscriptionAction.LIST,
        "unsubscribe": SubscriptionAction.UNSUBSCRIBE,
        "avslutt abonnement": SubscriptionAction.UNSUBSCRIBE}


def test_the_undo_window_in_the_command_menu_is_the_bots() -> None:
    undo = next(command for command in COMMANDS if command.title[Language.EN] == "undo")
    minutes = int(UNDO_WINDOW / timedelta(minutes=1))
    assert f"last {minutes} minutes" in undo.description[Language.EN]
    assert f"siste {minutes} minuttene" in undo.description[Language.NB]


@pytest.mark.parametrize(("change", "fragment"), [
    ({"app_id": "not-a-guid"}, "GUID"),
    ({"version": "1.0"}, "1.0.2"),
    ({"privacy_url": "http://sykehuspartner.no/personvern"}, "https://"),
    ({"valid_domains": ("https://bot.example.no",)}, "host name"),
    ({"developer_name": "x" * 33}, "32"),
])
def test_app_details_teams_would_refuse_are_refused(change: dict[str, Any], fragment: str) -> None:
    details = AppDetails(**{"app_id": APP_ID, "version": "1.0.0", **change})
    with pytest.raises(TeamsPackageError, match=re.escape(fragment)):
        manifest(details)


# ----------------------------------------------------------------- the tab and its single sign-on
@pytest.mark.parametrize("details", [TAB_DETAILS, SSO_DETAILS], ids=["tab", "tab and sso"])
def test_the_manifest_with_the_tab_validates_against_the_teams_schemas(details: AppDetails) -> None:
    built = manifest(details)
    assert "staticTabs" in built
    assert _errors(MANIFEST_SCHEMA, built) == []
    assert _errors(LOCALIZATION_SCHEMA, localization(details)) == []


def test_without_a_tab_host_the_package_has_no_tab() -> None:
    built = manifest(DETAILS)
    assert "staticTabs" not in built and "configurableTabs" not in built
    assert "webApplicationInfo" not in built
    assert built["validDomains"] == []
    assert not [key for key in localization(DETAILS) if key.startswith("staticTabs")]


def test_the_tab_is_personal_and_can_be_pinned_in_channels_and_group_chats() -> None:
    tabs = manifest(TAB_DETAILS)["staticTabs"]
    assert [(tab["entityId"], tab["scopes"]) for tab in tabs] == [
        ("portfolio", ["personal"]), ("portfolio-team", ["team", "groupChat"])]
    assert [tab["name"] for tab in tabs] == ["Portfolio", "Portfolio"]
    norwegian = localization(TAB_DETAILS)
    assert [norwegian[f"staticTabs[{index}].name"] for index in range(len(tabs))] == [
        "Portefølje", "Portefølje"]
    # the schema's own enum: static tabs may have these scopes (manifest v1.16 on)
    enum = _schema(MANIFEST_SCHEMA)["properties"]["staticTabs"]["items"]["properties"][
        "scopes"]["items"]["enum"]
    assert {"personal", "team", "groupChat"} <= set(enum)


def test_the_tabs_open_the_tab_page_with_the_teams_locale_and_theme() -> None:
    for tab in manifest(TAB_DETAILS)["staticTabs"]:
        content = urlsplit(tab["contentUrl"])
        assert (content.scheme, content.netloc, content.path) == ("https", TAB_HOST, "/tab")
        assert dict(parse_qsl(content.query)) == {"lang": "{locale}", "theme": "{theme}"}
        assert tab["websiteUrl"] == f"https://{TAB_HOST}/tab"
        # what Teams makes of the placeholders is what the page reads (bot.web.tab_routes)
        filled = dict(parse_qsl(urlsplit(
            tab["contentUrl"].replace("{locale}", "nb-NO").replace("{theme}", "dark")).query))
        assert language_for(filled["lang"], None) is Language.NB
        assert filled["theme"] in THEMES


def test_the_tab_host_is_a_valid_domain_once() -> None:
    assert manifest(TAB_DETAILS)["validDomains"] == [TAB_HOST]
    both = replace(TAB_DETAILS, valid_domains=("bot.example.no", TAB_HOST))
    assert manifest(both)["validDomains"] == ["bot.example.no", TAB_HOST]
    full = replace(TAB_DETAILS, valid_domains=tuple(f"d{i}.example.no" for i in range(16)))
    with pytest.raises(TeamsPackageError, match="at most 16 valid domains"):
        manifest(full)


def test_single_sign_on_is_declared_only_with_an_sso_resource() -> None:
    assert "webApplicationInfo" not in manifest(TAB_DETAILS)
    assert manifest(SSO_DETAILS)["webApplicationInfo"] == {"id": APP_ID, "resource": SSO_RESOURCE}
    bot_and_tab = f"api://{TAB_HOST}/botid-{APP_ID}"   # Microsoft's form for bot and tab SSO
    assert manifest(replace(TAB_DETAILS, sso_resource=bot_and_tab))["webApplicationInfo"] == {
        "id": APP_ID, "resource": bot_and_tab}


OTHER_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.mark.parametrize(("change", "fragment"), [
    ({"tab_host": "https://portfoliobot.example.no"}, "no https://"),
    ({"tab_host": "portfoliobot.example.no/tab"}, "host name"),
    ({"tab_host": "*.example.no"}, "host name"),
    ({"tab_host": "portfoliobot"}, "host name"),
    ({"tab_host": "portfoliobot.example.no:8443"}, "host name"),
    ({"sso_resource": f"https://{TAB_HOST}/{APP_ID}"}, f"api://{TAB_HOST}/{APP_ID}"),
    ({"sso_resource": f"api://portefolje.example.no/{APP_ID}"}, "Application ID URI"),
    ({"sso_resource": f"api://evil{TAB_HOST}/{APP_ID}"}, "tab host"),
    ({"sso_resource": f"api://{TAB_HOST}.evil.no/{APP_ID}"}, "tab host"),
    ({"sso_resource": f"api://{TAB_HOST}/{OTHER_ID}"}, "app id"),
    ({"sso_resource": f"api://{TAB_HOST}"}, "Application ID URI"),
    ({"tab_host": None}, "needs the tab host"),
])
def test_a_tab_or_sso_resource_teams_would_refuse_is_refused(
        change: dict[str, Any], fragment: str) -> None:
    details = replace(SSO_DETAILS, **change)
    with pytest.raises(TeamsPackageError, match=re.escape(fragment)) as refused:
        manifest(details)
    assert "\n" not in str(refused.value)


# ----------------------------------------------------------------- the icons
def _png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, colour type and unfiltered rows of an 8-bit PNG without interlacing."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * {2: 3, 6: 4}[colour_type] + 1
    rows = [raw[i:i + stride] for i in range(0, len(raw), stride)]
    assert len(rows) == height and all(row[0] == 0 for row in rows)  # filter type none
    return width, height, colour_type, [row[1:] for row in rows]


def hex_rgb(colour: str) -> bytes:
    """`#rrggbb` as three bytes."""
    return bytes.fromhex(colour.removeprefix("#"))


def test_the_colour_icon_is_a_192_pixel_full_colour_png() -> None:
    width, height, colour_type, rows = _png(package_files(DETAILS)["color.png"])
    assert (width, height) == (COLOR_SIZE, COLOR_SIZE) == (192, 192)
    assert colour_type == 2
    pixels = {bytes(row[i:i + 3]) for row in rows for i in range(0, len(row), 3)}
    assert pixels == {hex_rgb(DETAILS.accent_color), b"\xff\xff\xff"}
    assert rows[0][:3] == hex_rgb(DETAILS.accent_color)   # the background fills it


def test_the_outline_icon_is_a_32_pixel_white_on_transparent_png() -> None:
    width, height, colour_type, rows = _png(package_files(DETAILS)["outline.png"])
    assert (width, height) == (OUTLINE_SIZE, OUTLINE_SIZE) == (32, 32)
    assert colour_type == 6
    pixels = [bytes(row[i:i + 4]) for row in rows for i in range(0, len(row), 4)]
    assert set(pixels) == {b"\xff\xff\xff\xff", b"\xff\xff\xff\x00"}
    assert pixels[0][3] == 0                                     # the corners are transparent
    assert 40 < sum(pixel[3] == 255 for pixel in pixels) < 32 * 32 // 2


def test_the_icons_are_shipped_as_package_data() -> None:
    root = Path(__file__).parents[3]
    package_data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))[
        "tool"]["setuptools"]["package-data"]["bot.teams_app"]
    for name in ("color.png", "outline.png"):
        path = root / "bot" / "teams_app" / "images" / name
        assert path.is_file()
        assert any(fnmatch.fnmatch(f"images/{name}", pattern) for pattern in package_data), name


# ----------------------------------------------------------------- the zip and the CLI
def test_the_package_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = write_package(DETAILS, tmp_path / "a.zip").read_bytes()
    second = write_package(DETAILS, tmp_path / "b.zip").read_bytes()
    assert first == second
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".teams-package-")]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no bot settings but a data folder of its own."""
    for name in list(os.environ):
        if name.startswith(("PORTFOLIO", "BOT_", "Microsoft", "DIGEST_", "REMINDER_", "LOG_",
                            "TAB_")) \
                or name in ("HOST", "PORT", "SYNC_INTERVAL_SECONDS", "NOTIFY_API_TOKEN",
                            "ALLOWED_TENANT_IDS"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PORTFOLIOBOT_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def _zip_contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_command_writes_the_zip_with_the_app_id_from_the_settings(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppPassword", "not-used-by-the-package")
    target = tmp_path / "out" / "teams.zip"
    assert main(["teams-package", "--output", str(target), "--app-version", "1.4.0"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(target)
    assert err == ""
    contents = _zip_contents(target)
    assert set(contents) == PACKAGE_NAMES
    assert contents == package_files(DETAILS)
    written = json.loads(contents["manifest.json"])
    assert written["id"] == written["bots"][0]["botId"] == APP_ID
    assert _errors(MANIFEST_SCHEMA, written) == []
    assert _errors(LOCALIZATION_SCHEMA, json.loads(contents["nb-no.json"])) == []


def test_the_app_id_option_needs_no_settings(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert main(["teams-package", "--output", f"{tmp_path / 'new'}/", "--app-id", other,
                 "--valid-domain", "Bot.Example.no"]) == 0
    target = tmp_path / "new" / "portfoliobot-teams.zip"   # a folder: the default name in it
    assert capsys.readouterr().out.strip() == str(target)
    written = json.loads(_zip_contents(target)["manifest.json"])
    assert written["id"] == written["bots"][0]["botId"] == other
    assert written["validDomains"] == ["bot.example.no"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", written["version"])


def _one_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("portfoliobot: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_without_an_app_id_the_command_says_how_to_give_one(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "teams.zip"
    assert main(["teams-package", "--output", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _one_line(err, "MicrosoftAppId", "--app-id")
    assert not target.exists()


@pytest.mark.parametrize(("options", "fragment"), [
    (["--app-id", "portfoliobot"], "GUID"),
    (["--app-id", APP_ID, "--app-version", "2"], "1.0.2"),
    (["--app-id", APP_ID, "--terms-url", "ftp://sykehuspartner.no"], "https://"),
    (["--app-id", APP_ID, "--tab-host", f"https://{TAB_HOST}/tab"], "tab host"),
    (["--app-id", APP_ID, "--tab-host", TAB_HOST, "--sso-resource", f"api://other.example.no/{APP_ID}"],
     "SSO resource"),
    (["--app-id", APP_ID, "--sso-resource", SSO_RESOURCE], "needs the tab host"),
])
def test_unusable_options_are_one_line_and_exit_2(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        options: list[str], fragment: str) -> None:
    target = tmp_path / "teams.zip"
    assert main(["teams-package", "--output", str(target), *options]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _one_line(err, fragment)
    assert not target.exists()


def test_a_target_that_cannot_be_written_is_one_line_and_exit_2(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    assert main(["teams-package", "--output", str(blocker / "teams.zip"), "--app-id", APP_ID]) == 2
    _one_line(capsys.readouterr().err, "cannot write")


def test_the_command_adds_the_tab_and_its_single_sign_on(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "teams.zip"
    assert main(["teams-package", "--output", str(target), "--app-id", APP_ID, "--app-version",
                 "1.4.0", "--tab-host", " Portfoliobot.Example.NO ", "--sso-resource",
                 SSO_RESOURCE]) == 0
    out, err = capsys.readouterr()
    assert (out.strip(), err) == (str(target), "")
    contents = _zip_contents(target)
    assert contents == package_files(SSO_DETAILS)
    written = json.loads(contents["manifest.json"])
    assert [tab["contentUrl"] for tab in written["staticTabs"]] == [
        f"https://{TAB_HOST}/tab?lang={{locale}}&theme={{theme}}"] * 2
    assert written["validDomains"] == [TAB_HOST]
    assert written["webApplicationInfo"] == {"id": APP_ID, "resource": SSO_RESOURCE}
    assert _errors(MANIFEST_SCHEMA, written) == []
    assert _errors(LOCALIZATION_SCHEMA, json.loads(contents["nb-no.json"])) == []


def test_the_command_takes_the_sso_resource_from_the_setting(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppPassword", "not-used-by-the-package")
    environment.setenv("TAB_SSO_RESOURCE", SSO_RESOURCE)
    target = tmp_path / "teams.zip"
    assert main(["teams-package", "--output", str(target), "--tab-host", TAB_HOST]) == 0
    assert capsys.readouterr().err == ""
    written = json.loads(_zip_contents(target)["manifest.json"])
    assert written["webApplicationInfo"] == {"id": APP_ID, "resource": SSO_RESOURCE}
    assert main(["teams-package", "--output", str(target), "--tab-host", TAB_HOST,
                 "--sso-resource", ""]) == 0                          # '' turns it off
    written = json.loads(_zip_contents(target)["manifest.json"])
    assert "webApplicationInfo" not in written and len(written["staticTabs"]) == 2


def test_the_setting_without_a_tab_host_keeps_the_package_without_a_tab(
        environment: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environment.setenv("MicrosoftAppId", APP_ID)
    environment.setenv("MicrosoftAppPassword", "not-used-by-the-package")
    environment.setenv("TAB_SSO_RESOURCE", SSO_RESOURCE)
    target = tmp_path / "teams.zip"
    assert main(["teams-package", "--output", str(target), "--app-version", "1.4.0"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(target)
    _one_line(err, "TAB_SSO_RESOURCE", "--tab-host")
    assert _zip_contents(target) == package_files(DETAILS)
