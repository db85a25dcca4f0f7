"""Records as the answer views renderers show: names resolved, ages computed, no ids left.

`Views` reads one snapshot at one moment; every answer builder takes its views from here,
so a person, a report or a transfer looks the same in every answer.
"""

from __future__ import annotations

from datetime import datetime

from knowledge.answers.answers import (
    Candidate,
    MemberView,
    PersonView,
    ProjectView,
    ReportView,
    TransferView,
)
from knowledge.language.name_index import EntityKind
from knowledge.portfolio.model import Project, Role, StatusReport
from knowledge.portfolio.snapshot import Snapshot


def programme_label(name: str, short_name: str | None) -> str:
    return f"{short_name} ({name})" if short_name else name


class Views:
    """View builders over one snapshot at one moment (`now` gives report ages)."""

    def __init__(self, snapshot: Snapshot, now: datetime) -> None:
        self.s = snapshot
        self.now = now

    def project(self, project: Project) -> ProjectView:
        return ProjectView(project.id, project.code, project.name, project.short_name)

    def person(self, person_id: int | None) -> PersonView | None:
        person = self.s.persons.get(person_id) if person_id is not None else None
        if person is None:
            return None
        organization = self.s.organizations.get(person.organization_id or -1)
        return PersonView(person.full_name, person.title, person.email,
                          organization.name if organization else None)

    def members(self, project: Project) -> tuple[MemberView, ...]:
        views: list[MemberView] = []
        for member in self.s.members.get(project.id, ()):
            person = self.person(member.person_id)
            if person is not None:
                views.append(MemberView(person, Role.MEMBER, member.role))
        return tuple(views)

    def report(self, report: StatusReport | None) -> ReportView | None:
        if report is None:
            return None
        age = max(0, (self.now - report.reported_at).days)
        return ReportView(report.health, report.summary, report.reported_at,
                          self.person(report.author_id), age, report.source)

    def latest_report(self, project_id: int) -> ReportView | None:
        return self.report(self.s.latest_report(project_id))

    def transfer(self, project_id: int) -> TransferView | None:
        transfer = self.s.transfers.get(project_id)
        if transfer is None:
            return None

        def name(organization_id: int | None) -> str | None:
            organization = self.s.organizations.get(organization_id or -1)
            return organization.name if organization else None

        return TransferView(transfer.status, name(transfer.from_organization_id),
                            name(transfer.to_organization_id), transfer.effective_date,
                            transfer.note)

    def programme_of(self, project: Project) -> str | None:
        programme = self.s.programmes.get(project.programme_id or -1)
        return programme_label(programme.name, programme.short_name) if programme else None

    def organization_name(self, organization_id: int | None) -> str | None:
        organization = self.s.organizations.get(organization_id or -1)
        return organization.name if organization else None

    def candidate(self, kind: EntityKind, entity_id: int) -> Candidate:
        if kind is EntityKind.PROJECT:
            project = self.s.projects[entity_id]
            return Candidate(kind, entity_id, project.name, project.code)
        if kind is EntityKind.PERSON:
            person = self.s.persons[entity_id]
            return Candidate(kind, entity_id, person.full_name, person.title)
        if kind is EntityKind.PROGRAMME:
            programme = self.s.programmes[entity_id]
            return Candidate(kind, entity_id, programme.name, programme.short_name)
        organization = self.s.organizations[entity_id]
        return Candidate(kind, entity_id, organization.name, organization.short_name)
