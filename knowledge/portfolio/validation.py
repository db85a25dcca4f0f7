"""Raw rows → validated records. A bad row is logged with its key and skipped, never a crash.

Bad means: a value outside the contract's enums, an empty required name, an unparseable date,
or a reference to a row that does not exist (or was itself skipped: skipping cascades).

Rows of the usual shape (exact ints and texts, known enum values) take a fast path per
table; anything else takes the general path, which alone decides what is wrong with a row.
`validate_rows` also takes over a table's records from the previous pass when its rows are
the same (by the caller's version of them) and the ids it refers to are unchanged.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from knowledge.language.text import split_list
from knowledge.portfolio.contract import TABLES, parse_date, parse_timestamp
from knowledge.portfolio.model import (
    FaqEntry,
    Health,
    Member,
    Organization,
    Person,
    Phase,
    Programme,
    ProgrammeStatus,
    Project,
    StatusReport,
    Transfer,
    TransferStatus,
)
from knowledge.portfolio.snapshot import PortfolioRecords

log = logging.getLogger("portfoliobot.sync")

Row = Mapping[str, Any]
RawTables = Mapping[str, Sequence[Row]]  # Sequence: a dict[str, list[dict]] fits too
TupleRow = tuple[Any, ...]   # columns in `contract.TABLES` order
R = TypeVar("R")


class BadRow(ValueError):
    """Why one row cannot be used."""


@dataclass(frozen=True, slots=True)
class SkippedRow:
    table: str
    key: str
    reason: str


def _text(row: Row, column: str, *, required: bool = False) -> str | None:
    value = row.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadRow(f"empty {column}")
        return None
    return str(value).strip()


def _required(row: Row, column: str) -> str:
    value = _text(row, column, required=True)
    assert value is not None
    return value


def _int(row: Row, column: str, *, required: bool = False) -> int | None:
    value = row.get(column)
    if value is None:
        if required:
            raise BadRow(f"missing {column}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadRow(f"{column} is not a whole number: {value!r}")
    try:
        return int(value)
    except ValueError as error:
        raise BadRow(f"{column} is not a whole number: {value!r}") from error


def _id(row: Row, column: str = "id") -> int:
    value = _int(row, column, required=True)
    assert value is not None
    return value


def _enum(row: Row, column: str, kind: type[Any]) -> Any:
    value = row.get(column)
    try:
        return kind(str(value).strip())
    except ValueError as error:
        raise BadRow(f"unknown {column} {value!r}") from error


def _date(row: Row, column: str) -> Any:
    try:
        return parse_date(row.get(column))
    except (TypeError, ValueError) as error:
        raise BadRow(f"{column} is not a date: {row.get(column)!r}") from error


def _timestamp(row: Row, column: str) -> Any:
    try:
        value = parse_timestamp(row.get(column))
    except (TypeError, ValueError) as error:
        raise BadRow(f"{column} is not a timestamp: {row.get(column)!r}") from error
    if value is None:
        raise BadRow(f"missing {column}")
    return value


def _reference(row: Row, column: str, known: Collection[int]) -> int | None:
    value = _int(row, column)
    if value is not None and value not in known:
        raise BadRow(f"{column} {value} refers to no usable row")
    return value


def _required_reference(row: Row, column: str, known: Collection[int]) -> int:
    value = _reference(row, column, known)
    if value is None:
        raise BadRow(f"missing {column}")
    return value


class _Validator:
    def __init__(self, *, tuples: bool) -> None:
        self.skipped: list[SkippedRow] = []
        self.tuples = tuples   # rows are tuples in contract column order, else mappings

    def each(self, table: str, rows: Sequence[Any], key: Callable[[Row], str],
             make: Callable[[Row], R]) -> list[R]:
        out: list[R] = []
        for row in rows:
            try:
                out.append(make(row))
            except BadRow as error:
                self.skip(table, _safe_key(key, row), error)
        return out

    def each_tuple(self, table: str, rows: Sequence[Any], key: Callable[[Row], str],
                   make: Callable[[Row], R], fast: Callable[[TupleRow], R]) -> list[R]:
        """`each`, but for tuple rows `fast` first (`make` decides when it gives up)."""
        if not self.tuples:
            return self.each(table, rows, key, make)
        columns = tuple(TABLES[table])
        out: list[R] = []
        append = out.append
        for row in rows:
            try:
                append(fast(row))
                continue
            except _Slow:
                pass
            mapping = dict(zip(columns, row, strict=True))
            try:
                append(make(mapping))
            except BadRow as error:
                self.skip(table, _safe_key(key, mapping), error)
        return out

    def skip(self, table: str, key: str, reason: BadRow | str) -> None:
        self.skipped.append(SkippedRow(table, key, str(reason)))
        log.warning("skipped %s row %s: %s", table, key, reason)


def _safe_key(key: Callable[[Row], str], row: Row) -> str:
    try:
        return key(row)
    except (KeyError, TypeError, ValueError):
        return "?"


def _by_id(row: Row) -> str:
    return f"id={row.get('id')}"


def _organizations(v: _Validator, rows: list[Row]) -> list[Organization]:
    candidates = {r.get("id") for r in rows}
    first = v.each("organization", rows, _by_id, lambda r: Organization(
        id=_id(r), name=_required(r, "name"), short_name=_text(r, "short_name"),
        parent_id=_reference(r, "parent_id", {c for c in candidates if isinstance(c, int)}),
    ))
    # A parent that was itself skipped makes its children dangle: repeat until stable.
    while True:
        usable = {o.id for o in first}
        kept = [o for o in first if o.parent_id is None or o.parent_id in usable]
        for dropped in (o for o in first if o not in kept):
            v.skipped.append(SkippedRow("organization", f"id={dropped.id}",
                                        f"parent_id {dropped.parent_id} refers to no usable row"))
            log.warning("skipped organization row id=%s: parent_id %s refers to no usable row",
                        dropped.id, dropped.parent_id)
        if len(kept) == len(first):
            return kept
        first = kept


# ------------------------------------------------------------------ the fast path
class _Slow(Exception):
    """This row is not of the usual shape: the general path decides about it."""


def _f_int(value: Any) -> int:
    if type(value) is int:
        return value
    raise _Slow


def _f_ref(value: Any, known: Mapping[int, int]) -> int | None:
    if value is None:
        return None
    if type(value) is int:
        canonical = known.get(value)
        if canonical is not None:
            return canonical
    raise _Slow


def _f_text(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    raise _Slow


def _f_required(value: Any) -> str:
    if type(value) is str:
        stripped = value.strip()
        if stripped:
            return stripped
    raise _Slow


def _f_enum(value: Any, members: Mapping[str, Any]) -> Any:
    if type(value) is str:
        member = members.get(value)
        if member is not None:
            return member
    raise _Slow


def _f_timestamp(value: Any) -> datetime:
    try:
        moment = parse_timestamp(value)
    except (TypeError, ValueError) as error:
        raise _Slow from error
    if moment is None:
        raise _Slow
    return moment


class _Dates:
    """`parse_date` for the fast path, one date object per distinct text."""

    def __init__(self) -> None:
        self._seen: dict[str, date | None] = {}

    def __call__(self, value: Any) -> date | None:
        if value is None:
            return None
        if type(value) is str:
            if value in self._seen:
                return self._seen[value]
            try:
                parsed = parse_date(value)
            except (TypeError, ValueError) as error:
                raise _Slow from error
            self._seen[value] = parsed
            return parsed
        if type(value) is date:
            return value
        raise _Slow


_PHASES: Mapping[str, Any] = Phase._value2member_map_
_HEALTHS: Mapping[str, Any] = Health._value2member_map_
_TRANSFERS: Mapping[str, Any] = TransferStatus._value2member_map_


# ------------------------------------------------------------------ per table
@dataclass(frozen=True)
class RowChunk:
    """Consecutive rows of one table for `validate_rows`, loaded only when needed.

    Chunks with equal keys hold the same rows; a None key is never taken over.
    """

    key: object
    rows: Callable[[], Sequence[TupleRow]]


@dataclass(frozen=True)
class _Table:
    """One table's validation: against which ids, per chunk what it gave, and in all."""

    depends: tuple[Mapping[int, int], ...]
    keys: tuple[object, ...]
    chunks: Mapping[object, tuple[tuple[Any, ...], tuple[SkippedRow, ...]]]
    records: tuple[Any, ...]
    skipped: tuple[SkippedRow, ...]
    ids: Mapping[int, int]   # each usable id to itself: one int object for all who refer to it


