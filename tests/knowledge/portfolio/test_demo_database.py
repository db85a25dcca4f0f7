"""`demo-db`'s loader on SQLite and PostgreSQL: counts, refusal, --force and value round-trips."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from knowledge.errors import DemoDatabaseError, KnowledgeError
from knowledge.portfolio.contract import TABLES
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from knowledge.portfolio.snapshot import PortfolioRecords
from knowledge.portfolio.sync import Syncer
from knowledge.portfolio.validation import validate
from tests.helpers import demo_copy, execute, fetch, insert, is_sqlite


async def _table_counts(url: str) -> dict[str, int]:
    return {table: (await fetch(url, f"SELECT COUNT(*) FROM {table}"))[0][0] for table in TABLES}


async def _records(url: str) -> PortfolioRecords:
    syncer = Syncer(url)
    try:
        result = await syncer.sync()
    finally:
        await syncer.close()
    assert result.skipped == []
    return result.snapshot.records


def _demo_counts() -> dict[str, int]:
    return {table: len(rows) for table, rows in demo_portfolio().items()}


async def test_loads_every_row(database_url: str) -> None:
    counts = await load_portfolio(database_url, demo_portfolio())
    assert counts == _demo_counts()
    assert list(counts) == list(TABLES)
    assert counts["project"] == 18
    assert counts["status_report"] == 13
    assert await _table_counts(database_url) == _demo_counts()


async def test_refuses_a_second_load_and_leaves_the_data_alone(database_url: str) -> None:
    await load_portfolio(database_url, demo_portfolio())
    await execute(database_url, "UPDATE project SET name = 'Endret navn' WHERE id = 1",
                  "DELETE FROM faq WHERE id = 8")
    with pytest.raises(DemoDatabaseError) as caught:
        await load_portfolio(database_url, demo_portfolio())
    message = str(caught.value)
    assert "already has portfolio tables" in message
    assert "--force" in message
    assert "project" in message
    assert await fetch(database_url, "SELECT name FROM project WHERE id = 1") == [("Endret navn",)]
    assert (await _table_counts(database_url))["faq"] == 7


async def test_refuses_when_only_one_contract_table_exists(database_url: str) -> None:
    await execute(database_url, "CREATE TABLE faq (id INTEGER PRIMARY KEY)",
                  "INSERT INTO faq (id) VALUES (42)")
    with pytest.raises(DemoDatabaseError, match=r"\(faq\)"):
        await load_portfolio(database_url, demo_portfolio())
    assert await fetch(database_url, "SELECT id FROM faq") == [(42,)]


async def test_tables_outside_the_contract_do_not_block(database_url: str) -> None:
    await execute(database_url, "CREATE TABLE bot_state (id INTEGER PRIMARY KEY)")
    assert await load_portfolio(database_url, demo_portfolio()) == _demo_counts()
    assert await fetch(database_url, "SELECT COUNT(*) FROM bot_state") == [(0,)]


async def test_force_replaces_the_tables(database_url: str) -> None:
    await load_portfolio(database_url, demo_portfolio())
    extra = {"project": [dict(demo_copy()["project"][0], id=99, code="RP-099")]}
    await insert(database_url, extra)
    await execute(database_url, "UPDATE project SET name = 'Endret navn' WHERE id = 1")
    counts = await load_portfolio(database_url, demo_portfolio(), force=True)
    assert counts == _demo_counts()
    assert await _table_counts(database_url) == _demo_counts()
    assert await fetch(database_url, "SELECT name FROM project WHERE id = 1") == [
        ("Regional EPJ-modernisering",)
    ]
    assert await fetch(database_url, "SELECT id FROM project WHERE id = 99") == []


async def test_force_on_an_empty_database_just_loads(database_url: str) -> None:
    assert await load_portfolio(database_url, demo_portfolio(), force=True) == _demo_counts()


async def test_values_round_trip_to_the_same_records(database_url: str) -> None:
    """What comes back through a sync equals what the demo JSON says, field for field."""
    await load_portfolio(database_url, demo_portfolio())
    expected, skipped = validate(demo_portfolio())
    assert skipped == []
    got = await _records(database_url)
    for name in PortfolioRecords.__slots__:
        assert set(getattr(got, name)) == set(getattr(expected, name)), name
        assert len(getattr(got, name)) == len(getattr(expected, name)), name


async def test_dates_and_timestamps_are_stored_natively(database_url: str) -> None:
    await load_portfolio(database_url, demo_portfolio())
    [(closed_on,)] = await fetch(database_url, "SELECT closed_on FROM programme WHERE id = 1")
    [(start, updated)] = await fetch(
        database_url, "SELECT start_date, updated_at FROM project WHERE id = 1"
    )
    [(reported,)] = await fetch(database_url, "SELECT reported_at FROM status_report WHERE id = 6")
    if is_sqlite(database_url):
        assert (closed_on, start) == ("2023-12-31", "2022-03-01")
        assert updated == "2026-11-01T08:00:00Z"
        assert reported == "2026-11-05T08:30:00Z"
    else:
        assert (closed_on, start) == (date(2023, 12, 31), date(2022, 3, 1))
        assert updated == datetime(2026, 11, 1, 8, 0)  # TIMESTAMP: naive, in UTC
        assert reported == datetime(2026, 11, 5, 8, 30)
    records = await _records(database_url)
    programme = next(p for p in records.programmes if p.id == 1)
    project = next(p for p in records.projects if p.id == 1)
    report = next(r for r in records.reports if r.id == 6)
    assert programme.closed_on == date(2023, 12, 31)
    assert project.start_date == date(2022, 3, 1)
    assert project.planned_end_date == date(2027, 6, 30)
    assert project.updated_at == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert report.reported_at == datetime(2026, 11, 5, 8, 30, tzinfo=UTC)


async def test_offset_timestamps_are_stored_in_utc(database_url: str) -> None:
    data = demo_copy()
    data["faq"][0]["updated_at"] = "2026-06-01T10:30:00+02:00"
    data["status_report"][0]["reported_at"] = "2026-12-31T23:15:00-01:00"
    data["project"][0]["start_date"] = "2022-03-01T00:00:00Z"  # a date column given a moment
    await load_portfolio(database_url, data)
    records = await _records(database_url)
    faq = next(f for f in records.faq if f.id == 1)
    report = next(r for r in records.reports if r.id == 1)
    project = next(p for p in records.projects if p.id == 1)
    assert faq.updated_at == datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    assert report.reported_at == datetime(2027, 1, 1, 0, 15, tzinfo=UTC)
    assert project.start_date == date(2022, 3, 1)


async def test_norwegian_text_round_trips(database_url: str) -> None:
    await load_portfolio(database_url, demo_portfolio())
    records = await _records(database_url)
    names = {p.full_name for p in records.persons}
    assert {"Øystein Ødegård", "Åse Bråten", "Ingrid Sæther"} <= names
    member_roles = {m.role for m in records.members}
    assert "økonomi" in member_roles


async def test_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(DemoDatabaseError) as caught:
        await load_portfolio("postgresql://postgres:s3cret@127.0.0.1:1/portfolio",
                             demo_portfolio())
    message = str(caught.value)
    assert message.startswith("cannot load postgresql://postgres:***@127.0.0.1:1/portfolio")
    assert "s3cret" not in message
    assert "\n" not in message


async def test_sqlite_folder_that_cannot_exist_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DemoDatabaseError, match="unable to open database file"):
        await load_portfolio(f"sqlite:///{blocker / 'sub' / 'portfolio.db'}", demo_portfolio())


async def test_bad_url_is_a_knowledge_error() -> None:
    with pytest.raises(KnowledgeError, match="unsupported database 'mysql'"):
        await load_portfolio("mysql://reader@db.example/portfolio", demo_portfolio())
