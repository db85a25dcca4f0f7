"""What the portfolio tab shows for one request: filters from the URL, the projects, the counts.

`TabFilters.from_query` reads the URL's query (`/tab?health=red&programme=2&q=skanner`);
anything it cannot use (an unknown health, a programme id that is not a number) is left out,
never an error, so a pinned or hand-edited URL always shows a page. `portfolio_view` applies
them to a snapshot: the structured filters through the snapshot's precomputed masks
(`Snapshot.select`, `Snapshot.tally`), free text through the chat's own project search
(`knowledge.answers.project_search`, limited to the projects it finds, best first), then
sorts and cuts one page of `PAGE_SIZE` rows. The counts (for the charts) are of every
project that passes the filters, not just the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from knowledge.answers.project_search import search_projects
from knowledge.language.query import Filters
from knowledge.portfolio.model import (
    Health,
    Person,
    Phase,
    Programme,
    Project,
    StatusReport,
    Transfer,
    TransferStatus,
)
from knowledge.portfolio.project_listing import Tallies
from knowledge.portfolio.snapshot import Snapshot

PAGE_SIZE = 50
NO_REPORT = "none"   # health=none: projects without a status report
MAX_TEXT = 200
MAX_NAME = 100
SORT_KEYS = ("code", "name", "programme", "owner", "manager", "phase", "health", "reported",
             "transfer")
PHASE_ORDER = {phase: rank for rank, phase in enumerate(Phase)}
HEALTH_ORDER = {Health.RED: 0, Health.YELLOW: 1, Health.GREEN: 2}
TRANSFER_ORDER = {status: rank for rank, status in enumerate(TransferStatus)}


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() and len(value) < 10 else None


@dataclass(frozen=True)
class TabFilters:
    """The tab's filters, sort and page, as the URL carries them."""

    health: tuple[str, ...] = ()          # Health values and/or NO_REPORT
    phases: tuple[Phase, ...] = ()
    transfers: tuple[TransferStatus, ...] = ()
    programme: int | None = None
    owner: int | None = None
    manager: int | None = None
    owner_name: str = ""                  # a name typed where the list is too long for a select
    manager_name: str = ""
    text: str = ""
    sort: str = ""                        # "": best first for free text, else by code
    descending: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str] | Any) -> TabFilters:
        """Read the filters from a query (a MultiDict: a filter may repeat)."""
        def values(key: str) -> list[str]:
            if hasattr(query, "getall"):
                return [str(v) for v in query.getall(key, [])]
            value = query.get(key)
            return [str(value)] if value is not None else []

        def chosen(key: str, allowed: Mapping[str, Any]) -> tuple[Any, ...]:
            picked = [allowed[v] for value in values(key) for v in value.split(",")
                      if v in allowed]
            return tuple(dict.fromkeys(picked))

        def one(key: str) -> str | None:
            found = values(key)
            return found[0] if found else None

        def person(key: str) -> tuple[int | None, str]:
            value = " ".join((one(key) or "").split())[:MAX_NAME]
            return (int(value), "") if value.isdigit() and len(value) < 10 else (None, value)

        health = {h.value: h.value for h in Health} | {NO_REPORT: NO_REPORT}
        (owner, owner_name), (manager, manager_name) = person("owner"), person("manager")
        sort = one("sort") or ""
        page = _number(one("page")) or 1
        return cls(health=chosen("health", health),
                   phases=chosen("phase", {p.value: p for p in Phase}),
                   transfers=chosen("transfer", {t.value: t for t in TransferStatus}),
                   programme=_number(one("programme")), owner=owner, manager=manager,
                   owner_name=owner_name, manager_name=manager_name,
                   text=" ".join((one("q") or "").split())[:MAX_TEXT],
                   sort=sort if sort in SORT_KEYS else "",
                   descending=one("dir") == "desc", page=max(page, 1))

    def query(self, **changes: Any) -> str:
        """This view's URL query with `changes` (e.g. `sort="name"`, `page=2`), '' if none."""
        view = replace(self, **changes)
        pairs: list[tuple[str, str]] = []
        pairs += [("health", h) for h in view.health]
        pairs += [("phase", p.value) for p in view.phases]
        pairs += [("transfer", t.value) for t in view.transfers]
        pairs += [(key, str(value)) for key, value in (
            ("programme", view.programme),
            ("owner", view.owner if view.owner is not None else view.owner_name or None),
            ("manager", view.manager if view.manager is not None else view.manager_name or None))
            if value is not None]
        if view.text:
            pairs.append(("q", view.text))
        if view.sort:
            pairs.append(("sort", view.sort))
        if view.descending:
            pairs.append(("dir", "desc"))
        if view.page > 1:
            pairs.append(("page", str(view.page)))
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return bool(self.health or self.phases or self.transfers or self.text
                    or self.owner_name or self.manager_name) or any(
            value is not None for value in (self.programme, self.owner, self.manager))

    def knowledge_filters(self, topic_ids: frozenset[int] | None = None) -> Filters:
        colours = frozenset(Health(h) for h in self.health if h != NO_REPORT)
        return Filters(health=colours, phases=frozenset(self.phases),
                       transfer=frozenset(self.transfers), programme_id=self.programme,
                       owner_id=self.owner, manager_id=self.manager,
                       no_report=NO_REPORT in self.health and not colours,
                       topic_ids=topic_ids)


@dataclass(frozen=True)
class TabRow:
    """One project as the table shows it."""

    project: Project
    programme: Programme | None
    owner: Person | None
    manager: Person | None
    report: StatusReport | None
    transfer: Transfer | None