@dataclass(frozen=True)
class Validation:
    """Per-table results of one pass, for the next `validate_rows` to take over."""

    tables: Mapping[str, _Table]


def _same_ids(old: tuple[Mapping[int, int], ...], new: tuple[Mapping[int, int], ...]) -> bool:
    return len(old) == len(new) and all(a is b or a == b for a, b in zip(old, new, strict=True))


def validate(raw: RawTables) -> tuple[PortfolioRecords, list[SkippedRow]]:
    """Validated records from raw table rows, and the rows that were skipped with why."""
    v = _Validator(tuples=False)
    dates = _Dates()
    organizations = _organizations(v, list(raw.get("organization", [])))
    org_ids = {o.id: o.id for o in organizations}
    persons = _persons(v, list(raw.get("person", [])), org_ids)
    person_ids = {p.id: p.id for p in persons}
    programmes = _programmes(v, list(raw.get("programme", [])), dates)
    programme_ids = {p.id: p.id for p in programmes}
    projects = _projects(v, list(raw.get("project", [])), dates, programme_ids, person_ids,
                         org_ids)
    project_ids = {p.id: p.id for p in projects}
    transfers = _transfers(v, list(raw.get("project_transfer", [])), dates, project_ids, org_ids)
    members = _members(v, list(raw.get("project_member", [])), project_ids, person_ids)
    reports = _reports(v, list(raw.get("status_report", [])), project_ids, person_ids)
    faq = _faq(v, list(raw.get("faq", [])))
    records = PortfolioRecords(
        organizations=tuple(organizations), persons=tuple(persons), programmes=tuple(programmes),
        projects=tuple(projects), transfers=tuple(transfers), members=tuple(members),
        reports=tuple(reports), faq=tuple(faq),
    )
    return records, v.skipped


