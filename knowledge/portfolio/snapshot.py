"""The immutable snapshot of the portfolio that every answer is computed from.

A `Snapshot` holds validated records keyed by id, the derived look-ups answers need (latest
report per project, a person's projects, organisation subtrees, project lists by filter) and
its `NameIndex` and `FaqIndex`. It is built once per changed sync and never modified: the
syncer swaps the whole object, so a question sees one consistent portfolio. Parts whose
records did not change are taken over from the previous snapshot as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import MappingProxyType
from typing import Any

from knowledge.answers.answers import ProjectListItem
from knowledge.language.faq_index import FaqIndex
from knowledge.language.name_index import EntityKind, NameForm, NameIndex
from knowledge.language.query import Filters
from knowledge.language.text import tokens
from knowledge.language.topic_index import TopicIndex
from knowledge.language.vocabulary import STOPWORDS
from knowledge.portfolio.model import (
    FaqEntry,
    Health,
    Member,
    Organization,
    Person,
    Phase,
    Programme,
    Project,
    Role,
    StatusReport,
    Transfer,
    TransferStatus,
)
from knowledge.portfolio.project_listing import ProjectListing, Tallies


@dataclass(frozen=True, slots=True)
class Assignment:
    """A person's place on a project: owner, manager, or member with a free-text role."""

    project_id: int
    person_id: int
    role: Role
    member_role: str | None = None


