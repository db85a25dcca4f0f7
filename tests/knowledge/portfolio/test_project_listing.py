"""The snapshot's project listing (`Snapshot.select`, `Snapshot.tally`) against a plain scan.

A small hand-made portfolio puts its dates on month and year boundaries (the listing checks
whole months by mask and boundary months day by day), so each date field is checked with
ranges that start and end mid-month, on the boundary days themselves, across months and years,
and negated. People, topics, organisation subtrees, "no report" and combinations are checked
the same way, and the tallies are counted by hand. Hypothesis then compares `select` and
`tally` with the plain scan over random filter combinations on a generated portfolio of 60
projects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.answers.answers import ProjectListItem
from knowledge.language.dates import DateField, DateRange
from knowledge.language.query import DateFilter, Filters
from knowledge.portfolio.demo_database import PortfolioData
from knowledge.portfolio.model import Health, Phase, Project, StatusReport, TransferStatus
from knowledge.portfolio.snapshot import PortfolioRecords, Snapshot, build_snapshot
from knowledge.portfolio.validation import validate
from tests.knowledge.answers.other_portfolio import other_portfolio

BUILT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
UPDATED = "2026-11-01T08:00:00Z"


def _project(id: int, code: str, phase: str, programme: int | None, owner: int | None,
             manager: int | None, organization: int | None, start: str | None,
             end: str | None) -> dict[str, Any]:
    return {"id": id, "code": code, "name": f"Prosjekt {code}", "short_name": None,
            "aliases": None, "description": None, "programme_id": programme, "phase": phase,
            "owner_id": owner, "manager_id": manager, "organization_id": organization,
            "start_date": start, "planned_end_date": end, "updated_at": UPDATED}


def _transfer(project: int, status: str, source: int | None, target: int | None,
              effective: str | None) -> dict[str, Any]:
    return {"project_id": project, "status": status, "from_organization_id": source,
            "to_organization_id": target, "effective_date": effective, "note": None,
            "updated_at": UPDATED}


def _report(id: int, project: int, at: str, health: str) -> dict[str, Any]:
    return {"id": id, "project_id": project, "reported_at": at, "author_id": None,
            "health": health, "summary": "Status.", "source": "portfolio"}


# Codes are not in id order: the listing comes in code order.
SMALL: PortfolioData = {
    "organization": [
        {"id": 1, "name": "Helse Test", "short_name": None, "parent_id": None},
        {"id": 2, "name": "Test IKT", "short_name": None, "parent_id": 1},
        {"id": 3, "name": "Test sykehus", "short_name": None, "parent_id": 1},
        {"id": 4, "name": "Seksjon for drift", "short_name": None, "parent_id": 2},
        {"id": 5, "name": "Driftsenhet nord", "short_name": None, "parent_id": 4},
    ],
    "person": [{"id": n, "full_name": name, "email": None, "aad_object_id": None,
                "title": None, "organization_id": None}
               for n, name in enumerate(("Ada Berg", "Bo Dahl", "Cai Eng", "Dina Fjell"),
                                        start=1)],
    "programme": [
        {"id": 1, "name": "Programmet", "short_name": None, "description": None,
         "status": "active", "closed_on": None},
        {"id": 2, "name": "Gamle programmet", "short_name": None, "description": None,
         "status": "closed", "closed_on": "2024-03-31"},
    ],
    "project": [
        _project(1, "TP-03", "execution", 1, 1, 2, 2, "2023-01-31", "2024-03-01"),
        _project(2, "TP-01", "planning", 1, 2, None, 4, "2023-02-01", "2024-02-29"),
        _project(3, "TP-10", "closed", 2, 1, 3, 5, "2023-02-15", None),
        _project(4, "TP-02", "concept", None, 3, 1, 3, None, "2025-12-31"),
        _project(5, "TP-07", "paused", 2, None, None, None, "2022-12-31", "2026-01-01"),
        _project(6, "TP-05", "execution", 1, 4, 4, 2, "2024-03-15", "2024-03-15"),
        _project(7, "TP-04", "execution", None, 2, 1, 5, "2023-02-28", "2024-03-31"),
        _project(8, "TP-09", "planning", 1, 1, None, 1, "2024-02-29", "2027-06-30"),
        _project(9, "TP-06", "execution", None, 3, 2, 3, "2023-03-01", "2024-02-01"),
    ],
    "project_transfer": [
        _transfer(1, "transferred", 2, 3, "2024-01-15"),
        _transfer(2, "planned", 4, 3, "2026-12-01"),
        _transfer(3, "not_transferred", 5, None, None),
        _transfer(6, "transferred", 3, 5, "2023-12-31"),
        _transfer(7, "in_progress", 5, 2, "2024-01-01"),
        _transfer(9, "completed_before_transfer", 3, 2, None),
    ],
    "project_member": [
        {"project_id": 4, "person_id": 4, "role": "arkitekt"},
        {"project_id": 5, "person_id": 1, "role": "deltaker"},
        {"project_id": 9, "person_id": 4, "role": "superbruker"},
    ],
    "status_report": [
        _report(1, 1, "2026-10-01T23:30:00Z", "green"),
        _report(2, 1, "2026-11-02T08:00:00Z", "red"),
        _report(3, 2, "2026-09-30T12:00:00Z", "yellow"),
        _report(4, 4, "2026-10-31T08:00:00Z", "red"),
        _report(5, 5, "2026-10-15T08:00:00Z", "red"),
        _report(6, 5, "2026-09-01T08:00:00Z", "green"),     # earlier, listed later
        _report(7, 6, "2026-11-25T10:00:00Z", "green"),
        _report(8, 9, "2026-10-31T23:59:00Z", "yellow"),
    ],
    "faq": [],
}


def snapshot_of(data: PortfolioData) -> Snapshot:
    records, skipped = validate(data)
    assert not skipped
    return build_snapshot(records, BUILT)


SMALL_SNAPSHOT = snapshot_of(SMALL)


# The plain scan: straight from the records, sharing nothing with the listing's masks.

def _latest(records: PortfolioRecords) -> dict[int, StatusReport]:
    latest: dict[int, StatusReport] = {}
    for report in sorted(records.reports, key=lambda r: (r.reported_at, r.id)):
        latest[report.project_id] = report
    return latest


def _subtree(records: PortfolioRecords, organization_id: int) -> set[int]:
    found = {organization_id}
    grew = True
    while grew:
        below = {o.id for o in records.organizations if o.parent_id in found}
        grew = not below <= found
        found |= below
    return found


def _day(records: PortfolioRecords, project: Project, field: DateField) -> date | None:
    transfer = next((t for t in records.transfers if t.project_id == project.id), None)
    latest = _latest(records).get(project.id)
    return {DateField.START: project.start_date,
            DateField.PLANNED_END: project.planned_end_date,
            DateField.TRANSFER: transfer.effective_date if transfer else None,
            DateField.REPORT: latest.reported_at.date() if latest else None}[field]


def passes(records: PortfolioRecords, filters: Filters, project: Project) -> bool:
    latest = _latest(records).get(project.id)
    transfer = next((t for t in records.transfers if t.project_id == project.id), None)
    members = {m.person_id for m in records.members if m.project_id == project.id}
    checks = [
        not filters.health or (latest is not None and latest.health in filters.health),
        not filters.phases or project.phase in filters.phases,
        not filters.transfer or (transfer is not None and transfer.status in filters.transfer),
        filters.owner_id is None or project.owner_id == filters.owner_id,
        filters.manager_id is None or project.manager_id == filters.manager_id,
        filters.person_id is None or filters.person_id in (
            {project.owner_id, project.manager_id} | members),
        filters.programme_id is None or project.programme_id == filters.programme_id,
        filters.organization_id is None or project.organization_id in _subtree(
            records, filters.organization_id),
        filters.transfer_organization_id is None or (transfer is not None and bool(
            {transfer.from_organization_id, transfer.to_organization_id}
            & _subtree(records, filters.transfer_organization_id))),
        not filters.no_report or latest is None,
        filters.topic_ids is None or project.id in filters.topic_ids,
    ]
    for condition in filters.dates:
        day = _day(records, project, condition.field)
        in_range = day is not None and (condition.range.first is None
                                        or day >= condition.range.first) and (
            condition.range.last is None or day <= condition.range.last)
        checks.append(in_range != condition.negated)
    return all(checks)


def scanned(records: PortfolioRecords, filters: Filters) -> list[str]:
    return sorted(p.code for p in records.projects if passes(records, filters, p))


def codes(items: Iterable[ProjectListItem]) -> list[str]:
    return [item.project.code for item in items]


def selected(filters: Filters, s: Snapshot = SMALL_SNAPSHOT) -> list[str]:
    got = codes(s.select(filters))
    assert got == scanned(s.records, filters)
    return got


def dated(field: DateField, first: date | None, last: date | None,
          negated: bool = False) -> Filters:
    return Filters(dates=(DateFilter(field, DateRange(first, last), negated),))


D = date
START, END, TRANSFER, REPORT = (DateField.START, DateField.PLANNED_END, DateField.TRANSFER,
                                DateField.REPORT)


@pytest.mark.parametrize(("field", "first", "last", "expected"), [
    # start: 2022-12-31, 2023-01-31, 02-01, 02-15, 02-28, 03-01, 2024-02-29, 2024-03-15
    (START, D(2023, 1, 31), D(2023, 2, 15), ["TP-01", "TP-03", "TP-10"]),
    (START, D(2023, 2, 16), D(2023, 3, 1), ["TP-04", "TP-06"]),
    (START, D(2022, 12, 31), D(2023, 1, 31), ["TP-03", "TP-07"]),
    (START, D(2023, 1, 1), D(2023, 1, 30), []),
    (START, None, D(2022, 12, 31), ["TP-07"]),
    (START, D(2024, 2, 29), None, ["TP-05", "TP-09"]),
    (START, D(2023, 2, 2), D(2024, 3, 14), ["TP-04", "TP-06", "TP-09", "TP-10"]),
    (START, None, None, ["TP-01", "TP-03", "TP-04", "TP-05", "TP-06", "TP-07", "TP-09",
                         "TP-10"]),
    # planned end: 2024-02-01, 02-29, 03-01, 03-15, 03-31, 2025-12-31, 2026-01-01, 2027-06-30
    (END, D(2024, 2, 29), D(2024, 3, 15), ["TP-01", "TP-03", "TP-05"]),
    (END, D(2024, 2, 1), D(2024, 2, 28), ["TP-06"]),
    (END, D(2025, 12, 31), D(2026, 1, 1), ["TP-02", "TP-07"]),
    (END, D(2024, 3, 16), D(2025, 12, 30), ["TP-04"]),
    (END, D(2026, 1, 2), None, ["TP-09"]),
    # transfer: 2023-12-31, 2024-01-01, 2024-01-15, 2026-12-01
    (TRANSFER, D(2023, 12, 31), D(2024, 1, 15), ["TP-03", "TP-04", "TP-05"]),
    (TRANSFER, D(2024, 1, 2), D(2024, 1, 14), []),
    (TRANSFER, D(2024, 1, 1), D(2024, 12, 31), ["TP-03", "TP-04"]),
    (TRANSFER, D(2024, 1, 16), None, ["TP-01"]),
    # latest report (UTC day): 09-30, 10-15, 10-31 (twice), 11-02, 11-25
    (REPORT, D(2026, 10, 31), D(2026, 10, 31), ["TP-02", "TP-06"]),
    (REPORT, D(2026, 10, 1), D(2026, 10, 30), ["TP-07"]),   # TP-03's 10-01 is not its latest
    (REPORT, D(2026, 9, 30), D(2026, 11, 2), ["TP-01", "TP-02", "TP-03", "TP-06", "TP-07"]),
    (REPORT, D(2026, 11, 3), None, ["TP-05"]),
])
def test_a_date_range_selects_the_days_in_it_bounds_included(
        field: DateField, first: date | None, last: date | None, expected: list[str]) -> None:
    assert selected(dated(field, first, last)) == expected


@pytest.mark.parametrize(("field", "first", "last", "expected"), [
    # not reported since 1 October: reported before it, or never
    (REPORT, D(2026, 10, 1), None, ["TP-01", "TP-04", "TP-09", "TP-10"]),
    # not transferred in 2024: no transfer date counts as not in range
    (TRANSFER, D(2024, 1, 1), D(2024, 12, 31),
     ["TP-01", "TP-02", "TP-05", "TP-06", "TP-07", "TP-09", "TP-10"]),
    (START, D(2023, 1, 1), D(2023, 12, 31), ["TP-02", "TP-05", "TP-07", "TP-09"]),
    (END, None, D(2024, 2, 29), ["TP-02", "TP-03", "TP-04", "TP-05", "TP-07", "TP-09",
                                 "TP-10"]),
])
def test_a_negated_date_range_selects_the_others_and_those_without_the_date(
        field: DateField, first: date | None, last: date | None, expected: list[str]) -> None:
    assert selected(dated(field, first, last, negated=True)) == expected
    everyone = selected(Filters())
    kept = selected(dated(field, first, last))
    assert sorted(kept + expected) == everyone


def test_every_day_range_over_the_boundary_months_matches_the_scan() -> None:
    """Every range with bounds among the days around the portfolio's dates, on each field."""
    days = sorted({d + timedelta(days=shift)
                   for d in (D(2022, 12, 31), D(2023, 1, 31), D(2023, 2, 15), D(2023, 2, 28),
                             D(2024, 1, 15), D(2024, 2, 29), D(2024, 3, 15), D(2026, 10, 31))
                   for shift in (-1, 0, 1)})
    for field in DateField:
        for first in (None, *days):
            for last in (None, *days):
                for negated in (False, True):
                    selected(dated(field, first, last, negated))


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(no_report=True), ["TP-04", "TP-09", "TP-10"]),
    (Filters(owner_id=1), ["TP-03", "TP-09", "TP-10"]),
    (Filters(manager_id=1), ["TP-02", "TP-04"]),
    (Filters(person_id=1), ["TP-02", "TP-03", "TP-04", "TP-07", "TP-09", "TP-10"]),
    (Filters(person_id=4), ["TP-02", "TP-05", "TP-06"]),       # member, owner and manager
    (Filters(owner_id=2, manager_id=1), ["TP-04"]),
    (Filters(owner_id=99), []),
    (Filters(topic_ids=frozenset({1, 4, 42})), ["TP-02", "TP-03"]),
    (Filters(topic_ids=frozenset()), []),
    (Filters(organization_id=2), ["TP-01", "TP-03", "TP-04", "TP-05", "TP-10"]),
    (Filters(organization_id=4), ["TP-01", "TP-04", "TP-10"]),
    (Filters(organization_id=5), ["TP-04", "TP-10"]),
    (Filters(organization_id=1),
     ["TP-01", "TP-02", "TP-03", "TP-04", "TP-05", "TP-06", "TP-09", "TP-10"]),
    (Filters(transfer_organization_id=5), ["TP-04", "TP-05", "TP-10"]),
    (Filters(transfer_organization_id=2),
     ["TP-01", "TP-03", "TP-04", "TP-05", "TP-06", "TP-10"]),
    (Filters(programme_id=2), ["TP-07", "TP-10"]),
    (Filters(health=frozenset({Health.RED}), programme_id=2), ["TP-07"]),
    (Filters(health=frozenset({Health.RED, Health.YELLOW})),
     ["TP-01", "TP-02", "TP-03", "TP-06", "TP-07"]),
    (Filters(phases=frozenset({Phase.EXECUTION}), organization_id=2,
             dates=(DateFilter(START, DateRange(D(2023, 1, 1), D(2023, 12, 31))),)),
     ["TP-03", "TP-04"]),
    (Filters(no_report=True, owner_id=1), ["TP-09", "TP-10"]),
    (Filters(no_report=True, health=frozenset({Health.GREEN})), []),
    (Filters(transfer=frozenset({TransferStatus.TRANSFERRED}),
             dates=(DateFilter(TRANSFER, DateRange(D(2024, 1, 1), None)),)), ["TP-03"]),
    (Filters(person_id=1, dates=(DateFilter(START, DateRange(D(2023, 1, 1), None)),
                                 DateFilter(END, DateRange(None, D(2024, 12, 31))))),
     ["TP-03", "TP-04"]),
])
def test_filters_select_what_the_scan_selects(filters: Filters, expected: list[str]) -> None:
    assert selected(filters) == expected