def validate_rows(
    tables: Mapping[str, Sequence[RowChunk]], previous: Validation | None = None,
) -> tuple[PortfolioRecords, list[SkippedRow], Validation]:
    """`validate` for tuple rows in chunks (`knowledge.portfolio.reader.read_rows`).

    A row's validity depends only on the row and the ids of the tables it refers to, so a
    chunk whose key `previous` validated against the same ids is taken over (its skipped
    rows logged again, in their place), and a table whose chunks are all taken over keeps
    its very records tuple.
    """
    v = _Validator(tuples=True)
    done: dict[str, _Table] = {}
    dates = _Dates()
    no_ids: Mapping[int, int] = {}

    def table(name: str, depends: tuple[Mapping[int, int], ...],
              run: Callable[[Sequence[TupleRow]], list[Any]], *, whole: bool = False,
              referred: bool = False) -> tuple[Any, ...]:
        chunks = tables.get(name, ())
        keys = tuple(chunk.key for chunk in chunks)
        old = previous.tables.get(name) if previous is not None else None
        same_ids = old is not None and _same_ids(old.depends, depends)
        if old is not None and same_ids and None not in keys and keys == old.keys:
            for skipped in old.skipped:
                v.skip(skipped.table, skipped.key, skipped.reason)
            done[name] = old
            return old.records
        start = len(v.skipped)
        parts: list[tuple[Any, ...]] = []
        by_key: dict[object, tuple[tuple[Any, ...], tuple[SkippedRow, ...]]] = {}
        if whole:   # rows that depend on each other: all at once, nothing taken over
            parts.append(tuple(run([row for chunk in chunks for row in chunk.rows()])))
        else:
            for chunk in chunks:
                taken = old.chunks.get(chunk.key) if old is not None and same_ids else None
                if taken is not None:
                    records, skipped_rows = taken
                    for skipped in skipped_rows:
                        v.skip(skipped.table, skipped.key, skipped.reason)
                else:
                    before = len(v.skipped)
                    records = tuple(run(chunk.rows()))
                    skipped_rows = tuple(v.skipped[before:])
                if chunk.key is not None:
                    by_key[chunk.key] = (records, skipped_rows)
                parts.append(records)
        records = parts[0] if len(parts) == 1 else tuple(itertools.chain.from_iterable(parts))
        ids = {r.id: r.id for r in records} if referred else no_ids
        done[name] = _Table(depends, keys, by_key, records, tuple(v.skipped[start:]), ids)
        return records

    organizations = table("organization", (), lambda r: _organizations(
        v, [dict(zip(TABLES["organization"], row, strict=True)) for row in r]),
        whole=True, referred=True)
    org_ids = done["organization"].ids
    persons = table("person", (org_ids,), lambda r: _persons(v, r, org_ids), referred=True)
    person_ids = done["person"].ids
    programmes = table("programme", (), lambda r: _programmes(v, r, dates), referred=True)
    programme_ids = done["programme"].ids
    projects = table("project", (programme_ids, person_ids, org_ids), lambda r: _projects(
        v, r, dates, programme_ids, person_ids, org_ids), referred=True)
    project_ids = done["project"].ids
    transfers = table("project_transfer", (project_ids, org_ids), lambda r: _transfers(
        v, r, dates, project_ids, org_ids))
    members = table("project_member", (project_ids, person_ids), lambda r: _members(
        v, r, project_ids, person_ids))
    reports = table("status_report", (project_ids, person_ids), lambda r: _reports(
        v, r, project_ids, person_ids))
    faq = table("faq", (), lambda r: _faq(v, r))
    records = PortfolioRecords(
        organizations=organizations, persons=persons, programmes=programmes,
        projects=projects, transfers=transfers, members=members, reports=reports, faq=faq,
    )
    return records, v.skipped, Validation(done)


