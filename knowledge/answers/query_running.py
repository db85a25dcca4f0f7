"""Runs a `Query` against one snapshot: the typed answer for a fact, a list, a count or an
overview.

Lists come from the snapshot's filter masks (`Snapshot.select`), so a list or a count costs
about the same for any mix of filters; a list answer carries the filters it applied, named
as the user would say them, and any condition it could not apply.
"""

from __future__ import annotations

from datetime import datetime

from knowledge.answers.answers import (
    Answer,
    DateCondition,
    Intent,
    Language,
    ListFilters,
    NotFound,
    PersonAssignment,
    PersonProjects,
    PortfolioSummary,
    ProgrammeFact,
    ProjectFact,
    ProjectList,
    ProjectOverview,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
    Tally,
    TransferFocus,
)
from knowledge.answers.views import Views, programme_label
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, Filters, Query
from knowledge.portfolio.model import (
    Health,
    Person,
    Phase,
    ProgrammeStatus,
    Project,
    Role,
    TransferStatus,
)
from knowledge.portfolio.snapshot import Snapshot

HISTORY_LENGTH = 5
TRANSFER_ORDER = (TransferStatus.TRANSFERRED, TransferStatus.IN_PROGRESS, TransferStatus.PLANNED,
                  TransferStatus.NOT_TRANSFERRED, TransferStatus.COMPLETED_BEFORE_TRANSFER)
ROLE_ORDER = {Role.OWNER: 0, Role.MANAGER: 1, Role.MEMBER: 2}