def test_no_filter_lists_every_project_in_code_order_with_its_state() -> None:
    items = SMALL_SNAPSHOT.select(Filters())
    assert codes(items) == ["TP-01", "TP-02", "TP-03", "TP-04", "TP-05", "TP-06", "TP-07",
                            "TP-09", "TP-10"]
    first = items[2]
    assert (first.project.id, first.phase, first.health, first.transfer) == (
        1, Phase.EXECUTION, Health.RED, TransferStatus.TRANSFERRED)
    assert (items[3].health, items[3].transfer) == (None, TransferStatus.IN_PROGRESS)


def test_the_tally_of_everything() -> None:
    tallies = SMALL_SNAPSHOT.tally(Filters())
    assert tallies.total == 9
    assert tallies.health == {Health.RED: 3, Health.YELLOW: 2, Health.GREEN: 1}
    assert tallies.without_report == 3
    assert tallies.phases == {Phase.EXECUTION: 4, Phase.PLANNING: 2, Phase.CLOSED: 1,
                              Phase.CONCEPT: 1, Phase.PAUSED: 1}
    assert tallies.transfers == {
        TransferStatus.TRANSFERRED: 2, TransferStatus.PLANNED: 1,
        TransferStatus.NOT_TRANSFERRED: 1, TransferStatus.IN_PROGRESS: 1,
        TransferStatus.COMPLETED_BEFORE_TRANSFER: 1}
    assert codes(tallies.red) == ["TP-02", "TP-03", "TP-07"]


