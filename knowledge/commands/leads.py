"""Who may post a project's status (its owner and manager), and a lead's own projects.

The sender is known by the Entra object id Teams gives (`from.aadObjectId`), which the
portfolio keeps as `person.aad_object_id`. Comparison ignores case, as GUIDs are written both ways.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from knowledge.portfolio.model import Person, Project, Role, StatusReport
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.status_rules import STALE_AFTER_DAYS


class Refusal(enum.StrEnum):
    UNKNOWN_SENDER = "unknown_sender"     # the portfolio has no person with that Entra id
    NOT_A_LEAD = "not_a_lead"             # a person, but neither owner nor manager


@dataclass(frozen=True, slots=True)
class PostPermission:
    """Whether `person` may post for `project`; when not, why and who may."""

    project: Project
    person: Person | None
    refusal: Refusal | None
    leads: tuple[Person, ...]

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def sender(snapshot: Snapshot, aad_object_id: str | None) -> Person | None:
    if not aad_object_id:
        return None
    return snapshot.persons_by_aad.get(aad_object_id.strip().lower())


def project_leads(snapshot: Snapshot, project: Project) -> tuple[Person, ...]:
    ids = [i for i in (project.owner_id, project.manager_id) if i is not None]
    return tuple(dict.fromkeys(snapshot.persons[i] for i in ids if i in snapshot.persons))


def may_post(snapshot: Snapshot, aad_object_id: str | None, project_id: int) -> PostPermission:
    """May the sender with `aad_object_id` post status for the project?"""
    project = snapshot.projects[project_id]
    person = sender(snapshot, aad_object_id)
    leads = project_leads(snapshot, project)
    if person is None:
        return PostPermission(project, None, Refusal.UNKNOWN_SENDER, leads)
    if person.id not in (project.owner_id, project.manager_id):
        return PostPermission(project, person, Refusal.NOT_A_LEAD, leads)
    return PostPermission(project, person, None, leads)


@dataclass(frozen=True, slots=True)
class LedProject:
    project: Project
    role: Role
    report: StatusReport | None
    age_days: int | None

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > STALE_AFTER_DAYS


def led_projects(snapshot: Snapshot, person: Person, now: datetime) -> tuple[LedProject, ...]:
    """The projects `person` owns or leads, with their newest report and its age in days."""
    out: list[LedProject] = []
    for assignment in snapshot.assignments.get(person.id, ()):
        if assignment.role not in (Role.OWNER, Role.MANAGER):
            continue
        project = snapshot.projects.get(assignment.project_id)
        if project is None:
            continue
        report = snapshot.latest_report(project.id)
        age = max(0, (now - report.reported_at).days) if report else None
        out.append(LedProject(project, assignment.role, report, age))
    out.sort(key=lambda led: (led.project.code, led.role.value))
    return tuple(out)
