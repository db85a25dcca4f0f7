"""Row validation: a bad row is logged with its key and skipped, never a crash; good rows stay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from knowledge.portfolio.demo_database import PortfolioData
from knowledge.portfolio.model import Health, Phase, ProgrammeStatus, TransferStatus
from knowledge.portfolio.snapshot import PortfolioRecords
from knowledge.portfolio.sync import Syncer
from knowledge.portfolio.validation import SkippedRow, validate
from tests.helpers import demo_copy, execute, insert

LOGGER = "portfoliobot.sync"


def _row(data: PortfolioData, table: str, **key: Any) -> dict[str, Any]:
    matches = [r for r in data[table] if all(r[k] == v for k, v in key.items())]
    assert len(matches) == 1, (table, key)
    return matches[0]


def _ids(rows: tuple[Any, ...]) -> set[int]:
    return {row.id for row in rows}


def _skipped(skipped: list[SkippedRow]) -> set[tuple[str, str]]:
    return {(s.table, s.key) for s in skipped}


def _validate(data: PortfolioData, caplog: pytest.LogCaptureFixture,
              ) -> tuple[PortfolioRecords, list[SkippedRow], list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        records, skipped = validate(data)
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    return records, skipped, messages


def test_the_demo_portfolio_is_valid(caplog: pytest.LogCaptureFixture) -> None:
    data = demo_copy()
    records, skipped, messages = _validate(data, caplog)
    assert skipped == []
    assert messages == []
    for table, field in (("organization", "organizations"), ("person", "persons"),
                         ("programme", "programmes"), ("project", "projects"),
                         ("project_transfer", "transfers"), ("project_member", "members"),
                         ("status_report", "reports"), ("faq", "faq")):
        assert len(getattr(records, field)) == len(data[table]), table


def test_empty_input_is_an_empty_portfolio() -> None:
    records, skipped = validate({})
    assert records == PortfolioRecords()
    assert skipped == []


Mutation = Callable[[PortfolioData], None]


def _set(table: str, column: str, value: Any, **key: Any) -> Mutation:
    def mutate(data: PortfolioData) -> None:
        _row(data, table, **key)[column] = value
    return mutate


@pytest.mark.parametrize(
    ("mutate", "table", "key", "reason"),
    [
        pytest.param(_set("project", "phase", "started", id=5), "project", "id=5",
                     "unknown phase 'started'", id="unknown-phase"),
        pytest.param(_set("project", "phase", None, id=5), "project", "id=5",
                     "unknown phase None", id="missing-phase"),
        pytest.param(_set("project", "phase", "Execution", id=5), "project", "id=5",
                     "unknown phase 'Execution'", id="phase-wrong-case"),
        pytest.param(_set("status_report", "health", "blue", id=5), "status_report", "id=5",
                     "unknown health 'blue'", id="unknown-health"),
        pytest.param(_set("project_transfer", "status", "moved", project_id=5),
                     "project_transfer", "project_id=5", "unknown status 'moved'",
                     id="unknown-transfer-status"),
        pytest.param(_set("project", "name", "", id=5), "project", "id=5", "empty name",
                     id="empty-project-name"),
        pytest.param(_set("project", "name", "  \t ", id=5), "project", "id=5", "empty name",
                     id="whitespace-project-name"),
        pytest.param(_set("project", "code", None, id=5), "project", "id=5", "empty code",
                     id="missing-code"),
        pytest.param(_set("faq", "answer", " ", id=3), "faq", "id=3", "empty answer",
                     id="whitespace-faq-answer"),
        pytest.param(_set("status_report", "summary", "", id=5), "status_report", "id=5",
                     "empty summary", id="empty-summary"),
        pytest.param(_set("project", "owner_id", 999, id=5), "project", "id=5",
                     "owner_id 999 refers to no usable row", id="dangling-owner"),
        pytest.param(_set("project", "manager_id", 999, id=5), "project", "id=5",
                     "manager_id 999 refers to no usable row", id="dangling-manager"),
        pytest.param(_set("project", "organization_id", 999, id=5), "project", "id=5",
                     "organization_id 999 refers to no usable row", id="dangling-project-org"),
        pytest.param(_set("status_report", "project_id", 999, id=5), "status_report", "id=5",
                     "project_id 999 refers to no usable row", id="report-without-project"),
        pytest.param(_set("status_report", "author_id", 999, id=5), "status_report", "id=5",
                     "author_id 999 refers to no usable row", id="report-dangling-author"),
        pytest.param(_set("project_member", "person_id", 999, project_id=5, person_id=14),
                     "project_member", "project_id=5,person_id=999,role=arkitekt",
                     "person_id 999 refers to no usable row", id="member-without-person"),
        pytest.param(_set("project_transfer", "to_organization_id", 999, project_id=5),
                     "project_transfer", "project_id=5",
                     "to_organization_id 999 refers to no usable row", id="transfer-dangling-org"),
        pytest.param(_set("person", "organization_id", 999, id=20), "person", "id=20",
                     "organization_id 999 refers to no usable row", id="person-dangling-org"),
        pytest.param(_set("project", "start_date", "2024-13-01", id=5), "project", "id=5",
                     "start_date is not a date: '2024-13-01'", id="impossible-date"),
        pytest.param(_set("project", "planned_end_date", "snart", id=5), "project", "id=5",
                     "planned_end_date is not a date: 'snart'", id="word-for-a-date"),
        pytest.param(_set("project", "updated_at", "i går", id=5), "project", "id=5",
                     "updated_at is not a timestamp: 'i går'", id="word-for-a-timestamp"),
        pytest.param(_set("project", "updated_at", None, id=5), "project", "id=5",
                     "missing updated_at", id="missing-timestamp"),
        pytest.param(_set("project_transfer", "effective_date", "01.01.2024", project_id=5),
                     "project_transfer", "project_id=5",
                     "effective_date is not a date: '01.01.2024'", id="norwegian-date"),
        pytest.param(_set("project", "owner_id", "ti", id=5), "project", "id=5",
                     "owner_id is not a whole number: 'ti'", id="text-for-an-id"),
    ],
)
def test_bad_row_is_logged_with_its_key_and_skipped(
    mutate: Mutation, table: str, key: str, reason: str, caplog: pytest.LogCaptureFixture,
) -> None:
    data = demo_copy()
    mutate(data)
    records, skipped, messages = _validate(data, caplog)
    assert SkippedRow(table, key, reason) in skipped
    assert f"skipped {table} row {key}: {reason}" in messages
    assert len(messages) == len(skipped)
    # Everything else of that table is kept.
    total = {"project": records.projects, "status_report": records.reports,
             "project_transfer": records.transfers, "project_member": records.members,
             "faq": records.faq, "person": records.persons}[table]
    assert len(total) == len(data[table]) - sum(1 for s in skipped if s.table == table)


def test_a_skipped_project_takes_its_dependants_along(caplog: pytest.LogCaptureFixture) -> None:
    data = demo_copy()
    _row(data, "project", id=1)["phase"] = "started"
    records, skipped, messages = _validate(data, caplog)
    assert 1 not in _ids(records.projects)
    assert _skipped(skipped) == {
        ("project", "id=1"),
        ("project_transfer", "project_id=1"),
        ("project_member", "project_id=1,person_id=14,role=arkitekt"),
        ("project_member", "project_id=1,person_id=20,role=økonomi"),
        ("project_member", "project_id=1,person_id=7,role=styringsgruppeleder"),
        ("status_report", "id=1"),
        ("status_report", "id=2"),
    }
    assert len(messages) == 7
    assert len(records.projects) == 17
    assert {t.project_id for t in records.transfers} == _ids(records.projects)
    assert all(r.project_id != 1 for r in records.reports)


def test_a_skipped_person_takes_the_projects_they_run(caplog: pytest.LogCaptureFixture) -> None:
    data = demo_copy()
    _row(data, "person", id=19)["full_name"] = "   "  # manages projects 4 and 8
    records, skipped, _ = _validate(data, caplog)
    assert SkippedRow("person", "id=19", "empty full_name") in skipped
    assert ("project", "id=4") in _skipped(skipped)
    assert ("project", "id=8") in _skipped(skipped)
    assert ("status_report", "id=4") in _skipped(skipped)  # on project 4, by person 19
    assert _ids(records.projects) == set(range(1, 19)) - {4, 8}


def test_an_unknown_programme_status_skips_its_projects(caplog: pytest.LogCaptureFixture) -> None:
    data = demo_copy()
    _row(data, "programme", id=1)["status"] = "archived"  # STIM: projects 11-18
    records, skipped, messages = _validate(data, caplog)
    assert SkippedRow("programme", "id=1", "unknown status 'archived'") in skipped
    assert "skipped programme row id=1: unknown status 'archived'" in messages
    assert _ids(records.programmes) == {2}
    assert _ids(records.projects) == set(range(1, 11))
    assert {("project", f"id={n}") for n in range(11, 19)} <= _skipped(skipped)
    assert {r.status for r in records.programmes} == {ProgrammeStatus.ACTIVE}


def test_organization_parents_cascade(caplog: pytest.LogCaptureFixture) -> None:
    """2 → 3 → 4: a dangling parent on 3 skips 3 and then 4, and everything hanging on 4."""
    data = demo_copy()
    _row(data, "organization", id=3)["parent_id"] = 999
    records, skipped, messages = _validate(data, caplog)
    assert SkippedRow("organization", "id=3", "parent_id 999 refers to no usable row") in skipped
    assert SkippedRow("organization", "id=4", "parent_id 3 refers to no usable row") in skipped
    assert "skipped organization row id=4: parent_id 3 refers to no usable row" in messages
    assert _ids(records.organizations) == set(range(1, 15)) - {3, 4}
    # Persons 1, 2, 3, 6, 9, 16, 18 belong to organisation 4; person 7 to organisation 3.
    assert not {1, 2, 3, 6, 7, 9, 16, 18} & _ids(records.persons)
    assert all(p.organization_id not in (3, 4) for p in records.projects)


def test_an_organization_with_an_empty_name_takes_its_children(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = demo_copy()
    _row(data, "organization", id=2)["name"] = ""
    records, skipped, _ = _validate(data, caplog)
    assert SkippedRow("organization", "id=2", "empty name") in skipped
    assert ("organization", "id=3") in _skipped(skipped)
    assert ("organization", "id=4") in _skipped(skipped)
    assert _ids(records.organizations) == set(range(1, 15)) - {2, 3, 4}


def test_enum_values_are_read_through_whitespace() -> None:
    data = demo_copy()
    _row(data, "project", id=5)["phase"] = " planning "
    _row(data, "status_report", id=5)["health"] = "green\n"
    records, skipped = validate(data)
    assert skipped == []
    assert next(p for p in records.projects if p.id == 5).phase is Phase.PLANNING
    assert next(r for r in records.reports if r.id == 5).health is Health.GREEN


def test_good_values_are_parsed() -> None:
    records, _ = validate(demo_copy())
    project = next(p for p in records.projects if p.id == 1)
    assert project.aliases == ("DIPS Arena", "regional EPJ", "EPJ-konsolidering")
    transfer = next(t for t in records.transfers if t.project_id == 8)
    assert transfer.status is TransferStatus.COMPLETED_BEFORE_TRANSFER
    assert transfer.effective_date is None


def test_a_row_without_a_key_is_still_skipped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    data = demo_copy()
    del _row(data, "faq", id=8)["id"]
    records, skipped, messages = _validate(data, caplog)
    assert SkippedRow("faq", "id=None", "missing id") in skipped
    assert messages == ["skipped faq row id=None: missing id"]
    assert len(records.faq) == 7


async def test_bad_rows_in_a_real_database_are_skipped_on_sync(
    demo_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    """A database without the schema's constraints: bad rows are logged and skipped by sync."""
    await execute(
        demo_url,
        "UPDATE project SET phase = 'started' WHERE id = 5",
        "UPDATE project SET name = '   ' WHERE id = 6",
        "UPDATE project SET owner_id = 999 WHERE id = 9",
        "UPDATE programme SET status = 'archived' WHERE id = 1",
        unchecked=True,
    )
    bad_report = dict(demo_copy()["status_report"][0], id=50, project_id=999, health="purple")
    bad_member = {"project_id": 2, "person_id": 999, "role": "deltaker"}
    await insert(demo_url, {"status_report": [bad_report], "project_member": [bad_member]},
                 unchecked=True)
    syncer = Syncer(demo_url)
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            result = await syncer.sync()
    finally:
        await syncer.close()
    keys = _skipped(result.skipped)
    assert {
        ("project", "id=5"), ("project", "id=6"), ("project", "id=9"), ("programme", "id=1"),
        ("status_report", "id=50"), ("project_member", "project_id=2,person_id=999,role=deltaker"),
    } <= keys
    reasons = {(s.table, s.key): s.reason for s in result.skipped}
    assert reasons["project", "id=5"] == "unknown phase 'started'"
    assert reasons["project", "id=6"] == "empty name"
    assert reasons["project", "id=9"] == "owner_id 999 refers to no usable row"
    assert reasons["status_report", "id=50"] == "project_id 999 refers to no usable row"
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert "skipped project row id=5: unknown phase 'started'" in messages
    assert "skipped status_report row id=50: project_id 999 refers to no usable row" in messages
    assert set(result.snapshot.projects) == set(range(1, 11)) - {5, 6, 9}
    assert result.counts["project"] == 18
    assert result.counts["status_report"] == 14
