"""Events from real changes between two syncs, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from knowledge.portfolio.contract import ColumnKind, to_database
from knowledge.portfolio.events import EventKind, PortfolioEvent
from knowledge.portfolio.sync import Syncer
from tests.helpers import demo_copy, execute, insert, is_sqlite

Shape = tuple[str, int, str | None, str | None, int | None]


def _shape(events: list[PortfolioEvent]) -> list[Shape]:
    return [(e.kind.value, e.project_id, e.before, e.after, e.report_id) for e in events]


async def _events_after(syncer: Syncer, url: str, *statements: str) -> list[PortfolioEvent]:
    await execute(url, *statements)
    result = await syncer.sync()
    assert result.changed is True
    return result.events


def _report(**values: Any) -> dict[str, Any]:
    row = dict(demo_copy()["status_report"][0])
    row.update(values)
    return row


async def test_no_change_no_events(demo_syncer: Syncer) -> None:
    result = await demo_syncer.sync()
    assert result.changed is False
    assert result.events == []


async def test_changes_that_matter_to_nobody_give_no_events(
    demo_url: str, demo_syncer: Syncer,
) -> None:
    """A touched timestamp, an FAQ edit or a renamed person change the data, not a project."""
    dialect = "sqlite" if is_sqlite(demo_url) else "postgresql"
    params = {"moment": to_database("2026-11-20T08:00:00Z", ColumnKind.TIMESTAMP, dialect)}
    await execute(
        demo_url,
        ("UPDATE project SET updated_at = :moment WHERE id = 1", params),
        "UPDATE faq SET answer = 'Nytt svar' WHERE id = 1",
        "UPDATE person SET title = 'Seniorrådgiver' WHERE id = 2",
    )
    result = await demo_syncer.sync()
    assert result.changed is True
    assert result.events == []


async def test_project_added(demo_url: str, demo_syncer: Syncer) -> None:
    project = dict(demo_copy()["project"][0], id=19, code="RP-019", name="Ny regional kjernejournal",
                   short_name=None, aliases=None, phase="concept")
    transfer = dict(demo_copy()["project_transfer"][0], project_id=19, status="planned")
    await insert(demo_url, {"project": [project], "project_transfer": [transfer],
                            "status_report": [_report(id=40, project_id=19, health="green")]})
    result = await demo_syncer.sync()
    # Only "added": its transfer and first report are part of the new project, not changes.
    assert _shape(result.events) == [("project_added", 19, None, "concept", None)]
    event = result.events[0]
    assert (event.project_code, event.project_name) == ("RP-019", "Ny regional kjernejournal")
    assert result.snapshot.projects[19].name == "Ny regional kjernejournal"


async def test_project_removed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(
        demo_syncer, demo_url,
        "DELETE FROM status_report WHERE project_id = 2",
        "DELETE FROM project_member WHERE project_id = 2",
        "DELETE FROM project_transfer WHERE project_id = 2",
        "DELETE FROM project WHERE id = 2",
    )
    assert _shape(events) == [("project_removed", 2, "execution", None, None)]
    assert (events[0].project_code, events[0].project_name) == ("RP-002", "Digital patologi")


async def test_project_changed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(
        demo_syncer, demo_url,
        "UPDATE project SET description = 'Ny beskrivelse', planned_end_date = NULL WHERE id = 4",
    )
    assert _shape(events) == [("project_changed", 4, None, "2026-11-01T08:00:00+00:00", None)]


async def test_owner_changed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(demo_syncer, demo_url,
                                 "UPDATE project SET owner_id = 1 WHERE id = 2")
    assert _shape(events) == [("owner_changed", 2, "8", "1", None)]


async def test_owner_removed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(demo_syncer, demo_url,
                                 "UPDATE project SET owner_id = NULL WHERE id = 2")
    assert _shape(events) == [("owner_changed", 2, "8", None, None)]


async def test_manager_changed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(demo_syncer, demo_url,
                                 "UPDATE project SET manager_id = 17 WHERE id = 14")
    assert _shape(events) == [("manager_changed", 14, "4", "17", None)]


async def test_phase_changed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(demo_syncer, demo_url,
                                 "UPDATE project SET phase = 'execution' WHERE id = 5")
    assert _shape(events) == [("phase_changed", 5, "planning", "execution", None)]


async def test_transfer_status_changed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(
        demo_syncer, demo_url,
        "UPDATE project_transfer SET status = 'transferred' WHERE project_id = 7",
    )
    assert _shape(events) == [("transfer_status_changed", 7, "in_progress", "transferred", None)]


async def test_transfer_row_removed(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(demo_syncer, demo_url,
                                 "DELETE FROM project_transfer WHERE project_id = 9")
    assert _shape(events) == [("transfer_status_changed", 9, "not_transferred", None, None)]


async def test_new_status_report_with_the_same_health(demo_url: str, demo_syncer: Syncer) -> None:
    await insert(demo_url, {"status_report": [
        _report(id=20, project_id=2, reported_at="2026-11-20T09:00:00Z", health="green"),
    ]})
    result = await demo_syncer.sync()
    assert _shape(result.events) == [("status_reported", 2, None, "green", 20)]


async def test_new_status_report_with_other_health(demo_url: str, demo_syncer: Syncer) -> None:
    await insert(demo_url, {"status_report": [
        _report(id=21, project_id=13, reported_at="2026-11-20T09:00:00Z", health="red"),
    ]})
    result = await demo_syncer.sync()
    assert _shape(result.events) == [
        ("status_reported", 13, None, "red", 21),
        ("health_changed", 13, "yellow", "red", 21),
    ]


async def test_first_status_report_of_a_project(demo_url: str, demo_syncer: Syncer) -> None:
    await insert(demo_url, {"status_report": [_report(id=22, project_id=3, health="yellow")]})
    result = await demo_syncer.sync()
    assert _shape(result.events) == [("status_reported", 3, None, "yellow", 22)]


async def test_several_changes_in_one_pass(demo_url: str, demo_syncer: Syncer) -> None:
    events = await _events_after(
        demo_syncer, demo_url,
        "UPDATE project SET phase = 'closed', manager_id = 1 WHERE id = 16",
        "UPDATE project SET name = 'Tjenestemigrering til ny plattform' WHERE id = 16",
        "UPDATE project_transfer SET status = 'not_transferred' WHERE project_id = 16",
    )
    assert {(kind, pid) for kind, pid, *_ in _shape(events)} == {
        ("manager_changed", 16), ("phase_changed", 16), ("project_changed", 16),
        ("transfer_status_changed", 16),
    }
    assert all(e.project_name == "Tjenestemigrering til ny plattform" for e in events)


def _json_default(value: object) -> str:
    assert isinstance(value, date | datetime)
    return value.isoformat()


async def test_dedupe_keys_are_stable_across_reruns(demo_url: str, demo_syncer: Syncer) -> None:
    """Two runs from the same baseline (one from saved rows, as `sync` does) agree on keys."""
    baseline = demo_syncer.last_raw
    assert baseline is not None
    saved = json.loads(json.dumps(baseline, default=_json_default))
    await execute(demo_url, "UPDATE project SET phase = 'paused', owner_id = 1 WHERE id = 10",
                  "UPDATE project_transfer SET status = 'planned' WHERE project_id = 10")
    await insert(demo_url, {"status_report": [
        _report(id=23, project_id=10, reported_at="2026-11-21T09:00:00Z", health="red"),
    ]})
    first = (await demo_syncer.sync()).events

    rerun = Syncer(demo_url)
    try:
        rerun.restore(saved)
        second = (await rerun.sync()).events
        again = (await rerun.sync()).events
    finally:
        await rerun.close()
    keys = [e.dedupe_key for e in first]
    assert keys == [e.dedupe_key for e in second]
    assert again == []
    assert {e.kind for e in first} == {
        EventKind.OWNER_CHANGED, EventKind.PHASE_CHANGED, EventKind.TRANSFER_STATUS_CHANGED,
        EventKind.STATUS_REPORTED, EventKind.HEALTH_CHANGED,
    }
    assert len(set(keys)) == len(keys)
    assert "owner_changed:10:10:1:None" in keys
    assert any(key.startswith("status_reported:10:report:23:") for key in keys)


async def test_a_new_change_has_a_new_dedupe_key(demo_url: str, demo_syncer: Syncer) -> None:
    first = await _events_after(demo_syncer, demo_url,
                                "UPDATE project SET phase = 'paused' WHERE id = 5")
    second = await _events_after(demo_syncer, demo_url,
                                 "UPDATE project SET phase = 'execution' WHERE id = 5")
    assert first[0].dedupe_key == "phase_changed:5:planning:paused:None"
    assert second[0].dedupe_key == "phase_changed:5:paused:execution:None"
