"""What changed between two snapshots, as typed events that notifications can act on.

A status report is known by its fingerprint (`report_fingerprint`: project, author, time,
health and summary), not by its id alone: the portfolio database may give a new report the id
of one deleted before it (SQLite's INTEGER PRIMARY KEY, MAX(id) + 1 on PostgreSQL). A report's
events carry the fingerprint, their dedupe keys are built from it (`report_dedupe_keys`), and
`diff` takes a report whose id was seen before but whose fingerprint was not as new.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from knowledge.portfolio.model import Health, Project, StatusReport
from knowledge.portfolio.snapshot import Snapshot


class EventKind(enum.StrEnum):
    PROJECT_ADDED = "project_added"
    PROJECT_REMOVED = "project_removed"
    PROJECT_CHANGED = "project_changed"
    OWNER_CHANGED = "owner_changed"
    MANAGER_CHANGED = "manager_changed"
    PHASE_CHANGED = "phase_changed"
    TRANSFER_STATUS_CHANGED = "transfer_status_changed"
    STATUS_REPORTED = "status_reported"
    HEALTH_CHANGED = "health_changed"


@dataclass(frozen=True, slots=True)
class PortfolioEvent:
    """One change to one project. `before`/`after` are ids or enum values as text;
    `report_key` is the fingerprint of the report a report event is about."""

    kind: EventKind
    project_id: int
    project_code: str
    project_name: str
    before: str | None = None
    after: str | None = None
    report_id: int | None = None
    report_key: str | None = None

    @property
    def dedupe_key(self) -> str:
        """Equal for the same change seen twice (a re-run sync), different for a new change.

        A report event's key names the report (id and fingerprint), not what it was compared
        with: the report's own events can be found again from the report alone (an undo
        withdraws them), and a new report that reuses a deleted one's id is news."""
        if self.report_key is not None:
            return f"{self.kind.value}:{self.project_id}:report:{self.report_id}:{self.report_key}"
        return ":".join(
            str(part) for part in
            (self.kind.value, self.project_id, self.before, self.after, self.report_id)
        )


_TRACKED_ELSEWHERE = {"owner_id", "manager_id", "phase", "updated_at"}


def _other_fields_differ(old: Project, new: Project) -> bool:
    return any(
        getattr(old, name) != getattr(new, name)
        for name in Project.__slots__
        if name not in _TRACKED_ELSEWHERE
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def report_fingerprint(report: StatusReport) -> str:
    """What identifies a report whatever its id: project, author, time (UTC, to the second,
    as the database keeps it), health and summary, hashed."""
    moment = report.reported_at if report.reported_at.tzinfo else \
        report.reported_at.replace(tzinfo=UTC)
    parts = [report.project_id, report.author_id,
             moment.astimezone(UTC).replace(microsecond=0).isoformat(),
             _text(report.health), report.summary]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:24]


def report_identity(report: StatusReport) -> tuple[int, str]:
    """A report's id with its fingerprint: equal only for the same report."""
    return report.id, report_fingerprint(report)


def report_dedupe_keys(report: StatusReport) -> list[str]:
    """The dedupe keys every event about `report` is queued under (to withdraw them)."""
    return [PortfolioEvent(kind, report.project_id, "", "", report_id=report.id,
                           report_key=report_fingerprint(report)).dedupe_key
            for kind in (EventKind.STATUS_REPORTED, EventKind.HEALTH_CHANGED)]


def status_reported(project: Project, report: StatusReport) -> PortfolioEvent:
    """A new status report on `project`."""
    return PortfolioEvent(EventKind.STATUS_REPORTED, project.id, project.code, project.name,
                          None, _text(report.health), report.id, report_fingerprint(report))


def health_changed(project: Project, before: Health, report: StatusReport) -> PortfolioEvent:
    """`report` is the project's newest, and its health differs from `before`'s."""
    return PortfolioEvent(EventKind.HEALTH_CHANGED, project.id, project.code, project.name,
                          _text(before), _text(report.health), report.id,
                          report_fingerprint(report))


def _identities(reports: Iterable[StatusReport]) -> set[tuple[int, str]]:
    return {report_identity(report) for report in reports}


def report_events(snapshot: Snapshot, report: StatusReport) -> list[PortfolioEvent]:
    """The events `diff` finds when `report` is new in `snapshot` (which already holds it):
    it was reported, and the health changed if the project's report before it had another."""
    project = snapshot.projects.get(report.project_id)
    if project is None:
        return []
    earlier = [r for r in snapshot.reports.get(project.id, ())
               if r != report and (r.reported_at, r.id) < (report.reported_at, report.id)]
    events = [status_reported(project, report)]
    if earlier and earlier[-1].health != report.health:
        events.append(health_changed(project, earlier[-1].health, report))
    return events


def diff(old: Snapshot | None, new: Snapshot) -> list[PortfolioEvent]:
    """Events that turn `old` into `new`; none for the first snapshot (nothing to compare)."""
    if old is None:
        return []
    events: list[PortfolioEvent] = []
    for project_id, project in new.projects.items():
        before = old.projects.get(project_id)

        def event(kind: EventKind, was: object = None, now: object = None,
                  report_id: int | None = None, p: Project = project) -> None:
            events.append(PortfolioEvent(kind, p.id, p.code, p.name, _text(was), _text(now),
                                         report_id))

        if before is None:
            event(EventKind.PROJECT_ADDED, now=project.phase)
            continue
        if before.owner_id != project.owner_id:
            event(EventKind.OWNER_CHANGED, before.owner_id, project.owner_id)
        if before.manager_id != project.manager_id:
            event(EventKind.MANAGER_CHANGED, before.manager_id, project.manager_id)
        if before.phase != project.phase:
            event(EventKind.PHASE_CHANGED, before.phase, project.phase)
        if _other_fields_differ(before, project):
            event(EventKind.PROJECT_CHANGED, now=project.updated_at.isoformat())
        old_transfer, new_transfer = old.transfers.get(project_id), new.transfers.get(project_id)
        old_status = old_transfer.status if old_transfer else None
        new_status = new_transfer.status if new_transfer else None
        if old_status != new_status:
            event(EventKind.TRANSFER_STATUS_CHANGED, old_status, new_status)
        old_reports = _identities(old.reports.get(project_id, ()))
        fresh = [r for r in new.reports.get(project_id, ())
                 if report_identity(r) not in old_reports]
        events.extend(status_reported(project, report) for report in fresh)
        old_latest, new_latest = old.latest_report(project_id), new.latest_report(project_id)
        if (fresh and old_latest is not None and new_latest is not None
                and old_latest.health != new_latest.health):
            events.append(health_changed(project, old_latest.health, new_latest))
    for project_id, project in old.projects.items():
        if project_id not in new.projects:
            events.append(PortfolioEvent(EventKind.PROJECT_REMOVED, project.id, project.code,
                                         project.name, _text(project.phase)))
    return events
