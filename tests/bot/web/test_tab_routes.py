"""`/tab` over real HTTP: the page, its filters in the URL, a project, static files, security
headers, and "Mine prosjekter" behind Teams single sign-on with locally signed tokens.

The bot runs on the demo portfolio (SQLite and PostgreSQL); Entra ID's key service is the
local stand-in (`tests.bot.openid_stand_in`). A token that is valid names its person's own
projects; one with the wrong audience, from a foreign tenant, expired or with a bad signature
gets "sign in" (401) and never anyone's projects.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests.bot.conftest import running_bot, settings_for
from tests.bot.openid_stand_in import OpenIdStandIn, StandInKey, entra_user_claims

CLIENT_ID = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
RESOURCE = f"api://portfoliobot.sykehuspartner.example/{CLIENT_ID}"
TENANT = "9c2e4a10-7b3d-4f56-8e91-0a1b2c3d4e5f"
OTHER_TENANT = "11111111-2222-3333-4444-555555555555"
HILDE = "307eb147-71da-53f0-8334-dde73c9b1811"        # demo: owns RP-001, RP-003, RP-005 …
HILDES_PROJECTS = ("RP-001", "RP-003", "RP-005", "RP-007", "RP-008", "RP-010")
NOBODY = "0b0b0b0b-1111-4222-8333-444444444444"       # a valid person not in the portfolio
STIM = 1                                              # the demo programme's id


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    async with ClientSession() as client, client.get(url, headers=headers or {}) as response:
        return response.status, await response.text(), dict(response.headers)


def codes_in(html: str) -> set[str]:
    return set(re.findall(r">((?:RP|ST)-\d{3})</a></td>", html))


@pytest.fixture
async def tab_url(bot_url: str) -> str:
    return bot_url.replace("/api/messages", "/tab")


async def test_the_page_lists_the_portfolio_with_strict_headers(
        tab_url: str, sqlite_demo_snapshot: object) -> None:
    status, html, headers = await get(tab_url + "?lang=nb-NO")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'self' https://teams.microsoft.com" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert len(codes_in(html)) == 18 and '<html lang="nb" data-theme="default">' in html
    assert "Viser 1–18 av 18 prosjekter" in html
    assert "<svg" in html and "style=" not in html, "no inline style: the CSP refuses it"


async def test_filters_in_the_url_narrow_the_table(tab_url: str) -> None:
    _, red, _ = await get(tab_url + "?health=red")
    assert codes_in(red) == {"RP-004", "ST-005"}
    _, stim_red_or_yellow, _ = await get(tab_url + f"?health=red&health=yellow&programme={STIM}")
    assert codes_in(stim_red_or_yellow) == {"ST-003", "ST-005"}
    _, searched, _ = await get(tab_url + "?q=helselogistikk")
    assert "RP-007" in codes_in(searched)
    _, junk, _ = await get(tab_url + "?health=purple&page=abc&sort=1;drop")
    assert len(codes_in(junk)) == 18, "what cannot be used is left out, never an error"


async def test_language_and_theme_come_from_the_url(tab_url: str) -> None:
    _, english, _ = await get(tab_url + "?lang=en-US&theme=dark")
    assert '<html lang="en" data-theme="dark">' in english and "The portfolio" in english
    _, contrast, _ = await get(tab_url + "?theme=contrast", {"Accept-Language": "en-GB,en"})
    assert '<html lang="en" data-theme="contrast">' in contrast
    _, odd, _ = await get(tab_url + '?theme="><script>&lang=xx')
    assert 'data-theme="default"' in odd and "<script>" not in odd.split("</head>")[1]


async def test_a_project_page_and_an_unknown_one(tab_url: str) -> None:
    status, html, headers = await get(tab_url + "/project/rp-007?lang=nb-NO")
    assert status == 200 and "Regional løsning for helselogistikk (RP-007)" in html
    assert '<ol class="timeline">' in html and "Statushistorikk" in html
    assert "Content-Security-Policy" in headers
    status, html, _ = await get(tab_url + "/project/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert status == 404 and "&lt;script&gt;" in html and "<script>alert" not in html


async def test_static_files_and_nothing_else(tab_url: str) -> None:
    status, script, headers = await get(tab_url + "/static/tab.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert "getAuthToken" in script
    status, teams_js, _ = await get(tab_url + "/static/vendor/MicrosoftTeams.min.js")
    assert status == 200 and "microsoftTeams" in teams_js
    for name in ("../../settings.py", "tab.py", "vendor/MicrosoftTeams.LICENSE", "%2e%2e/x"):
        assert (await get(tab_url + "/static/" + name))[0] == 404, name


async def test_mine_without_single_sign_on_says_it_is_not_switched_on(tab_url: str) -> None:
    status, html, _ = await get(tab_url + "/mine", {"Authorization": "Bearer whatever"})
    assert status == 200 and "ikke slått på her ennå" in html and not codes_in_list(html)


def codes_in_list(html: str) -> set[str]:
    return set(re.findall(r"(?:RP|ST)-\d{3}", html))


# ------------------------------------------------------------------ single sign-on
@pytest.fixture
async def entra() -> AsyncIterator[tuple[OpenIdStandIn, StandInKey]]:
    key = StandInKey.new("entra-tab")
    async with OpenIdStandIn() as service:
        service.publish_entra(key)
        yield service, key


@pytest.fixture
async def sso_tab(demo_url: str, tmp_path: Path,
                  entra: tuple[OpenIdStandIn, StandInKey]) -> AsyncIterator[str]:
    service, _ = entra
    settings = replace(settings_for(demo_url, tmp_path), app_id=CLIENT_ID,
                       app_password="a-test-secret", tab_sso_resource=RESOURCE,
                       tab_sso_metadata_url=service.entra_metadata_url,
                       allowed_tenant_ids=(TENANT,))
    async with running_bot(settings) as url:
        yield url.replace("/api/messages", "/tab/mine")


def token(key: StandInKey, object_id: str = HILDE, **changes: object) -> dict[str, str]:
    claims = entra_user_claims(CLIENT_ID, TENANT, object_id, **changes)
    return {"Authorization": f"Bearer {key.sign(claims)}"}


async def test_a_valid_token_shows_the_persons_own_projects(
        sso_tab: str, entra: tuple[OpenIdStandIn, StandInKey]) -> None:
    _, key = entra
    status, html, _ = await get(sso_tab + "?lang=nb-NO", token(key))
    assert status == 200
    assert codes_in_list(html) == set(HILDES_PROJECTS)
    assert "Rapporter status" in html and "teams.microsoft.com/l/chat/0/0" in html
    assert f"28%3A{CLIENT_ID}" in html and "message=statusskjema" in html
    assert re.search(r"\d+ av rapportene dine er eldre enn 14 dager", html), html
    status, html, _ = await get(sso_tab + "?lang=nb-NO", token(key, NOBODY))
    assert status == 200 and "Du finnes ikke i porteføljedatabasen" in html
    assert not codes_in_list(html)


@pytest.mark.parametrize("bad", ["wrong audience", "foreign tenant", "expired",
                                 "bad signature", "no token"])
async def test_a_bad_token_gets_sign_in_and_nobodys_projects(
        sso_tab: str, entra: tuple[OpenIdStandIn, StandInKey], bad: str) -> None:
    _, key = entra
    headers = {
        "wrong audience": token(key, aud="api://someone-else/app"),
        "foreign tenant": {"Authorization": "Bearer " + key.sign(
            entra_user_claims(CLIENT_ID, OTHER_TENANT, HILDE))},
        "expired": token(key, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200,
                         nbf=int(time.time()) - 7200),
        "bad signature": {"Authorization": "Bearer " + StandInKey.new("entra-tab").sign(
            entra_user_claims(CLIENT_ID, TENANT, HILDE))},
        "no token": {},
    }[bad]
    status, html, _ = await get(sso_tab + "?lang=nb-NO", headers)
    assert status == 401, bad
    assert "Du er ikke logget inn" in html and not codes_in_list(html), bad


async def test_keys_that_cannot_be_fetched_say_try_again(
        demo_url: str, tmp_path: Path) -> None:
    settings = replace(settings_for(demo_url, tmp_path), app_id=CLIENT_ID,
                       app_password="a-test-secret", tab_sso_resource=RESOURCE,
                       tab_sso_metadata_url="http://127.0.0.1:9/common/v2.0/.well-known/x")
    key = StandInKey.new("entra-tab")
    async with running_bot(settings) as url:
        status, html, _ = await get(url.replace("/api/messages", "/tab/mine"), token(key))
    assert status == 503 and "kan ikke sjekkes akkurat nå" in html


async def test_before_the_portfolio_is_read_the_tab_says_so(tmp_path: Path) -> None:
    """A portfolio database that cannot be read: every tab page says "not loaded yet" (503,
    Retry-After), never an error page; /tab/mine says the same inside the section."""
    missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'portfolio.db'}"
    settings = replace(settings_for(missing, tmp_path),
                       bot_database_url=f"sqlite:///{tmp_path / 'bot.db'}")
    async with running_bot(settings) as url:
        base = url.replace("/api/messages", "/tab")
        for path in ("", "/project/RP-001", "?health=red"):
            status, html, headers = await get(base + path + ("&" if "?" in path else "?")
                                              + "lang=nb-NO")
            assert status == 503 and headers.get("Retry-After") == "10", path
            assert "Porteføljen er ikke lastet ennå" in html and "Traceback" not in html, path
            assert "Content-Security-Policy" in headers