@dataclass(frozen=True, slots=True)
class PortfolioRecords:
    """Validated records of one read of the portfolio database."""

    organizations: tuple[Organization, ...] = ()
    persons: tuple[Person, ...] = ()
    programmes: tuple[Programme, ...] = ()
    projects: tuple[Project, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    members: tuple[Member, ...] = ()
    reports: tuple[StatusReport, ...] = ()
    faq: tuple[FaqEntry, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """One consistent, read-only view of the portfolio with its indexes."""

    records: PortfolioRecords
    built_at: datetime
    names: NameIndex
    faq_index: FaqIndex
    organizations: Mapping[int, Organization] = field(repr=False)
    persons: Mapping[int, Person] = field(repr=False)
    programmes: Mapping[int, Programme] = field(repr=False)
    projects: Mapping[int, Project] = field(repr=False)
    transfers: Mapping[int, Transfer] = field(repr=False)
    members: Mapping[int, tuple[Member, ...]] = field(repr=False)
    reports: Mapping[int, tuple[StatusReport, ...]] = field(repr=False)
    assignments: Mapping[int, tuple[Assignment, ...]] = field(repr=False)
    persons_by_aad: Mapping[str, Person] = field(repr=False)
    listing: ProjectListing | None = field(default=None, repr=False, compare=False)
    topic_index: TopicIndex | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _listing(self) -> ProjectListing:
        return self.listing or ProjectListing(self.projects, self.reports, self.transfers)

    def project_list(
        self,
        *,
        health: Collection[Health] = (),
        phases: Collection[Phase] = (),
        transfer_statuses: Collection[TransferStatus] = (),
        programme_id: int | None = None,
        organizations: Collection[int] | None = None,
        transfer_organizations: Collection[int] | None = None,
    ) -> tuple[ProjectListItem, ...]:
        """The projects that pass every given filter, as list items in project code order.

        An empty `health`, `phases` or `transfer_statuses` does not filter. `health` needs a
        latest report of one of those colours, `transfer_statuses` a transfer row in one of
        those states; `programme_id` the project's programme, `organizations` the project's
        organisation among those ids, `transfer_organizations` a transfer from or to one of
        them. Precomputed per filter value, so a list over 100,000 projects costs about a
        millisecond, not a pass over every project.
        """
        return self._listing.select(health, phases, transfer_statuses, programme_id,
                                    organizations, transfer_organizations)

    def select(self, filters: Filters) -> tuple[ProjectListItem, ...]:
        """The projects that pass every filter of `filters`, in project code order."""
        return self._listing.filtered(filters, **self._resolved(filters))

    def tally(self, filters: Filters) -> Tallies:
        """The projects that pass `filters`, counted by health, phase and transfer status."""
        return self._listing.tally(self._listing.mask(filters, **self._resolved(filters)))

    def _resolved(self, filters: Filters) -> dict[str, Any]:
        """What the listing needs looked up elsewhere: organisation subtrees, people's
        projects."""
        def subtree(organization_id: int | None) -> frozenset[int] | None:
            return None if organization_id is None else self.organization_subtree(organization_id)

        people = [frozenset(a.project_id for a in self.assignments.get(person_id, ())
                            if role is None or a.role is role)
                  for person_id, role in ((filters.owner_id, Role.OWNER),
                                          (filters.manager_id, Role.MANAGER),
                                          (filters.person_id, None)) if person_id is not None]
        return {"organizations": subtree(filters.organization_id),
                "transfer_organizations": subtree(filters.transfer_organization_id),
                "people": people}

    @cached_property
    def topics(self) -> TopicIndex:
        """What each project is about, by word: the words of its name, aliases, description
        and status summaries (built on first use, once per snapshot)."""
        return self.topic_index or topic_index(self.records)

    @cached_property
    def codes(self) -> Mapping[str, int]:
        """Casefolded project code → project id (a card's refresh, a pasted link)."""
        return MappingProxyType({p.code.casefold(): p.id for p in self.projects.values()})

    @cached_property
    def first_names(self) -> Mapping[str, tuple[int, ...]]:
        """Folded first name → the people who have it, for "Which projects does Kari own?"."""
        found: dict[str, list[int]] = defaultdict(list)
        for person in self.persons.values():
            words = tokens(person.full_name)
            if len(words) > 1:
                found[words[0]].append(person.id)
        return MappingProxyType({name: tuple(ids) for name, ids in found.items()})

    def latest_report(self, project_id: int) -> StatusReport | None:
        reports = self.reports.get(project_id)
        return reports[-1] if reports else None

    def organization_subtree(self, organization_id: int) -> frozenset[int]:
        """The organisation and every organisation below it."""
        children: dict[int, list[int]] = defaultdict(list)
        for organization in self.organizations.values():
            if organization.parent_id is not None:
                children[organization.parent_id].append(organization.id)
        found, stack = {organization_id}, [organization_id]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return frozenset(found)


def name_tokens(text: str) -> tuple[str, ...]:
    """A name's folded tokens without filler words (kept when the name is nothing else)."""
    all_tokens = tokens(text)
    meaningful = tuple(token for token in all_tokens if token not in STOPWORDS)
    return meaningful or all_tokens


def name_forms(records: PortfolioRecords) -> Iterable[NameForm]:
    """Every way the records' entities can be named, for the `NameIndex`."""
    shared: dict[str, str] = {}   # one string per distinct token, however many names hold it

    def form(kind: EntityKind, entity_id: int, text: str | None) -> Iterable[NameForm]:
        if text and text.strip():
            folded = tuple(shared.setdefault(token, token) for token in name_tokens(text))
            yield NameForm(kind, entity_id, text.strip(), folded)

    for project in records.projects:
        yield from form(EntityKind.PROJECT, project.id, project.name)
        yield from form(EntityKind.PROJECT, project.id, project.short_name)
        yield from form(EntityKind.PROJECT, project.id, project.code)
        for alias in project.aliases:
            yield from form(EntityKind.PROJECT, project.id, alias)
    for person in records.persons:
        yield from form(EntityKind.PERSON, person.id, person.full_name)
    for programme in records.programmes:
        yield from form(EntityKind.PROGRAMME, programme.id, programme.name)
        yield from form(EntityKind.PROGRAMME, programme.id, programme.short_name)
    for organization in records.organizations:
        yield from form(EntityKind.ORGANIZATION, organization.id, organization.name)
        yield from form(EntityKind.ORGANIZATION, organization.id, organization.short_name)


def topic_index(records: PortfolioRecords) -> TopicIndex:
    """The topic index of `records`: each project's words of what it is about."""
    summaries: dict[int, list[str]] = defaultdict(list)
    for report in records.reports:
        summaries[report.project_id].append(report.summary)
    return TopicIndex(
        (project.id, (project.name, project.short_name or "", *project.aliases),
         (project.description or "", *summaries.get(project.id, ())))
        for project in records.projects)


def build_indexes(records: PortfolioRecords) -> tuple[NameIndex, FaqIndex]:
    """The fuzzy indexes of `records`; the costly part of a snapshot, reused when names hold."""
    return NameIndex(name_forms(records)), FaqIndex(records.faq)


def build_snapshot(
    records: PortfolioRecords,
    built_at: datetime,
    indexes: tuple[NameIndex, FaqIndex] | None = None,
    previous: Snapshot | None = None,
) -> Snapshot:
    """A snapshot of `records`; `indexes` may be passed in when the names have not changed.

    With `previous`, look-ups built from the very same record tuples (the syncer keeps a
    table's records when its rows did not change) are taken over instead of rebuilt.
    """
    names, faq_index = indexes or build_indexes(records)
    old = previous.records if previous is not None else None

    def same(*tables: str) -> bool:
        return old is not None and all(getattr(old, t) is getattr(records, t) for t in tables)

    p = previous
    projects = p.projects if p and same("projects") else MappingProxyType(
        {o.id: o for o in records.projects})
    transfers = p.transfers if p and same("transfers") else MappingProxyType(
        {t.project_id: t for t in records.transfers})
    reports = p.reports if p and same("reports") else _reports(records)
    return Snapshot(
        records=records,
        built_at=built_at,
        names=names,
        faq_index=faq_index,
        organizations=p.organizations if p and same("organizations") else MappingProxyType(
            {o.id: o for o in records.organizations}),
        persons=p.persons if p and same("persons") else MappingProxyType(
            {o.id: o for o in records.persons}),
        programmes=p.programmes if p and same("programmes") else MappingProxyType(
            {o.id: o for o in records.programmes}),
        projects=projects,
        transfers=transfers,
        members=p.members if p and same("members") else _members(records),
        reports=reports,
        assignments=p.assignments if p and same("projects", "members") else _assignments(records),
        persons_by_aad=p.persons_by_aad if p and same("persons") else MappingProxyType(
            {o.aad_object_id.lower(): o for o in records.persons if o.aad_object_id}),
        listing=ProjectListing(projects, reports, transfers, p),
        topic_index=_topics(records, p, same("projects", "reports"), same("projects")),
    )


def _topics(records: PortfolioRecords, previous: Snapshot | None, unchanged: bool,
            same_projects: bool) -> TopicIndex:
    """The topic index: the previous one when nothing it reads changed, the previous one with
    the new reports' summaries when reports were only added (a status update), else new."""
    if previous is None:
        return topic_index(records)
    if unchanged:
        return previous.topics
    if same_projects:
        known = {report.id for report in previous.records.reports}
        kept = tuple(report for report in records.reports if report.id in known)
        if kept == previous.records.reports:   # none removed or changed, in the same order
            return previous.topics.adding((r.project_id, r.summary) for r in records.reports
                                          if r.id not in known)
    return topic_index(records)


def _members(records: PortfolioRecords) -> Mapping[int, tuple[Member, ...]]:
    members: dict[int, list[Member]] = defaultdict(list)
    for member in records.members:
        members[member.project_id].append(member)
    return MappingProxyType({k: tuple(v) for k, v in members.items()})


def _reports(records: PortfolioRecords) -> Mapping[int, tuple[StatusReport, ...]]:
    reports: dict[int, list[StatusReport]] = defaultdict(list)
    for report in records.reports:
        reports[report.project_id].append(report)
    return MappingProxyType(
        {k: tuple(sorted(v, key=lambda r: (r.reported_at, r.id))) for k, v in reports.items()}
    )


def _assignments(records: PortfolioRecords) -> Mapping[int, tuple[Assignment, ...]]:
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    for project in records.projects:
        if project.owner_id is not None:
            assignments[project.owner_id].append(Assignment(project.id, project.owner_id, Role.OWNER))
        if project.manager_id is not None:
            assignments[project.manager_id].append(
                Assignment(project.id, project.manager_id, Role.MANAGER)
            )
    for member in records.members:
        assignments[member.person_id].append(
            Assignment(member.project_id, member.person_id, Role.MEMBER, member.role)
        )
    return MappingProxyType({k: tuple(v) for k, v in assignments.items()})
