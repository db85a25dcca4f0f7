"""Every project as a list item with a bit mask per filter value: lists by any filter, fast.

Bit i of a mask stands for the i-th item in project code order; a filter is the OR of its
values' masks, and several filters are ANDed. Health, phase, transfer status, programme and
organisation have a mask per value. Dates (start, planned end, transfer, latest report) have
a mask per calendar month: a range ORs the months it covers whole and checks the few projects
of its boundary months one by one. People and topics are small sets of projects, made into a
mask when asked. The chosen items come out in code order straight from the mask
(`itertools.compress`), so a list over 100,000 projects costs about a millisecond.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from knowledge.answers.answers import ProjectListItem, ProjectView
from knowledge.language.dates import DateField, DateRange
from knowledge.language.query import Filters
from knowledge.portfolio.model import Health, Phase, Project, StatusReport, Transfer, TransferStatus

if TYPE_CHECKING:
    from knowledge.portfolio.snapshot import Snapshot

K = TypeVar("K")
Month = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Tallies:
    """Counts of one selection of projects by health, phase and transfer status."""

    total: int
    health: dict[Health, int]
    without_report: int
    phases: dict[Phase, int]
    transfers: dict[TransferStatus, int]
    red: tuple[ProjectListItem, ...]


class ProjectListing:
    """The portfolio's projects as list items in code order, with their filter masks."""

    def __init__(
        self,
        projects: Mapping[int, Project],
        reports: Mapping[int, tuple[StatusReport, ...]],
        transfers: Mapping[int, Transfer],
        previous: Snapshot | None = None,
    ) -> None:
        # Items of the previous snapshot are kept when nothing they show changed.
        reuse = ({item.project.id: item for item in previous.listing._items}
                 if previous and previous.listing else {})
        old_projects = previous.projects if previous else {}
        entries: list[tuple[str, ProjectListItem, Project, Transfer | None]] = []
        for project in projects.values():
            latest = reports.get(project.id)
            transfer = transfers.get(project.id)
            health = latest[-1].health if latest else None
            status = transfer.status if transfer else None
            item = reuse.get(project.id)
            if item is None or old_projects.get(project.id) is not project or (
                    item.health is not health or item.transfer is not status):
                item = ProjectListItem(
                    ProjectView(project.id, project.code, project.name, project.short_name),
                    project.phase, health, status)
            entries.append((project.code, item, project, transfer))
        entries.sort(key=lambda entry: entry[0])   # stable: ties keep the projects' order
        self._items: tuple[ProjectListItem, ...] = tuple(entry[1] for entry in entries)
        self._rank = {item.project.id: rank for rank, item in enumerate(self._items)}
        size = self._size = len(entries)
        self._all = (1 << size) - 1
        health_bits: dict[Health, bytearray] = {}
        phase_bits: dict[Phase, bytearray] = {}
        status_bits: dict[TransferStatus, bytearray] = {}
        programme_bits: dict[int, bytearray] = {}
        organization_bits: dict[int, bytearray] = {}
        transfer_bits: dict[int, bytearray] = {}
        self._dates: dict[DateField, list[date | None]] = {f: [None] * size for f in DateField}
        self._month_ranks: dict[DateField, dict[Month, array[int]]] = {f: {} for f in DateField}

        def mark(bits: dict[K, bytearray], key: K | None, rank: int) -> None:
            if key is not None:
                row = bits.get(key)
                if row is None:
                    row = bits[key] = bytearray(b"0" * size)
                row[size - 1 - rank] = 0x31   # b"1"; the string's last digit is bit 0

        for rank, (_, item, project, transfer) in enumerate(entries):
            mark(health_bits, item.health, rank)
            mark(phase_bits, project.phase, rank)
            mark(status_bits, item.transfer, rank)
            mark(programme_bits, project.programme_id, rank)
            mark(organization_bits, project.organization_id, rank)
            if transfer is not None:
                mark(transfer_bits, transfer.from_organization_id, rank)
                mark(transfer_bits, transfer.to_organization_id, rank)
            latest = reports.get(project.id)
            days = {
                DateField.START: project.start_date,
                DateField.PLANNED_END: project.planned_end_date,
                DateField.TRANSFER: transfer.effective_date if transfer else None,
                DateField.REPORT: latest[-1].reported_at.date() if latest else None,
            }
            for field, day in days.items():
                if day is not None:
                    self._dates[field][rank] = day
                    ranks = self._month_ranks[field].get((day.year, day.month))
                    if ranks is None:
                        ranks = self._month_ranks[field][(day.year, day.month)] = array("i")
                    ranks.append(rank)

        def masks(bits: dict[K, bytearray]) -> dict[K, int]:
            return {key: int(row, 2) for key, row in bits.items()}

        self._health = masks(health_bits)
        self._phase = masks(phase_bits)
        self._status = masks(status_bits)
        self._programme = masks(programme_bits)
        self._organization = masks(organization_bits)
        self._transfer_organization = masks(transfer_bits)
        # A month's mask from its ranks, one at a time: no bytearray per month held at once.
        self._months = {field: {month: self._mask_of_ranks(ranks) for month, ranks in months.items()}
                        for field, months in self._month_ranks.items()}
        self._reported = _union(self._health, Health)

    def select(
        self,
        health: Collection[Health],
        phases: Collection[Phase],
        transfer_statuses: Collection[TransferStatus],
        programme_id: int | None,
        organizations: Collection[int] | None,
        transfer_organizations: Collection[int] | None,
    ) -> tuple[ProjectListItem, ...]:
        mask = self._all
        if health:
            mask &= _union(self._health, health)
        if phases:
            mask &= _union(self._phase, phases)
        if transfer_statuses:
            mask &= _union(self._status, transfer_statuses)
        if programme_id is not None:
            mask &= self._programme.get(programme_id, 0)
        if organizations is not None:
            mask &= _union(self._organization, organizations)
        if transfer_organizations is not None:
            mask &= _union(self._transfer_organization, transfer_organizations)
        return self._chosen(mask)

    def filtered(self, filters: Filters, *, organizations: Collection[int] | None,
                 transfer_organizations: Collection[int] | None,
                 people: Iterable[Collection[int]] = ()) -> tuple[ProjectListItem, ...]:
        """The items that pass every filter of `filters`.

        The caller resolves what needs the rest of the snapshot: `organizations` (the
        organisation's subtree), `transfer_organizations`, and `people`, one set of project
        ids per person filter.
        """
        return self._chosen(self.mask(filters, organizations=organizations,
                                      transfer_organizations=transfer_organizations,
                                      people=people))

    def tally(self, mask: int) -> Tallies:
        """How many of the projects in `mask` have each health, phase and transfer status,
        and the red ones: bit counts, not a pass over the projects."""
        def counts(masks: Mapping[K, int]) -> dict[K, int]:
            return {key: n for key, value in masks.items() if (n := (mask & value).bit_count())}

        return Tallies(mask.bit_count(), counts(self._health),
                       (mask & ~self._reported).bit_count(), counts(self._phase),
                       counts(self._status), self._chosen(mask & self._health.get(Health.RED, 0)))

    def mask(self, filters: Filters, *, organizations: Collection[int] | None,
             transfer_organizations: Collection[int] | None,
             people: Iterable[Collection[int]] = ()) -> int:
        """The bit mask of the items that pass every filter of `filters` (see `filtered`)."""
        mask = self._all
        if filters.health:
            mask &= _union(self._health, filters.health)
        if filters.phases:
            mask &= _union(self._phase, filters.phases)
        if filters.transfer:
            mask &= _union(self._status, filters.transfer)
        if filters.programme_id is not None:
            mask &= self._programme.get(filters.programme_id, 0)
        if organizations is not None:
            mask &= _union(self._organization, organizations)
        if transfer_organizations is not None:
            mask &= _union(self._transfer_organization, transfer_organizations)
        if filters.no_report:
            mask &= self._all & ~self._reported
        for project_ids in people:
            mask &= self._mask_of(project_ids)
        if filters.topic_ids is not None:
            mask &= self._mask_of(filters.topic_ids)
        for condition in filters.dates:
            if not mask:
                break
            in_range = self._date_mask(condition.field, condition.range)
            mask &= (self._all & ~in_range) if condition.negated else in_range
        return mask

    def _chosen(self, mask: int) -> tuple[ProjectListItem, ...]:
        if mask == self._all:
            return self._items
        if not mask:
            return ()
        selectors = format(mask, "b").encode("ascii")[::-1].translate(_BITS)
        return tuple(itertools.compress(self._items, selectors))

    def _mask_of(self, project_ids: Collection[int]) -> int:
        ranks = [self._rank[i] for i in project_ids if i in self._rank]
        return self._mask_of_ranks(ranks)

    def _mask_of_ranks(self, ranks: Iterable[int]) -> int:
        row = bytearray(b"0" * self._size)
        for rank in ranks:
            row[self._size - 1 - rank] = 0x31
        return int(row, 2) if self._size else 0

    def _date_mask(self, field: DateField, span: DateRange) -> int:
        """The projects whose `field` date lies in `span`: whole months by mask, the boundary
        months' projects one by one."""
        whole = 0
        boundary: list[int] = []
        for month, month_mask in self._months[field].items():
            first, last = _month_bounds(month)
            if span.holds(first) and span.holds(last):
                whole |= month_mask
            elif (span.first is None or last >= span.first) and (
                    span.last is None or first <= span.last):
                boundary.extend(r for r in self._month_ranks[field][month]
                                if span.holds(self._dates[field][r]))
        return whole | self._mask_of_ranks(boundary) if boundary else whole


_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _union(masks: Mapping[K, int], keys: Iterable[K]) -> int:
    combined = 0
    for key in keys:
        combined |= masks.get(key, 0)
    return combined


def _month_bounds(month: Month) -> tuple[date, date]:
    year, number = month
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date(year, number, 1), date.fromordinal(following.toordinal() - 1)