@dataclass(frozen=True)
class NameProblem:
    """A typed owner or manager name that names nobody, or several (`candidates`)."""

    role: str                       # "owner" or "manager"
    typed: str
    candidates: tuple[str, ...]


def resolve_person(snapshot: Snapshot, typed: str, ids: set[int]) -> tuple[int | None,
                                                                        tuple[str, ...]]:
    """The one person among `ids` that `typed` names: the exact full name (any case), else
    the one whose name holds every typed word; else None and the names that matched (≤ 5)."""
    wanted = typed.casefold()
    people = sorted((snapshot.persons[i] for i in ids if i in snapshot.persons),
                    key=lambda p: p.full_name.casefold())
    exact = [p for p in people if p.full_name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0].id, ()
    words = wanted.split()
    found = [p for p in people if words and all(w in p.full_name.casefold() for w in words)]
    if len(found) == 1:
        return found[0].id, ()
    return None, tuple(p.full_name for p in found[:5])


def _resolved_names(snapshot: Snapshot, filters: TabFilters) -> tuple[TabFilters,
                                                                      tuple[NameProblem, ...]]:
    """`filters` with typed owner and manager names replaced by the people they name."""
    problems: list[NameProblem] = []
    projects = snapshot.projects.values()

    def resolved(role: str, typed: str, ids: set[int]) -> int | None:
        person, candidates = resolve_person(snapshot, typed, ids)
        if person is None:
            problems.append(NameProblem(role, typed, candidates))
        return person

    if filters.owner_name and filters.owner is None:
        owner = resolved("owner", filters.owner_name,
                         {p.owner_id for p in projects if p.owner_id is not None})
        filters = replace(filters, owner=owner, owner_name="" if owner else filters.owner_name)
    if filters.manager_name and filters.manager is None:
        manager = resolved("manager", filters.manager_name,
                           {p.manager_id for p in projects if p.manager_id is not None})
        filters = replace(filters, manager=manager,
                          manager_name="" if manager else filters.manager_name)
    return filters, tuple(problems)


@dataclass(frozen=True)
class PortfolioView:
    filters: TabFilters
    rows: tuple[TabRow, ...]       # this page
    total: int                     # every project that passes the filters
    first: int                     # the number of the page's first row (1-based; 0: none)
    pages: int
    tallies: Tallies
    portfolio_size: int
    problems: tuple[NameProblem, ...] = ()   # typed names the filters could not use


def row_of(snapshot: Snapshot, project_id: int) -> TabRow:
    project = snapshot.projects[project_id]
    return TabRow(
        project,
        snapshot.programmes.get(project.programme_id) if project.programme_id else None,
        snapshot.persons.get(project.owner_id) if project.owner_id else None,
        snapshot.persons.get(project.manager_id) if project.manager_id else None,
        snapshot.latest_report(project_id), snapshot.transfers.get(project_id))


def _sort_key(snapshot: Snapshot, sort: str) -> Callable[[int], Any]:
    projects, persons, programmes = snapshot.projects, snapshot.persons, snapshot.programmes

    def person(person_id: int | None) -> str:
        found = persons.get(person_id) if person_id is not None else None
        return found.full_name.casefold() if found else "\uffff"

    def key(project_id: int) -> Any:
        project = projects[project_id]
        if sort == "name":
            return project.name.casefold()
        if sort == "programme":
            programme = programmes.get(project.programme_id) if project.programme_id else None
            return (programme.short_name or programme.name).casefold() if programme else "\uffff"
        if sort == "owner":
            return person(project.owner_id)
        if sort == "manager":
            return person(project.manager_id)
        if sort == "phase":
            return PHASE_ORDER[project.phase]
        if sort == "health":
            report = snapshot.latest_report(project_id)
            return HEALTH_ORDER[report.health] if report else len(HEALTH_ORDER)
        if sort == "reported":
            report = snapshot.latest_report(project_id)
            return report.reported_at.isoformat() if report else ""
        transfer = snapshot.transfers.get(project_id)
        return TRANSFER_ORDER[transfer.status] if transfer else len(TRANSFER_ORDER)
    return key


def portfolio_view(snapshot: Snapshot, filters: TabFilters) -> PortfolioView:
    """The projects passing `filters`, sorted, one page of them, and their counts. A typed
    owner or manager name is used once it names one person; otherwise it is left out and
    reported in `problems`."""
    filters, problems = _resolved_names(snapshot, filters)
    found: tuple[int, ...] | None = None
    if filters.text:
        found = search_projects(snapshot, filters.text, None, limit=len(snapshot.projects))
    knowledge = filters.knowledge_filters(frozenset(found) if found is not None else None)
    ids = [item.project.id for item in snapshot.select(knowledge)]   # in code order
    if found is not None and not filters.sort:
        rank = {project_id: i for i, project_id in enumerate(found)}
        ids.sort(key=rank.__getitem__)   # free text without a chosen sort: best first
    elif filters.sort not in ("", "code"):
        ids.sort(key=_sort_key(snapshot, filters.sort))
    if filters.descending:
        ids.reverse()
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    page = min(filters.page, pages)
    start = (page - 1) * PAGE_SIZE
    rows = tuple(row_of(snapshot, i) for i in ids[start:start + PAGE_SIZE])
    return PortfolioView(replace(filters, page=page), rows, len(ids),
                         start + 1 if rows else 0, pages, snapshot.tally(knowledge),
                         len(snapshot.projects), problems)
