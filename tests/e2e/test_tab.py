"""The portfolio tab in Debian's Chromium, as a person uses it (issue 17).

`portfoliobot serve` runs on the demo portfolio and on a generated one with other names
(`bench.synthetic`); the page is opened at /tab as Teams would open it (without the Teams
frame, so no single sign-on: tests/bot/web/test_tab_routes.py covers that over HTTP). Every
check reads the rendered page: the filter form is filled in and sent, column headers are
clicked, the keyboard alone gets from the skip link to a project's history, the themes change
the page's colours, no console error appears, and axe-core (npm, pinned) finds no serious or
critical accessibility violation. The projects the table shows are compared with a plain pass
over the same portfolio's snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from bench.synthetic import generate
from knowledge.portfolio.demo_database import PortfolioData, demo_portfolio, load_portfolio
from knowledge.portfolio.model import Health, Phase, Project, TransferStatus
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate
from tests.e2e.chat import LOCAL_ORIGINS, open_browser
from tests.e2e.deps import skip_reason
from tests.e2e.servers import Process, running_bot

if reason := skip_reason():
    pytest.skip(reason, allow_module_level=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Tab:
    """A running bot on one portfolio, its snapshot (the oracle) and a page in Chromium."""

    name: str
    bot: Process
    snapshot: Snapshot
    page: Page
    errors: list[str] = field(default_factory=list)

    def open(self, query: str = "") -> None:
        self.page.goto(f"{self.bot.base}/tab?lang=nb-NO{'&' + query if query else ''}")

    def codes(self) -> list[str]:
        """The codes of every page of the table, following "Neste side"."""
        codes: list[str] = []
        while True:
            codes += [c.strip() for c in self.page.locator("tbody tr td:first-child").all_inner_texts()]
            following = self.page.locator('a[rel="next"]')
            if not following.count():
                return codes
            with self.page.expect_navigation():
                following.first.click()

    def expected(self, test: Callable[[Project], bool]) -> set[str]:
        return {p.code for p in self.snapshot.projects.values() if test(p)}

    def health(self, project: Project) -> str:
        report = self.snapshot.latest_report(project.id)
        return report.health.value if report else "none"


def _snapshot(data: PortfolioData) -> Snapshot:
    records, skipped = validate(data)
    assert not skipped
    return build_snapshot(records, datetime.now(UTC))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with open_browser() as launched:
        yield launched


@pytest.fixture(scope="module", params=["demo", "generated"])
def tab(request: pytest.FixtureRequest, browser: Browser,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tab]:
    data = demo_portfolio() if request.param == "demo" else generate(130, seed=2026)
    folder = tmp_path_factory.mktemp(f"tab-{request.param}")
    url = f"sqlite:///{folder / 'portfolio.db'}"
    with ThreadPoolExecutor(1) as worker:   # Playwright's sync API holds this thread's loop
        worker.submit(asyncio.run, load_portfolio(url, data)).result()
    with running_bot(url, folder / "bot") as bot:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
        page = context.new_page()
        made = Tab(request.param, bot, _snapshot(data), page)

        def only_local(route: Any) -> None:
            if route.request.url.startswith(LOCAL_ORIGINS):
                route.continue_()
            else:
                made.errors.append(f"asked for {route.request.url}")
                route.abort()
        page.route("**/*", only_local)
        page.on("console", lambda message: made.errors.append(f"console {message.type}: {message.text}")
                if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: made.errors.append(f"page error: {error}"))
        yield made
        context.close()


def test_the_tab_shows_the_portfolio(tab: Tab) -> None:
    tab.open()
    total = len(tab.snapshot.projects)
    assert tab.page.locator("h1").inner_text() == "Porteføljen"
    assert f"av {total} prosjekter" in tab.page.locator("#shown").inner_text()
    first = sorted(p.code for p in tab.snapshot.projects.values())[:50]
    assert [c.strip() for c in tab.page.locator("tbody tr td:first-child").all_inner_texts()] == first
    for chart in ("#chart-health", "#chart-phase", "#chart-transfer"):
        assert tab.page.locator(f"{chart} svg rect").count() >= 4, chart
    red = sum(1 for p in tab.snapshot.projects.values() if tab.health(p) == "red")
    assert f"rød: {red}" in tab.page.locator("#chart-health").inner_text()


def choose(tab: Tab, field_id: str, value: str) -> None:
    """Fill in one filter from a fresh page and press "Vis", as a person does."""
    tab.open()
    tab.page.select_option(f"#f-{field_id}", value)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Vis").click()


def test_each_filter_narrows_the_table_to_exactly_the_right_projects(tab: Tab) -> None:
    projects = tab.snapshot.projects.values()
    cases: list[tuple[str, str, set[str]]] = []
    for value in [h.value for h in Health] + ["none"]:
        cases.append(("health", value, tab.expected(lambda p, v=value: tab.health(p) == v)))
    for phase in Phase:
        cases.append(("phase", phase.value, tab.expected(lambda p, f=phase: p.phase is f)))
    for status in TransferStatus:
        def moved(p: Project, s: TransferStatus = status) -> bool:
            transfer = tab.snapshot.transfers.get(p.id)
            return transfer is not None and transfer.status is s
        cases.append(("transfer", status.value, tab.expected(moved)))
    for programme in tab.snapshot.programmes:
        cases.append(("programme", str(programme),
                      tab.expected(lambda p, g=programme: p.programme_id == g)))
    for owner in sorted({p.owner_id for p in projects if p.owner_id})[:3]:
        cases.append(("owner", str(owner), tab.expected(lambda p, o=owner: p.owner_id == o)))
    for manager in sorted({p.manager_id for p in projects if p.manager_id})[:3]:
        cases.append(("manager", str(manager), tab.expected(lambda p, m=manager: p.manager_id == m)))
    shown_any = 0
    for field_id, value, want in cases:
        choose(tab, field_id, value)
        got = tab.codes()
        assert sorted(got) == sorted(want) and len(got) == len(set(got)), (field_id, value)
        assert f"{field_id}={value}" in tab.page.url or not want, "the filter is in the URL"
        shown_any += bool(want)
    assert shown_any >= 5


def test_free_text_finds_a_project_by_its_name(tab: Tab) -> None:
    project = sorted(tab.snapshot.projects.values(), key=lambda p: p.code)[3]
    tab.open()
    tab.page.fill("#f-q", project.name)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Vis").click()
    assert tab.page.locator("tbody tr td:first-child").first.inner_text().strip() == project.code


def test_sorting_by_a_column_header(tab: Tab) -> None:
    tab.open()
    with tab.page.expect_navigation():
        tab.page.locator("thead").get_by_role("link", name="Prosjekt", exact=True).click()
    names = tab.page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and len(names) > 1
    assert tab.page.locator('th[aria-sort="ascending"]').inner_text().startswith("Prosjekt")
    with tab.page.expect_navigation():
        tab.page.locator("thead").get_by_role("link", name="Prosjekt", exact=True).click()
    descending = tab.page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    every = sorted((p.name for p in tab.snapshot.projects.values()), key=str.casefold, reverse=True)
    assert descending == every[:len(descending)]
    assert tab.page.locator('th[aria-sort="descending"]').count() == 1


def test_the_project_page_shows_its_history(tab: Tab) -> None:
    reported = max(tab.snapshot.projects.values(),
                   key=lambda p: (len(tab.snapshot.reports.get(p.id, ())), p.code))
    reports = tab.snapshot.reports[reported.id]
    tab.open(f"q={reported.code}")
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name=reported.code, exact=True).click()
    assert tab.page.locator("h1").inner_text() == f"{reported.name} ({reported.code})"
    items = tab.page.locator("ol.timeline > li")
    assert items.count() == len(reports)
    assert reports[-1].summary in items.first.inner_text(), "newest first"
    assert items.locator("time").first.get_attribute("datetime") == reports[-1].reported_at.isoformat()


def colours(tab: Tab) -> tuple[str, str]:
    return tuple(tab.page.evaluate(
        "() => [getComputedStyle(document.body).backgroundColor, "
        "getComputedStyle(document.querySelector('tbody a')).color]"))  # type: ignore[return-value]


def test_the_dark_and_high_contrast_themes_apply(tab: Tab) -> None:
    tab.open()
    assert colours(tab)[0] == "rgb(255, 255, 255)"
    tab.open("theme=dark")
    assert colours(tab)[0] == "rgb(31, 31, 31)"
    tab.open("theme=contrast")
    assert colours(tab) == ("rgb(0, 0, 0)", "rgb(255, 255, 0)")
    with tab.page.expect_navigation():
        tab.page.locator("tbody a").first.click()
    assert "theme=contrast" in tab.page.url and colours_of_page(tab) == "rgb(0, 0, 0)", \
        "the theme stays on the next page"


def colours_of_page(tab: Tab) -> str:
    return str(tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor"))


def focused(tab: Tab) -> str:
    return str(tab.page.evaluate(
        "() => { const e = document.activeElement; return (e.id || '') + '|' + e.tagName + '|' "
        "+ (e.textContent || '').trim().slice(0, 40); }"))


def tab_until(tab: Tab, wanted: Callable[[str], bool], limit: int = 60) -> str:
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        now = focused(tab)
        if wanted(now):
            return now
    raise AssertionError(f"the keyboard never reached it; last focus {focused(tab)}")


def test_the_keyboard_alone_gets_from_search_to_a_projects_history(tab: Tab) -> None:
    project = sorted(tab.snapshot.projects.values(), key=lambda p: p.code)[1]
    tab.open()
    tab.page.keyboard.press("Tab")
    assert "Hopp til innholdet" in focused(tab), "the skip link comes first"
    tab.page.keyboard.press("Enter")
    tab_until(tab, lambda now: now.startswith("f-q|"))
    tab.page.keyboard.type(project.code)
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    assert f"q={project.code}" in tab.page.url
    tab_until(tab, lambda now: now.endswith(f"|A|{project.code}"))
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    assert tab.page.locator("h1").inner_text() == f"{project.name} ({project.code})"


def test_no_serious_accessibility_violation(tab: Tab, browser: Browser) -> None:
    """axe-core on the page, a filtered page, a project and each theme; the check runs in a
    context that lets the test inject axe (the page's own policy would refuse it)."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    code = sorted(p.code for p in tab.snapshot.projects.values())[0]
    found: dict[str, list[str]] = {}
    try:
        for path in ("/tab?lang=nb-NO", "/tab?lang=en-US&theme=dark&health=red",
                     "/tab?theme=contrast&sort=name", f"/tab/project/{code}?theme=dark"):
            page.goto(tab.bot.base + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
                       if v["impact"] in ("serious", "critical")]
            if serious:
                found[path] = serious
    finally:
        context.close()
    assert not found, found


def test_no_console_error_and_nothing_from_outside(tab: Tab) -> None:
    tab.open()
    tab.page.wait_for_timeout(300)
    assert tab.errors == [], tab.errors