def _persons(v: _Validator, rows: Sequence[Any], org_ids: Mapping[int, int]) -> list[Person]:
    def fast(row: TupleRow) -> Person:
        id_, full_name, email, aad_object_id, title, organization_id = row
        return Person(id=_f_int(id_), full_name=_f_required(full_name), email=_f_text(email),
                      aad_object_id=_f_text(aad_object_id), title=_f_text(title),
                      organization_id=_f_ref(organization_id, org_ids))

    return v.each_tuple("person", rows, _by_id, lambda r: Person(
        id=_id(r), full_name=_required(r, "full_name"), email=_text(r, "email"),
        aad_object_id=_text(r, "aad_object_id"), title=_text(r, "title"),
        organization_id=_reference(r, "organization_id", org_ids),
    ), fast)


def _programmes(v: _Validator, rows: Sequence[Any], dates: _Dates) -> list[Programme]:
    def fast(row: TupleRow) -> Programme:
        raise _Slow   # a handful of rows: the general path is fast enough

    return v.each_tuple("programme", rows, _by_id, lambda r: Programme(
        id=_id(r), name=_required(r, "name"), short_name=_text(r, "short_name"),
        description=_text(r, "description"), status=_enum(r, "status", ProgrammeStatus),
        closed_on=_date(r, "closed_on"),
    ), fast)


def _projects(v: _Validator, rows: Sequence[Any], dates: _Dates,
              programme_ids: Mapping[int, int], person_ids: Mapping[int, int],
              org_ids: Mapping[int, int]) -> list[Project]:
    def fast(row: TupleRow) -> Project:
        (id_, code, name, short_name, aliases, description, programme_id, phase, owner_id,
         manager_id, organization_id, start_date, planned_end_date, updated_at) = row
        return Project(
            id=_f_int(id_), code=_f_required(code), name=_f_required(name),
            short_name=_f_text(short_name), aliases=split_list(_f_text(aliases)),
            description=_f_text(description),
            programme_id=_f_ref(programme_id, programme_ids), phase=_f_enum(phase, _PHASES),
            owner_id=_f_ref(owner_id, person_ids), manager_id=_f_ref(manager_id, person_ids),
            organization_id=_f_ref(organization_id, org_ids),
            start_date=dates(start_date), planned_end_date=dates(planned_end_date),
            updated_at=_f_timestamp(updated_at),
        )

    return v.each_tuple("project", rows, _by_id, lambda r: Project(
        id=_id(r), code=_required(r, "code"), name=_required(r, "name"),
        short_name=_text(r, "short_name"), aliases=split_list(_text(r, "aliases")),
        description=_text(r, "description"),
        programme_id=_reference(r, "programme_id", programme_ids),
        phase=_enum(r, "phase", Phase),
        owner_id=_reference(r, "owner_id", person_ids),
        manager_id=_reference(r, "manager_id", person_ids),
        organization_id=_reference(r, "organization_id", org_ids),
        start_date=_date(r, "start_date"), planned_end_date=_date(r, "planned_end_date"),
        updated_at=_timestamp(r, "updated_at"),
    ), fast)


