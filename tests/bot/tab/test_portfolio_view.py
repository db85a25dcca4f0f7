"""The tab's filters, sorting and paging, checked against the snapshot by brute force.

On the demo portfolio and on a generated one with other names (`bench.synthetic`): every
filter value alone and some combined narrow the projects to exactly those a plain pass over
`snapshot.projects` finds; free text finds what the chat's own search finds; sorting and
paging keep every project once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from multidict import MultiDict

from bench.synthetic import generate
from bot.tab.portfolio_view import (
    NO_REPORT,
    PAGE_SIZE,
    NameProblem,
    PortfolioView,
    TabFilters,
    portfolio_view,
)
from knowledge.answers.project_search import search_projects
from knowledge.portfolio.model import Health, Phase, Project, TransferStatus
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate

TODAY = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def generated_snapshot() -> Snapshot:
    records, skipped = validate(generate(260, seed=11))
    assert not skipped
    return build_snapshot(records, TODAY)


@pytest.fixture(params=["demo", "generated"])
def snapshot(request: pytest.FixtureRequest, sqlite_demo_snapshot: Snapshot,
             generated_snapshot: Snapshot) -> Snapshot:
    return sqlite_demo_snapshot if request.param == "demo" else generated_snapshot


def every_id(snapshot: Snapshot, filters: TabFilters) -> list[int]:
    """The ids of every page of the view, in order."""
    first = portfolio_view(snapshot, filters)
    ids = [row.project.id for row in first.rows]
    for page in range(2, first.pages + 1):
        ids += [row.project.id for row in portfolio_view(snapshot, TabFilters(
            **{**filters.__dict__, "page": page})).rows]
    assert len(ids) == first.total
    return ids


def expected(snapshot: Snapshot, test: Callable[[Project], bool]) -> set[int]:
    return {p.id for p in snapshot.projects.values() if test(p)}


def health_of(snapshot: Snapshot, project: Project) -> str:
    report = snapshot.latest_report(project.id)
    return report.health.value if report else NO_REPORT


def transfer_of(snapshot: Snapshot, project: Project) -> TransferStatus | None:
    transfer = snapshot.transfers.get(project.id)
    return transfer.status if transfer else None


def test_every_single_filter_narrows_to_exactly_the_right_projects(snapshot: Snapshot) -> None:
    checked = 0
    for value in [h.value for h in Health] + [NO_REPORT]:
        want = expected(snapshot, lambda p, v=value: health_of(snapshot, p) == v)
        assert set(every_id(snapshot, TabFilters(health=(value,)))) == want, value
        checked += bool(want)
    for phase in Phase:
        want = expected(snapshot, lambda p, f=phase: p.phase is f)
        assert set(every_id(snapshot, TabFilters(phases=(phase,)))) == want, phase
    for status in TransferStatus:
        want = expected(snapshot, lambda p, s=status: transfer_of(snapshot, p) is s)
        assert set(every_id(snapshot, TabFilters(transfers=(status,)))) == want, status
    for programme in snapshot.programmes:
        want = expected(snapshot, lambda p, g=programme: p.programme_id == g)
        assert set(every_id(snapshot, TabFilters(programme=programme))) == want, programme
        checked += bool(want)
    owners = sorted({p.owner_id for p in snapshot.projects.values() if p.owner_id})[:8]
    managers = sorted({p.manager_id for p in snapshot.projects.values() if p.manager_id})[:8]
    for person in owners:
        want = expected(snapshot, lambda p, o=person: p.owner_id == o)
        assert set(every_id(snapshot, TabFilters(owner=person))) == want, person
    for person in managers:
        want = expected(snapshot, lambda p, m=person: p.manager_id == m)
        assert set(every_id(snapshot, TabFilters(manager=person))) == want, person
    assert checked >= 3, "the portfolio has projects to filter"


def test_combined_filters_and_several_values(snapshot: Snapshot) -> None:
    red_or_yellow = expected(snapshot, lambda p: health_of(snapshot, p) in ("red", "yellow"))
    assert set(every_id(snapshot, TabFilters(health=("red", "yellow")))) == red_or_yellow
    for programme in snapshot.programmes:
        for phase in Phase:
            want = expected(snapshot, lambda p, g=programme, f=phase: p.programme_id == g
                            and p.phase is f and health_of(snapshot, p) != NO_REPORT)
            got = every_id(snapshot, TabFilters(programme=programme, phases=(phase,),
                                                health=tuple(h.value for h in Health)))
            assert set(got) == want, (programme, phase)


def test_free_text_finds_what_the_chat_search_finds(snapshot: Snapshot) -> None:
    project = sorted(snapshot.projects.values(), key=lambda p: p.code)[len(snapshot.projects) // 2]
    for text in (project.name, project.code, project.name.split()[0]):
        found = set(search_projects(snapshot, text, None, limit=len(snapshot.projects)))
        view = portfolio_view(snapshot, TabFilters(text=text))
        assert set(every_id(snapshot, TabFilters(text=text))) == found, text
        assert view.rows, text
    assert portfolio_view(snapshot, TabFilters(text=project.code)).rows[0].project.id == project.id
    assert portfolio_view(snapshot, TabFilters(text="kvxq zzyv")).total == 0


def test_sorting_keeps_every_project_once_in_order(snapshot: Snapshot) -> None:
    everyone = set(snapshot.projects)
    by_name = every_id(snapshot, TabFilters(sort="name"))
    assert set(by_name) == everyone and len(by_name) == len(everyone)
    names = [snapshot.projects[i].name.casefold() for i in by_name]
    assert names == sorted(names)
    assert every_id(snapshot, TabFilters(sort="name", descending=True)) == list(reversed(by_name))
    by_code = every_id(snapshot, TabFilters())
    assert [snapshot.projects[i].code for i in by_code] == sorted(
        snapshot.projects[i].code for i in by_code)
    by_health = every_id(snapshot, TabFilters(sort="health"))
    order = {"red": 0, "yellow": 1, "green": 2, NO_REPORT: 3}
    ranks = [order[health_of(snapshot, snapshot.projects[i])] for i in by_health]
    assert ranks == sorted(ranks)


def test_paging(generated_snapshot: Snapshot) -> None:
    first = portfolio_view(generated_snapshot, TabFilters())
    assert first.total == len(generated_snapshot.projects) > PAGE_SIZE
    assert len(first.rows) == PAGE_SIZE and first.first == 1
    assert first.pages == -(-first.total // PAGE_SIZE)
    last: PortfolioView = portfolio_view(generated_snapshot, TabFilters(page=999))
    assert last.filters.page == last.pages, "a page past the end shows the last"
    assert last.first == (last.pages - 1) * PAGE_SIZE + 1
    assert last.tallies.total == first.total


def test_the_url_carries_the_filters_and_junk_is_left_out() -> None:
    query = MultiDict([("health", "red"), ("health", "purple"), ("phase", "execution,nope"),
                       ("transfer", "planned"), ("programme", "2"), ("owner", "x"),
                       ("manager", "12"), ("q", "  skanner   i   Oslo "), ("sort", "drop table"),
                       ("dir", "desc"), ("page", "-3")])
    filters = TabFilters.from_query(query)
    assert filters == TabFilters(health=("red",), phases=(Phase.EXECUTION,),
                                 transfers=(TransferStatus.PLANNED,), programme=2, owner=None,
                                 owner_name="x", manager=12, text="skanner i Oslo", sort="",
                                 descending=True, page=1)   # owner=x: a typed name
    again = TabFilters.from_query(MultiDict(
        pair.split("=", 1) for pair in filters.query(page=3).replace("+", " ").split("&")))
    assert again == TabFilters(**{**filters.__dict__, "page": 3})
    assert TabFilters().query() == "" and not TabFilters().active and filters.active


def test_the_people_lists_follow_a_new_snapshot(sqlite_demo_snapshot: Snapshot,
                                                generated_snapshot: Snapshot) -> None:
    from bot.tab.page import people_choices
    demo_owners, _ = people_choices(sqlite_demo_snapshot)
    assert people_choices(sqlite_demo_snapshot)[0] is demo_owners, "computed once per snapshot"
    generated_owners, generated_managers = people_choices(generated_snapshot)
    names = {name for _, name in generated_owners}
    assert names == {generated_snapshot.persons[p.owner_id].full_name
                     for p in generated_snapshot.projects.values() if p.owner_id}
    assert {name for _, name in demo_owners} != names
    assert [name for _, name in generated_managers] == sorted(
        (name for _, name in generated_managers), key=str.casefold)


@pytest.fixture(scope="module")
def large_snapshot() -> Snapshot:
    """1,000 projects: about 320 owners and as many managers, too many for a list."""
    records, skipped = validate(generate(1000, seed=5))
    assert not skipped
    return build_snapshot(records, TODAY)


def test_a_typed_owner_or_manager_name_is_resolved_or_reported(large_snapshot: Snapshot) -> None:
    projects = sorted(large_snapshot.projects.values(), key=lambda p: p.code)
    owner = large_snapshot.persons[projects[7].owner_id or 0]
    view = portfolio_view(large_snapshot, TabFilters(owner_name=owner.full_name.upper()))
    assert view.filters.owner == owner.id and view.filters.owner_name == "" and not view.problems
    assert {row.project.owner_id for row in view.rows} == {owner.id}
    assert view.total == sum(1 for p in projects if p.owner_id == owner.id)
    assert f"owner={owner.id}" in view.filters.query(), "links carry the person, not the text"

    manager = large_snapshot.persons[projects[3].manager_id or 0]
    surname = manager.full_name.split()[-1]
    sharing = [large_snapshot.persons[i].full_name for i in
               {p.manager_id for p in projects if p.manager_id}
               if surname.casefold() in large_snapshot.persons[i].full_name.casefold()]
    view = portfolio_view(large_snapshot, TabFilters(manager_name=surname))
    if len(sharing) == 1:
        assert view.filters.manager == manager.id
    else:
        [problem] = view.problems
        assert problem.role == "manager" and set(problem.candidates) <= set(sharing)
        assert view.filters.manager is None and view.total == len(projects), "not used"

    view = portfolio_view(large_snapshot, TabFilters(owner_name="Kvxq Zzyv"))
    [problem] = view.problems
    assert problem == NameProblem("owner", "Kvxq Zzyv", ()) and view.total == len(projects)


def test_the_form_lists_people_or_asks_for_a_name(sqlite_demo_snapshot: Snapshot,
                                                  large_snapshot: Snapshot) -> None:
    from bot.tab.page import MAX_PEOPLE_OPTIONS, Page, filter_form
    from knowledge.answers.answers import Language
    page = Page(Language.NB)
    small = filter_form(sqlite_demo_snapshot, portfolio_view(sqlite_demo_snapshot, TabFilters()),
                        page)
    assert '<select id="f-owner" name="owner">' in small
    owners = {p.owner_id for p in large_snapshot.projects.values()}
    assert len(owners) > MAX_PEOPLE_OPTIONS
    owner = large_snapshot.persons[sorted(owners - {None})[0] or 0]
    view = portfolio_view(large_snapshot, TabFilters(owner_name=owner.full_name,
                                                     manager_name="Kvxq"))
    large = filter_form(large_snapshot, view, page)
    assert '<select id="f-owner"' not in large and len(large) < 20_000
    assert f'<input id="f-owner" name="owner" type="text" value="{owner.full_name}"' in large
    assert '<input id="f-manager" name="manager" type="text" value="Kvxq"' in large
