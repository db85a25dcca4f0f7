"""The portfolio tab's main page as HTML: filters, charts, the table of projects, paging.

Everything is rendered on the server and works without script: the filters are a GET form
(so they end up in the URL and a filtered view can be shared or pinned), sorting and paging
are links, the charts are SVG (`bot.tab.charts`). The page's script (`static/tab.js`) only
adds Teams: the theme as it changes, and "Mine prosjekter" with single sign-on. Every value
from the portfolio is escaped. `Page` carries what every link keeps: the language and the
theme Teams asked for.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from bot.tab.charts import Bar, bar_chart
from bot.tab.portfolio_view import NO_REPORT, SORT_KEYS, NameProblem, PortfolioView
from bot.tab.texts import word
from knowledge.answers.answers import Language
from knowledge.answers.phrases import HEALTH, PHASE, TRANSFER, format_date
from knowledge.portfolio.model import Health, Phase, TransferStatus
from knowledge.portfolio.snapshot import Snapshot

THEMES = ("default", "dark", "contrast")
#: Above this many people, an owner or manager filter is a text field for a name, not a list.
MAX_PEOPLE_OPTIONS = 200
HEALTH_CSS = {Health.GREEN: "bar-green", Health.YELLOW: "bar-yellow", Health.RED: "bar-red"}


@dataclass(frozen=True)
class Page:
    """How this request wants its pages: language and theme (kept in every link)."""

    language: Language
    theme: str = "default"

    def keep(self) -> str:
        return urlencode([("lang", self.language.value), ("theme", self.theme)])

    def href(self, path: str, query: str = "") -> str:
        return f"{path}?{'&'.join(part for part in (query, self.keep()) if part)}"


def document(page: Page, title: str, body: str) -> str:
    """A whole HTML page around `body`."""
    language = page.language
    return (
        "<!DOCTYPE html>"
        f'<html lang="{language.value}" data-theme="{escape(page.theme)}">'
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/tab/static/tab.css">'
        '<script src="/tab/static/tab.js" defer></script>'
        "</head><body>"
        f'<a class="skip" href="#content">{escape(word("skip", language))}</a>'
        f'<main id="content" tabindex="-1">{body}</main></body></html>')


def _options(choices: list[tuple[str, str]], selected: set[str], language: Language) -> str:
    first = f'<option value="">{escape(word("any", language))}</option>'
    return first + "".join(
        f'<option value="{escape(value)}"{" selected" if value in selected else ""}>'
        f"{escape(label)}</option>" for value, label in choices)


def _select(name: str, label: str, choices: list[tuple[str, str]], selected: set[str],
            language: Language) -> str:
    return (f'<div class="field"><label for="f-{name}">{escape(label)}</label>'
            f'<select id="f-{name}" name="{name}">{_options(choices, selected, language)}'
            "</select></div>")


def _person_field(name: str, label: str, choices: list[tuple[str, str]], chosen: int | None,
                  typed: str, snapshot: Snapshot, language: Language) -> str:
    """A list of the people to pick from, or, when there are too many for a list, a field to
    type a name in (showing the person chosen, or what was typed)."""
    if len(choices) <= MAX_PEOPLE_OPTIONS:
        return _select(name, label, choices, {str(chosen)}, language)
    person = snapshot.persons.get(chosen) if chosen is not None else None
    value = person.full_name if person else typed
    return (f'<div class="field"><label for="f-{name}">{escape(label)}</label>'
            f'<input id="f-{name}" name="{name}" type="text" value="{escape(value)}" '
            f'maxlength="100" placeholder="{escape(word("person_hint", language))}"></div>')


def filter_form(snapshot: Snapshot, view: PortfolioView, page: Page) -> str:
    language, filters = page.language, view.filters
    programmes = sorted(snapshot.programmes.values(), key=lambda p: (p.short_name or p.name).casefold())
    owners, managers = people_choices(snapshot)
    health = [(h.value, HEALTH[h][language]) for h in Health] + [
        (NO_REPORT, word("no_report", language))]
    fields = [
        f'<div class="field field-wide"><label for="f-q">{escape(word("search", language))}</label>'
        f'<input id="f-q" name="q" type="search" value="{escape(filters.text)}" maxlength="200" '
        f'placeholder="{escape(word("search_hint", language))}"></div>',
        _select("programme", word("programme", language),
                [(str(p.id), p.short_name or p.name) for p in programmes],
                {str(filters.programme)}, language),
        _select("health", word("health", language), health, set(filters.health), language),
        _select("phase", word("phase", language), [(p.value, PHASE[p][language]) for p in Phase],
                {p.value for p in filters.phases}, language),
        _select("transfer", word("transfer", language),
                [(t.value, TRANSFER[t][language]) for t in TransferStatus],
                {t.value for t in filters.transfers}, language),
        _person_field("owner", word("owner", language), owners, filters.owner,
                      filters.owner_name, snapshot, language),
        _person_field("manager", word("manager", language), managers, filters.manager,
                      filters.manager_name, snapshot, language),
    ]
    kept = "".join(f'<input type="hidden" name="{key}" value="{escape(value)}">'
                   for key, value in (("lang", language.value), ("theme", page.theme)))
    return (f'<form class="filters" method="get" action="/tab" role="search" '
            f'aria-label="{escape(word("filters", language))}">{"".join(fields)}{kept}'
            f'<div class="field buttons"><button type="submit">{escape(word("filter", language))}'
            f'</button> <a href="{escape(page.href("/tab"))}">{escape(word("clear", language))}</a>'
            "</div></form>")


PeopleChoices = tuple[list[tuple[str, str]], list[tuple[str, str]]]
# The choices of the newest snapshot, with a weak reference to it: `id()` alone could match a
# new snapshot that happens to be allocated where a freed one was.
_people_cache: list[tuple[weakref.ref[Snapshot], PeopleChoices]] = []


def people_choices(snapshot: Snapshot) -> PeopleChoices:
    """(owners, managers) as select options, by name; computed once per snapshot."""
    if _people_cache and _people_cache[0][0]() is snapshot:
        return _people_cache[0][1]

    def choices(ids: set[int | None]) -> list[tuple[str, str]]:
        people = [snapshot.persons[i] for i in ids if i is not None and i in snapshot.persons]
        return [(str(p.id), p.full_name) for p in sorted(people, key=lambda p: p.full_name.casefold())]
    projects = snapshot.projects.values()
    made = (choices({p.owner_id for p in projects}), choices({p.manager_id for p in projects}))
    _people_cache[:] = [(weakref.ref(snapshot), made)]   # one snapshot at a time
    return made


def charts(view: PortfolioView, page: Page) -> str:
    language, filters, tallies = page.language, view.filters, view.tallies

    def href(**changes: object) -> str:
        return page.href("/tab", filters.query(page=1, **changes))

    def chart(chart_id: str, title: str, bars: list[Bar]) -> str:
        parts = ", ".join(f"{bar.label} {bar.count}" for bar in bars)
        return bar_chart(chart_id, title, bars, word("chart", language, title=title, parts=parts))

    health = [Bar(HEALTH[h][language], tallies.health.get(h, 0), HEALTH_CSS[h],
                  href(health=(h.value,))) for h in (Health.RED, Health.YELLOW, Health.GREEN)]
    health.append(Bar(word("no_report", language), tallies.without_report, "bar-none",
                      href(health=(NO_REPORT,))))
    phases = [Bar(PHASE[p][language], tallies.phases.get(p, 0), "bar-accent", href(phases=(p,)))
              for p in Phase]
    transfers = [Bar(TRANSFER[t][language], tallies.transfers.get(t, 0), "bar-accent",
                     href(transfers=(t,))) for t in TransferStatus]
    return (f'<section class="charts" aria-label="{escape(word("counts", language))}">'
            + chart("chart-health", word("health", language), health)
            + chart("chart-phase", word("phase", language), phases)
            + chart("chart-transfer", word("transfer", language), transfers) + "</section>")


def table(view: PortfolioView, page: Page) -> str:
    language, filters = page.language, view.filters
    headers = []
    for key in SORT_KEYS:
        column = word(key, language)
        sorted_here = filters.sort == key or (key == "code" and not filters.sort)
        descending = sorted_here and filters.descending
        aria = f' aria-sort="{"descending" if descending else "ascending"}"' if sorted_here else ""
        link = page.href("/tab", filters.query(sort=key, descending=sorted_here and not descending,
                                               page=1))
        headers.append(
            f'<th scope="col"{aria}><a href="{escape(link)}" '
            f'title="{escape(word("sort_by", language, column=column))}">{escape(column)}</a></th>')
    rows = []
    for row in view.rows:
        project = row.project
        detail = page.href(f"/tab/project/{project.code}")
        health_css = HEALTH_CSS[row.report.health] if row.report else "bar-none"
        cells = [
            f'<td class="nowrap"><a href="{escape(detail)}">{escape(project.code)}</a></td>',
            f"<td>{escape(project.name)}</td>",
            f"<td>{escape((row.programme.short_name or row.programme.name) if row.programme else '')}</td>",
            f"<td>{escape(row.owner.full_name if row.owner else '')}</td>",
            f"<td>{escape(row.manager.full_name if row.manager else '')}</td>",
            f"<td>{escape(PHASE[project.phase][language])}</td>",
            f'<td><span class="dot {health_css}" aria-hidden="true"></span>'
            f"{escape(HEALTH[row.report.health][language] if row.report else word('no_report', language))}</td>",
            f'<td class="nowrap">{escape(format_date(row.report.reported_at, language) if row.report else "")}</td>',
            f"<td>{escape(TRANSFER[row.transfer.status][language] if row.transfer else '')}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        return f'<p class="nothing">{escape(word("nothing", language))}</p>'
    return (f'<div class="table-wrap"><table><caption class="visually-hidden">'
            f'{escape(word("projects_table", language))}</caption>'
            f"<thead><tr>{''.join(headers)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "</div>")


def paging(view: PortfolioView, page: Page) -> str:
    language, filters = page.language, view.filters
    last = view.first + len(view.rows) - 1
    shown = word("shown", language, first=view.first, last=max(last, 0), total=view.total)
    if filters.active:
        shown += word("of_portfolio", language, size=view.portfolio_size)
    links = []
    if filters.page > 1:
        links.append(f'<a rel="prev" href="{escape(page.href("/tab", filters.query(page=filters.page - 1)))}">'
                     f"{escape(word('previous', language))}</a>")
    if view.pages > 1:
        links.append(f"<span>{escape(word('page', language, page=filters.page, pages=view.pages))}</span>")
    if filters.page < view.pages:
        links.append(f'<a rel="next" href="{escape(page.href("/tab", filters.query(page=filters.page + 1)))}">'
                     f"{escape(word('next', language))}</a>")
    notes = "".join(
        f'<p class="note">{escape(name_problem(problem, language))}</p>'
        for problem in view.problems)
    return (notes + f'<p class="shown" id="shown" role="status">{escape(shown)}</p>'
            f'<nav class="paging" aria-label="{escape(word("page", language, page=filters.page, pages=view.pages))}">'
            f'{" ".join(links)}</nav>')


def name_problem(problem: NameProblem, language: Language) -> str:
    role = word(problem.role, language).lower()
    if problem.candidates:
        return word("name_several", language, name=problem.typed,
                    names=", ".join(problem.candidates))
    return word("name_none", language, role=role, name=problem.typed)


def mine_section(page: Page) -> str:
    """Filled in by the script inside Teams (single sign-on); says why when it cannot be."""
    language = page.language
    return (f'<section class="mine" id="mine" aria-labelledby="mine-title" aria-live="polite">'
            f'<h2 id="mine-title">{escape(word("mine", language))}</h2>'
            f'<p id="mine-body">{escape(word("mine_sign_in", language))}</p></section>')


def portfolio_page(snapshot: Snapshot, view: PortfolioView, page: Page) -> str:
    language = page.language
    body = (f'<h1>{escape(word("title", language))}</h1>'
            f'<p class="intro">{escape(word("intro", language))}</p>'
            + mine_section(page) + filter_form(snapshot, view, page) + charts(view, page)
            + f'<section id="projects" aria-labelledby="projects-title" tabindex="-1">'
              f'<h2 id="projects-title">{escape(word("projects_table", language))}</h2>'
            + paging(view, page) + table(view, page) + "</section>")
    return document(page, word("title", language), body)


def message_page(page: Page, text: str, status_title: str) -> str:
    """A page that only says something (not ready, not found), with the way back."""
    language = page.language
    body = (f"<h1>{escape(status_title)}</h1><p>{escape(text)}</p>"
            f'<p><a href="{escape(page.href("/tab"))}">{escape(word("back", language))}</a></p>')
    return document(page, status_title, body)