def _transfers(v: _Validator, rows: Sequence[Any], dates: _Dates,
               project_ids: Mapping[int, int], org_ids: Mapping[int, int]) -> list[Transfer]:
    def fast(row: TupleRow) -> Transfer:
        (project_id, status, from_organization_id, to_organization_id, effective_date, note,
         updated_at) = row
        if project_id is None:
            raise _Slow
        return Transfer(
            project_id=_f_int(_f_ref(project_id, project_ids)),
            status=_f_enum(status, _TRANSFERS),
            from_organization_id=_f_ref(from_organization_id, org_ids),
            to_organization_id=_f_ref(to_organization_id, org_ids),
            effective_date=dates(effective_date), note=_f_text(note),
            updated_at=_f_timestamp(updated_at),
        )

    return v.each_tuple(
        "project_transfer", rows, lambda r: f"project_id={r.get('project_id')}",
        lambda r: Transfer(
            project_id=_required_reference(r, "project_id", project_ids),
            status=_enum(r, "status", TransferStatus),
            from_organization_id=_reference(r, "from_organization_id", org_ids),
            to_organization_id=_reference(r, "to_organization_id", org_ids),
            effective_date=_date(r, "effective_date"), note=_text(r, "note"),
            updated_at=_timestamp(r, "updated_at"),
        ), fast,
    )


def _members(v: _Validator, rows: Sequence[Any], project_ids: Mapping[int, int],
             person_ids: Mapping[int, int]) -> list[Member]:
    def fast(row: TupleRow) -> Member:
        project_id, person_id, role = row
        if project_id is None or person_id is None:
            raise _Slow
        return Member(project_id=_f_int(_f_ref(project_id, project_ids)),
                      person_id=_f_int(_f_ref(person_id, person_ids)), role=_f_required(role))

    return v.each_tuple(
        "project_member", rows,
        lambda r: f"project_id={r.get('project_id')},person_id={r.get('person_id')},"
                  f"role={r.get('role')}",
        lambda r: Member(
            project_id=_required_reference(r, "project_id", project_ids),
            person_id=_required_reference(r, "person_id", person_ids),
            role=_required(r, "role"),
        ), fast,
    )


def _reports(v: _Validator, rows: Sequence[Any], project_ids: Mapping[int, int],
             person_ids: Mapping[int, int]) -> list[StatusReport]:
    def fast(row: TupleRow) -> StatusReport:
        id_, project_id, reported_at, author_id, health, summary, source = row
        if project_id is None:
            raise _Slow
        return StatusReport(
            id=_f_int(id_), project_id=_f_int(_f_ref(project_id, project_ids)),
            reported_at=_f_timestamp(reported_at), author_id=_f_ref(author_id, person_ids),
            health=_f_enum(health, _HEALTHS), summary=_f_required(summary),
            source=_f_text(source) or "portfolio",
        )

    return v.each_tuple("status_report", rows, _by_id, lambda r: StatusReport(
        id=_id(r), project_id=_required_reference(r, "project_id", project_ids),
        reported_at=_timestamp(r, "reported_at"),
        author_id=_reference(r, "author_id", person_ids),
        health=_enum(r, "health", Health), summary=_required(r, "summary"),
        source=_text(r, "source") or "portfolio",
    ), fast)


def _faq(v: _Validator, rows: Sequence[Any]) -> list[FaqEntry]:
    def fast(row: TupleRow) -> FaqEntry:
        raise _Slow

    return v.each_tuple("faq", rows, _by_id, lambda r: FaqEntry(
        id=_id(r), question=_required(r, "question"), answer=_required(r, "answer"),
        keywords=split_list(_text(r, "keywords")), updated_at=_timestamp(r, "updated_at"),
    ), fast)