class QueryRunner:
    """Answers queries against one snapshot at one moment, in one language."""

    def __init__(self, snapshot: Snapshot, now: datetime, language: Language,
                 stale_after_days: int) -> None:
        self.s = snapshot
        self.views = Views(snapshot, now)
        self.language = language
        self.stale_after_days = stale_after_days

    def run(self, query: Query, focus: TransferFocus = TransferFocus.STATUS) -> Answer:
        if query.ask in (Ask.LIST, Ask.COUNT):
            return self.project_list(query.filters, query.ask is Ask.COUNT, query.unsupported,
                                     first=query.offset, limit=query.limit)
        if query.ask is Ask.SUMMARY:
            return self.summary(query.filters)
        assert query.subject_kind is not None and query.subject_id is not None
        return self.about(query.subject_kind, query.subject_id, query.fact, focus)

    # ----------------------------------------------------------------- one entity
    def about(self, kind: EntityKind, entity_id: int, intent: Intent,
              focus: TransferFocus = TransferFocus.STATUS) -> Answer:
        """The answer about one known entity; NotFound when it has left the portfolio."""
        if kind is EntityKind.PROJECT and entity_id in self.s.projects:
            return self.project_answer(self.s.projects[entity_id], intent, focus)
        if kind is EntityKind.PERSON and entity_id in self.s.persons:
            role = {Intent.OWNER: Role.OWNER, Intent.MANAGER: Role.MANAGER}.get(intent)
            return self.person_projects(self.s.persons[entity_id], role)
        if kind is EntityKind.PROGRAMME and entity_id in self.s.programmes:
            return self.programme_fact(entity_id)
        return NotFound(self.language, "", ())

    def project_answer(self, project: Project, intent: Intent, focus: TransferFocus) -> Answer:
        v, language = self.views, self.language
        view = v.project(project)
        if intent in (Intent.OWNER, Intent.MANAGER, Intent.PEOPLE):
            return ProjectPeople(language, view, intent, v.person(project.owner_id),
                                 v.person(project.manager_id), v.members(project))
        if intent is Intent.STATUS:
            return ProjectStatus(language, view, v.latest_report(project.id),
                                 self.stale_after_days)
        if intent is Intent.TRANSFER:
            return ProjectTransfer(language, view, v.transfer(project.id), focus)
        if intent in (Intent.DESCRIPTION, Intent.PROGRAMME, Intent.START, Intent.PLANNED_END,
                      Intent.HISTORY):
            programme = self.s.programmes.get(project.programme_id or -1)
            reports = self.s.reports.get(project.id, ())
            return ProjectFact(
                language, view, intent, project.description, v.programme_of(project),
                programme.closed_on if programme else None, project.start_date,
                project.planned_end_date,
                tuple(r for r in (v.report(x) for x in reversed(reports[-HISTORY_LENGTH:]))
                      if r is not None))
        return ProjectOverview(
            language, view, project.description, project.phase, v.programme_of(project),
            v.organization_name(project.organization_id), project.start_date,
            project.planned_end_date, v.person(project.owner_id), v.person(project.manager_id),
            v.members(project), v.latest_report(project.id), v.transfer(project.id))

    def person_projects(self, person: Person, role: Role | None) -> PersonProjects:
        v = self.views
        assignments = [
            PersonAssignment(v.project(self.s.projects[a.project_id]), a.role, a.member_role,
                             self.s.projects[a.project_id].phase)
            for a in self.s.assignments.get(person.id, ())
            if a.project_id in self.s.projects and (role is None or a.role is role)
        ]
        assignments.sort(key=lambda a: (ROLE_ORDER[a.role], a.project.name))
        view = v.person(person.id)
        assert view is not None
        return PersonProjects(self.language, view, tuple(assignments), role)

    def programme_fact(self, programme_id: int) -> ProgrammeFact:
        programme = self.s.programmes[programme_id]
        projects = len(self.s.select(Filters(programme_id=programme_id)))
        return ProgrammeFact(self.language, programme.name, programme.short_name,
                             programme.status is ProgrammeStatus.CLOSED, programme.closed_on,
                             programme.description, projects)

    # ----------------------------------------------------------------- many projects
    def project_list(self, filters: Filters, count_only: bool,
                     unsupported: tuple[str, ...] = (), *, first: int = 0,
                     limit: int = 10) -> ProjectList:
        if unsupported and filters.is_empty():   # nothing to list by: say what can be used
            return ProjectList(self.language, ListFilters(), (), True, 0,
                               unsupported=unsupported)
        items = self.s.select(filters)
        return ProjectList(self.language, self.said(filters), items, count_only, len(items),
                           limit, unsupported, min(first, len(items)))

    def summary(self, filters: Filters) -> PortfolioSummary:
        tallies = self.s.tally(filters)
        health = [Tally(h, tallies.health[h]) for h in (Health.GREEN, Health.YELLOW, Health.RED)
                  if tallies.health.get(h)]
        if tallies.without_report:
            health.append(Tally(None, tallies.without_report))
        transfers = sorted(tallies.transfers.items(),
                           key=lambda pair: TRANSFER_ORDER.index(pair[0]))
        untransferred = tallies.total - sum(tallies.transfers.values())
        return PortfolioSummary(
            self.language, self.said(filters), tallies.total, tuple(health),
            tuple(Tally(p, tallies.phases[p]) for p in Phase if tallies.phases.get(p)),
            tuple(Tally(t, n) for t, n in transfers)
            + ((Tally(None, untransferred),) if untransferred else ()),
            tallies.red, len(tallies.red))

    def said(self, filters: Filters) -> ListFilters:
        """The filters as the answer names them back."""
        def person(person_id: int | None) -> str | None:
            found = self.s.persons.get(person_id) if person_id is not None else None
            return found.full_name if found else None

        programme = self.s.programmes.get(filters.programme_id or -1)
        organization = (filters.organization_id if filters.organization_id is not None
                        else filters.transfer_organization_id)
        return ListFilters(
            filters.health, filters.phases, filters.transfer,
            programme_label(programme.name, programme.short_name) if programme else None,
            self.views.organization_name(organization), person(filters.owner_id),
            person(filters.manager_id), person(filters.person_id),
            tuple(DateCondition(d.field.value, d.range.first, d.range.last, d.negated)
                  for d in filters.dates),
            filters.no_report, filters.topic)
