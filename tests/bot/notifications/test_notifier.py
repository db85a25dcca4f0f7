"""What a notification says, and one notification per new report."""

from __future__ import annotations

from bot.notifications.notifier import describe, merge_report_events
from knowledge.portfolio.events import EventKind, PortfolioEvent
from knowledge.portfolio.snapshot import Snapshot


def event(kind: EventKind, before: str | None, after: str | None,
          report_id: int | None = None) -> PortfolioEvent:
    return PortfolioEvent(kind, 17, "ST-007", "Trådløst nett fase II", before, after, report_id)


def test_a_new_report_with_a_health_change_is_one_notification(
        sqlite_demo_snapshot: Snapshot) -> None:
    events = [event(EventKind.STATUS_REPORTED, None, "red", 13),
              event(EventKind.HEALTH_CHANGED, "green", "red", 13),
              event(EventKind.PHASE_CHANGED, "execution", "closed")]
    merged = merge_report_events(events)
    assert [e.kind for e in merged] == [EventKind.STATUS_REPORTED, EventKind.PHASE_CHANGED]
    notification = describe(merged[0], sqlite_demo_snapshot)
    assert notification.title == "Ny status for Trådløst nett fase II (ST-007): rød"
    assert dict(notification.facts)["Forrige status"] == "grønn"
    assert notification.text == "Akuttmottakene ved OUS og Ahus har fått full dekning."


def test_health_change_alone_is_kept() -> None:
    only = [event(EventKind.HEALTH_CHANGED, "green", "red", 13)]
    assert merge_report_events(only) == only


def test_phase_and_people_wording(sqlite_demo_snapshot: Snapshot) -> None:
    phase = describe(event(EventKind.PHASE_CHANGED, "execution", "closed"), sqlite_demo_snapshot)
    assert phase.title == "Trådløst nett fase II (ST-007) har gått fra gjennomføring til avsluttet"
    manager = describe(event(EventKind.MANAGER_CHANGED, "17", "2"), sqlite_demo_snapshot)
    assert manager.title == "Ny prosjektleder for Trådløst nett fase II (ST-007): Ola Hansen"
