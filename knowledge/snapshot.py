"""The immutable snapshot of the portfolio that every answer is computed from.

A `Snapshot` holds validated records keyed by id, the derived look-ups answers need (latest
report per project, a person's projects, organisation subtrees) and its `NameIndex` and
`FaqIndex`. It is built once per changed sync and never modified: the syncer swaps the whole
object, so a question sees one consistent portfolio.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from knowledge.faq_index import FaqIndex
from knowledge.model import (
    FaqEntry,
    Member,
    Organization,
    Person,
    Programme,
    Project,
    Role,
    StatusReport,
    Transfer,
)
from knowledge.name_index import EntityKind, NameForm, NameIndex
from knowledge.text import tokens
from knowledge.vocabulary import STOPWORDS


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
    def form(kind: EntityKind, entity_id: int, text: str | None) -> Iterable[NameForm]:
        if text and text.strip():
            yield NameForm(kind, entity_id, text.strip(), name_tokens(text))

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


def build_indexes(records: PortfolioRecords) -> tuple[NameIndex, FaqIndex]:
    """The fuzzy indexes of `records`; the costly part of a snapshot, reused when names hold."""
    return NameIndex(name_forms(records)), FaqIndex(records.faq)


def build_snapshot(
    records: PortfolioRecords,
    built_at: datetime,
    indexes: tuple[NameIndex, FaqIndex] | None = None,
) -> Snapshot:
    """A snapshot of `records`; `indexes` may be passed in when the names have not changed."""
    names, faq_index = indexes or build_indexes(records)
    members: dict[int, list[Member]] = defaultdict(list)
    for member in records.members:
        members[member.project_id].append(member)
    reports: dict[int, list[StatusReport]] = defaultdict(list)
    for report in records.reports:
        reports[report.project_id].append(report)
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
    return Snapshot(
        records=records,
        built_at=built_at,
        names=names,
        faq_index=faq_index,
        organizations=MappingProxyType({o.id: o for o in records.organizations}),
        persons=MappingProxyType({p.id: p for p in records.persons}),
        programmes=MappingProxyType({p.id: p for p in records.programmes}),
        projects=MappingProxyType({p.id: p for p in records.projects}),
        transfers=MappingProxyType({t.project_id: t for t in records.transfers}),
        members=MappingProxyType({k: tuple(v) for k, v in members.items()}),
        reports=MappingProxyType(
            {k: tuple(sorted(v, key=lambda r: (r.reported_at, r.id))) for k, v in reports.items()}
        ),
        assignments=MappingProxyType({k: tuple(v) for k, v in assignments.items()}),
        persons_by_aad=MappingProxyType(
            {p.aad_object_id.lower(): p for p in records.persons if p.aad_object_id}
        ),
    )