def test_the_tally_of_a_selection_leaves_out_zero_counts() -> None:
    tallies = SMALL_SNAPSHOT.tally(Filters(programme_id=1))
    assert tallies.total == 4
    assert tallies.health == {Health.RED: 1, Health.YELLOW: 1, Health.GREEN: 1}
    assert tallies.without_report == 1
    assert tallies.phases == {Phase.EXECUTION: 2, Phase.PLANNING: 2}
    assert tallies.transfers == {TransferStatus.TRANSFERRED: 2, TransferStatus.PLANNED: 1}
    assert codes(tallies.red) == ["TP-03"]


def test_the_tally_of_nothing() -> None:
    tallies = SMALL_SNAPSHOT.tally(Filters(owner_id=99))
    assert (tallies.total, tallies.health, tallies.without_report, tallies.phases,
            tallies.transfers, tallies.red) == (0, {}, 0, {}, {}, ())


def assert_tally_matches_the_scan(s: Snapshot, filters: Filters) -> None:
    records = s.records
    chosen = [p for p in records.projects if passes(records, filters, p)]
    latest = _latest(records)
    transfers = {t.project_id: t.status for t in records.transfers}
    tallies = s.tally(filters)
    assert tallies.total == len(chosen)
    assert tallies.health == Counter(latest[p.id].health for p in chosen if p.id in latest)
    assert tallies.without_report == sum(1 for p in chosen if p.id not in latest)
    assert tallies.phases == Counter(p.phase for p in chosen)
    assert tallies.transfers == Counter(transfers[p.id] for p in chosen if p.id in transfers)
    assert codes(tallies.red) == sorted(p.code for p in chosen if p.id in latest
                                        and latest[p.id].health is Health.RED)


