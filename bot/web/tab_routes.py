"""`/tab`: the portfolio tab (`bot.tab`) on the bot's web server, with its security headers.

- `GET /tab`: the portfolio (filters in the query, `bot.tab.portfolio_view`).
- `GET /tab/project/{code}`: one project (`bot.tab.detail`); 404 page for an unknown code.
- `GET /tab/mine`: "Mine prosjekter" for the person the `Authorization: Bearer` Teams SSO token
  names (`bot.auth.tab_token`); 401 with a "sign in" fragment for a missing or bad token, 503
  when Entra's keys cannot be fetched. Never anyone else's projects.
- `GET /tab/static/…`: the page's stylesheet and script, and teams-js (vendored; no CDN).

Every answer carries a strict Content-Security-Policy (only this server's scripts, styles and
connections; no inline script or style; framed only by Teams and Microsoft 365's own hosts),
`X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`. Language and theme come
from the query (`lang`, `theme`: what Teams puts in the tab's URL), else Accept-Language.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot.auth.openid_keys import KeySourceUnavailable
from bot.auth.tab_token import TabSignInError, TabTokenValidator
from bot.settings import Settings
from bot.tab.detail import project_page
from bot.tab.mine import mine_fragment, sign_in_fragment
from bot.tab.page import THEMES, Page, message_page, portfolio_page
from bot.tab.portfolio_view import TabFilters, portfolio_view
from bot.tab.texts import language_for, word
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.sync import Syncer

log = logging.getLogger("portfoliobot.tab")

STATIC_DIR = Path(__file__).resolve().parents[1] / "tab" / "static"
STATIC_FILES = {"tab.css": "text/css", "tab.js": "text/javascript",
                "vendor/MicrosoftTeams.min.js": "text/javascript"}
# Where Teams and Microsoft 365 host tabs (Microsoft's list for frame-ancestors).
FRAME_ANCESTORS = ("'self'", "https://teams.microsoft.com", "https://*.teams.microsoft.com",
                   "https://*.teams.cloud.microsoft", "https://*.office.com",
                   "https://*.microsoft365.com", "https://*.cloud.microsoft",
                   "https://*.skype.com")
# teams-js (inside Teams only) asks here for the list of hosts it trusts; it is served from
# this server, never from a CDN.
TEAMS_JS_CDN = "https://res.cdn.office.net"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"connect-src 'self' {TEAMS_JS_CDN}; font-src 'self'; base-uri 'none'; form-action 'self'; "
    f"frame-ancestors {' '.join(FRAME_ANCESTORS)}")
HTML = "text/html"


def secured(response: web.Response) -> web.Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class TabRoutes:
    """The tab's handlers; `syncer` is read per request (start-up sets it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.syncer: Syncer | None = None
        self.validator = (TabTokenValidator(
            client_id=settings.app_id, resource=settings.tab_sso_resource,
            allowed_tenants=settings.allowed_tenant_ids,
            metadata_url=settings.tab_sso_metadata_url)
            if settings.tab_sso_resource else None)
        self._static: dict[str, bytes] = {}

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/tab", self.portfolio)
        app.router.add_get("/tab/project/{code}", self.project)
        app.router.add_get("/tab/mine", self.mine)
        app.router.add_get("/tab/static/{name:.+}", self.static)

    async def close(self) -> None:
        if self.validator is not None:
            await self.validator.close()

    @staticmethod
    def page_of(request: web.Request) -> Page:
        theme = request.query.get("theme", "default")
        return Page(language_for(request.query.get("lang"), request.headers.get("Accept-Language")),
                    theme if theme in THEMES else "default")

    def _snapshot(self) -> Snapshot | None:
        return self.syncer.snapshot if self.syncer is not None else None

    @staticmethod
    def _html(text: str, status: int = 200) -> web.Response:
        response = web.Response(text=text, status=status, content_type=HTML, charset="utf-8")
        response.enable_compression()   # gzip when the browser takes it: ~10× smaller pages
        return secured(response)

    def _not_ready(self, page: Page) -> web.Response:
        text = word("not_ready", page.language)
        response = self._html(message_page(page, text, word("title", page.language)), 503)
        response.headers["Retry-After"] = "10"
        return response

    async def portfolio(self, request: web.Request) -> web.Response:
        page = self.page_of(request)
        snapshot = self._snapshot()
        if snapshot is None:
            return self._not_ready(page)
        view = portfolio_view(snapshot, TabFilters.from_query(request.query))
        return self._html(portfolio_page(snapshot, view, page))

    async def project(self, request: web.Request) -> web.Response:
        page = self.page_of(request)
        snapshot = self._snapshot()
        if snapshot is None:
            return self._not_ready(page)
        code = request.match_info["code"][:64]
        project_id = snapshot.codes.get(code.strip().casefold())
        if project_id is None:
            text = word("not_found", page.language, code=code)
            return self._html(message_page(page, text, text), 404)
        return self._html(project_page(snapshot, project_id, page))

    async def mine(self, request: web.Request) -> web.Response:
        page = self.page_of(request)
        language = page.language
        if self.validator is None:   # asked from inside Teams, so "open it in Teams" is wrong
            return self._html(sign_in_fragment(language, "mine_off"))
        try:
            user = await self.validator.user(request.headers.get("Authorization"))
        except TabSignInError as error:
            log.info("tab sign-in refused: %s", error.reason)
            return self._html(sign_in_fragment(language), 401)
        except KeySourceUnavailable as error:
            log.warning("tab sign-in cannot be checked: %s", error)
            return self._html(sign_in_fragment(language, "mine_unavailable"), 503)
        snapshot = self._snapshot()
        if snapshot is None:
            return self._html(sign_in_fragment(language, "not_ready"), 503)
        return self._html(mine_fragment(snapshot, user.object_id, page, self.settings.app_id,
                                        datetime.now(UTC)))

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            return secured(web.Response(status=404, text="not found"))
        if name not in self._static:
            self._static[name] = (STATIC_DIR / name).read_bytes()
        response = web.Response(body=self._static[name], content_type=content_type,
                                charset="utf-8")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return secured(response)
