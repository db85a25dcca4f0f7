"""The syncer on SQLite and PostgreSQL: counts, no-change passes, swaps, failures, recovery."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from knowledge.errors import SyncError
from knowledge.portfolio.contract import schema_statements
from knowledge.portfolio.demo_database import demo_portfolio
from knowledge.portfolio.sync import Syncer
from tests.helpers import drop_postgres_database, execute, insert, is_sqlite

DEMO_COUNTS = {table: len(rows) for table, rows in demo_portfolio().items()}
CLOSED_PORT_URL = "postgresql://postgres:s3cret@127.0.0.1:1/portfolio"


async def test_first_sync_reads_everything(demo_url: str) -> None:
    moment = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    syncer = Syncer(demo_url, clock=lambda: moment)
    try:
        before = syncer.snapshot
        assert before is None
        assert syncer.age_seconds() is None
        result = await syncer.sync()
    finally:
        await syncer.close()
    assert result.changed is True
    assert result.counts == DEMO_COUNTS
    assert result.skipped == []
    assert result.events == []  # nothing to compare the first snapshot with
    assert result.reused_indexes is False
    assert syncer.snapshot is result.snapshot
    assert result.snapshot.built_at == moment
    assert len(result.snapshot.projects) == 18
    assert len(result.snapshot.persons) == 20
    assert result.snapshot.projects[17].code == "ST-007"
    assert [r.id for r in result.snapshot.reports[1]] == [1, 2]  # oldest first
    assert syncer.last_success == moment
    assert syncer.last_error is None
    assert syncer.age_seconds() == 0.0


async def test_sync_without_changes_keeps_the_same_snapshot(demo_syncer: Syncer) -> None:
    first = demo_syncer.snapshot
    assert first is not None
    result = await demo_syncer.sync()
    assert result.changed is False
    assert result.snapshot is first
    assert demo_syncer.snapshot is first
    assert result.events == []
    assert result.counts == DEMO_COUNTS


async def test_new_snapshot_is_swapped_in_and_the_old_one_is_untouched(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    old = demo_syncer.snapshot
    assert old is not None
    old_records = old.records
    old_projects = dict(old.projects)
    old_reports = dict(old.reports)
    await execute(demo_url, "UPDATE project SET name = 'Nytt navn', phase = 'closed' WHERE id = 1",
                  "DELETE FROM status_report WHERE id = 13")
    result = await demo_syncer.sync()
    new = demo_syncer.snapshot
    assert result.changed is True
    assert new is result.snapshot
    assert new is not old
    assert new.projects[1].name == "Nytt navn"
    assert 17 not in new.reports
    # The old snapshot is exactly as it was: whoever still holds it sees one consistent view.
    assert old.records is old_records
    assert dict(old.projects) == old_projects
    assert dict(old.reports) == old_reports
    assert old.projects[1].name == "Regional EPJ-modernisering"
    assert old.latest_report(17) is not None
    with pytest.raises(TypeError):
        old.projects[1] = new.projects[1]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        old.projects[1].name = "x"  # type: ignore[misc]


async def test_fuzzy_indexes_are_reused_only_when_no_name_changed(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    old = demo_syncer.snapshot
    assert old is not None
    await execute(demo_url, "UPDATE status_report SET health = 'red' WHERE id = 13")
    result = await demo_syncer.sync()
    assert result.changed is True
    assert result.reused_indexes is True
    assert result.snapshot.names is old.names
    await execute(demo_url, "UPDATE project SET name = 'Trådløst nett, andre fase' WHERE id = 17")
    result = await demo_syncer.sync()
    assert result.reused_indexes is False
    assert result.snapshot.names is not old.names


async def test_concurrent_syncs_build_one_snapshot(demo_url: str, demo_syncer: Syncer) -> None:
    await execute(demo_url, "UPDATE project SET phase = 'closed' WHERE id = 2")
    first, second = await asyncio.gather(demo_syncer.sync(), demo_syncer.sync())
    assert first.changed is True
    assert second.changed is False
    assert second.snapshot is first.snapshot
    assert [e.kind.value for e in first.events] == ["phase_changed"]
    assert second.events == []


def _overwrite_start(path: Path, garbage: bytes) -> None:
    with path.open("r+b") as file:
        file.write(garbage)


def _assert_failed_and_kept(syncer: Syncer, kept: object, error: SyncError) -> None:
    assert syncer.snapshot is kept
    assert syncer.last_error == str(error)
    assert "\n" not in str(error)


async def test_missing_table_names_the_table_and_keeps_the_snapshot(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    kept = demo_syncer.snapshot
    await execute(demo_url, "DROP TABLE status_report")
    with pytest.raises(SyncError) as caught:
        await demo_syncer.sync()
    message = str(caught.value)
    assert message.startswith("portfolio table 'status_report' is missing")
    assert "status_report" in message.split("(", 1)[1]  # the database's own words follow
    _assert_failed_and_kept(demo_syncer, kept, caught.value)

    # Recovery: the table comes back (empty) and the next pass succeeds.
    create = next(s for s in schema_statements() if s.startswith("CREATE TABLE status_report"))
    await execute(demo_url, create)
    result = await demo_syncer.sync()
    assert result.changed is True
    assert result.counts["status_report"] == 0
    assert demo_syncer.last_error is None
    assert result.snapshot is demo_syncer.snapshot
    assert dict(result.snapshot.reports) == {}


async def test_missing_column_names_table_and_column_and_keeps_the_snapshot(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    kept = demo_syncer.snapshot
    await execute(demo_url, "ALTER TABLE project RENAME COLUMN phase TO stage")
    with pytest.raises(SyncError) as caught:
        await demo_syncer.sync()
    message = str(caught.value)
    assert message.startswith("portfolio table 'project' lacks a column the bot reads")
    assert "phase" in message
    _assert_failed_and_kept(demo_syncer, kept, caught.value)

    # A second failing pass changes nothing either.
    with pytest.raises(SyncError):
        await demo_syncer.sync()
    assert demo_syncer.snapshot is kept

    # Recovery: the same data again, so the same snapshot stays current.
    await execute(demo_url, "ALTER TABLE project RENAME COLUMN stage TO phase")
    result = await demo_syncer.sync()
    assert result.changed is False
    assert result.snapshot is kept
    assert demo_syncer.last_error is None


async def test_recovery_after_the_table_is_restored_with_its_rows(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    kept = demo_syncer.snapshot
    await execute(demo_url, "DROP TABLE faq")
    with pytest.raises(SyncError, match="'faq' is missing"):
        await demo_syncer.sync()
    create = next(s for s in schema_statements() if s.startswith("CREATE TABLE faq"))
    await execute(demo_url, create)
    await insert(demo_url, {"faq": demo_portfolio()["faq"]})
    result = await demo_syncer.sync()
    assert result.counts == DEMO_COUNTS
    assert result.snapshot is kept  # same rows as before the failure
    assert demo_syncer.last_error is None


async def test_database_that_goes_away_keeps_the_snapshot(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    kept = demo_syncer.snapshot
    if is_sqlite(demo_url):
        path = Path(demo_url.removeprefix("sqlite:///"))
        await asyncio.to_thread(_overwrite_start, path, b"definitely not SQLite" * 10)
        expected = "file is not a database"
    else:
        await drop_postgres_database(demo_url)
        expected = "does not exist"
    with pytest.raises(SyncError) as caught:
        await demo_syncer.sync()
    assert expected in str(caught.value)
    _assert_failed_and_kept(demo_syncer, kept, caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(CLOSED_PORT_URL, "portfolio database unreachable: ",
                     id="postgres-closed-port"),
        pytest.param("sqlite:///{tmp}/a-file/sub/portfolio.db",
                     "portfolio database unreachable: unable to open database file",
                     id="sqlite-folder-cannot-exist"),
        pytest.param("sqlite:///{tmp}/a-file", "file is not a database",
                     id="sqlite-not-a-database"),
        pytest.param("sqlite:///{tmp}/empty.db", "portfolio table 'organization' is missing",
                     id="sqlite-empty-file"),
    ],
)
async def test_unreachable_database_is_one_clear_sync_error(
    url: str, expected: str, tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_bytes(b"not a database, just some bytes\n" * 64)
    syncer = Syncer(url.format(tmp=tmp_path))
    try:
        with pytest.raises(SyncError) as caught:
            await syncer.sync()
        assert expected in str(caught.value)
        assert "s3cret" not in str(caught.value)
        assert syncer.snapshot is None
        assert syncer.last_success is None
        assert syncer.last_error == str(caught.value)
    finally:
        await syncer.close()


def test_a_failed_sqlite_open_leaves_no_worker_thread(tmp_path: Path) -> None:
    """aiosqlite's thread is stopped before the error surfaces, so a caller that exits right
    away (the command line) gets no "Event loop is closed" traceback from it."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    async def fail_once() -> None:
        syncer = Syncer(f"sqlite:///{blocker / 'portfolio.db'}")
        try:
            with pytest.raises(SyncError, match="unable to open database file"):
                await syncer.sync()
        finally:
            await syncer.close()

    asyncio.run(fail_once())
    assert [t.name for t in threading.enumerate() if "_connection_worker" in t.name] == []