GENERATED = snapshot_of(other_portfolio(11, 60))


def _boundary_days(records: PortfolioRecords) -> list[date]:
    """The portfolio's own dates, a day either side, and their months' first and last days."""
    days: set[date] = set()
    for project in records.projects:
        for field in DateField:
            day = _day(records, project, field)
            if day is not None:
                following = D(day.year + day.month // 12, day.month % 12 + 1, 1)
                days |= {day, day - timedelta(days=1), day + timedelta(days=1),
                         day.replace(day=1), following - timedelta(days=1)}
    return sorted(days)


BOUNDARY_DAYS = _boundary_days(GENERATED.records)


FILTER_KINDS = ("health", "phases", "transfer", "owner_id", "manager_id", "person_id",
                "programme_id", "organization_id", "transfer_organization_id", "dates",
                "no_report", "topic_ids")


@st.composite
def filter_combinations(draw: st.DrawFn, s: Snapshot) -> Filters:
    """Up to four kinds of filter at once (more would nearly always select nothing)."""
    records = s.records
    people = st.sampled_from([p.id for p in records.persons] + [999])
    organizations = st.sampled_from([o.id for o in records.organizations])
    day = st.one_of(st.sampled_from(BOUNDARY_DAYS), st.dates(D(2018, 1, 1), D(2029, 12, 31)))
    date_filter = st.builds(DateFilter, st.sampled_from(list(DateField)),
                            st.builds(DateRange, st.none() | day, st.none() | day),
                            st.booleans())
    values: dict[str, st.SearchStrategy[Any]] = {
        "health": st.frozensets(st.sampled_from(list(Health)), min_size=1, max_size=2),
        "phases": st.frozensets(st.sampled_from(list(Phase)), min_size=1, max_size=3),
        "transfer": st.frozensets(st.sampled_from(list(TransferStatus)), min_size=1,
                                  max_size=3),
        "owner_id": people,
        "manager_id": people,
        "person_id": people,
        "programme_id": st.sampled_from([p.id for p in records.programmes] + [99]),
        "organization_id": organizations,
        "transfer_organization_id": organizations,
        "dates": st.lists(date_filter, min_size=1, max_size=3).map(tuple),
        "no_report": st.just(True),
        "topic_ids": st.frozensets(st.sampled_from([p.id for p in records.projects]
                                                   + [10_000]), max_size=40),
    }
    kinds = draw(st.sets(st.sampled_from(FILTER_KINDS), max_size=4))
    return Filters(**{kind: draw(values[kind]) for kind in sorted(kinds)})


def test_the_generated_portfolio_is_big_enough_to_tell() -> None:
    records = GENERATED.records
    assert len(records.projects) == 60
    assert len(GENERATED.select(Filters(no_report=True))) > 0
    assert all(GENERATED.select(dated(field, None, None)) for field in DateField)


@settings(derandomize=True, database=None, max_examples=400, deadline=None)
@given(filter_combinations(GENERATED))
def test_select_and_tally_match_the_scan_on_a_generated_portfolio(filters: Filters) -> None:
    items = GENERATED.select(filters)
    assert codes(items) == scanned(GENERATED.records, filters)
    assert_tally_matches_the_scan(GENERATED, filters)


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(st.lists(st.builds(DateFilter, st.sampled_from(list(DateField)),
                          st.builds(DateRange, st.none() | st.sampled_from(BOUNDARY_DAYS),
                                    st.none() | st.sampled_from(BOUNDARY_DAYS)),
                          st.booleans()), min_size=1, max_size=2))
def test_date_filters_alone_match_the_scan_on_a_generated_portfolio(
        conditions: list[DateFilter]) -> None:
    filters = Filters(dates=tuple(conditions))
    assert codes(GENERATED.select(filters)) == scanned(GENERATED.records, filters)