async def test_closed_port_names_the_refusal() -> None:
    syncer = Syncer(CLOSED_PORT_URL)
    try:
        with pytest.raises(SyncError, match=r"unreachable: .*(refused|Connect call failed)"):
            await syncer.sync()
    finally:
        await syncer.close()


async def test_unreachable_after_restore_keeps_the_restored_snapshot(demo_syncer: Syncer) -> None:
    """A run that starts from saved rows and cannot reach the database keeps those rows."""
    saved = demo_syncer.last_raw
    assert saved is not None
    syncer = Syncer(CLOSED_PORT_URL)
    try:
        syncer.restore(saved)
        restored = syncer.snapshot
        assert restored is not None
        assert set(restored.projects) == set(range(1, 19))
        with pytest.raises(SyncError, match="unreachable"):
            await syncer.sync()
        assert syncer.snapshot is restored
    finally:
        await syncer.close()


async def test_restore_then_sync_reports_only_what_changed(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    saved = demo_syncer.last_raw
    assert saved is not None
    await execute(demo_url, "UPDATE project SET manager_id = 1 WHERE id = 3")
    syncer = Syncer(demo_url)
    try:
        syncer.restore(saved)
        result = await syncer.sync()
    finally:
        await syncer.close()
    assert [(e.kind.value, e.project_id, e.before, e.after) for e in result.events] == [
        ("manager_changed", 3, "6", "1"),
    ]
