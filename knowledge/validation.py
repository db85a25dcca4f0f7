"""Raw rows → validated records. A bad row is logged with its key and skipped, never a crash.

Bad means: a value outside the contract's enums, an empty required name, an unparseable date,
or a reference to a row that does not exist (or was itself skipped: skipping cascades).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from knowledge.contract import parse_date, parse_timestamp
from knowledge.model import (
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
from knowledge.snapshot import PortfolioRecords
from knowledge.text import split_list

log = logging.getLogger("portfoliobot.sync")

Row = Mapping[str, Any]
RawTables = Mapping[str, Sequence[Row]]  # Sequence: a dict[str, list[dict]] fits too
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


def _reference(row: Row, column: str, known: set[int] | Mapping[int, Any]) -> int | None:
    value = _int(row, column)
    if value is not None and value not in known:
        raise BadRow(f"{column} {value} refers to no usable row")
    return value


def _required_reference(row: Row, column: str, known: set[int]) -> int:
    value = _reference(row, column, known)
    if value is None:
        raise BadRow(f"missing {column}")
    return value


class _Validator:
    def __init__(self) -> None:
        self.skipped: list[SkippedRow] = []

    def each(self, table: str, rows: list[Row], key: Callable[[Row], str],
             make: Callable[[Row], R]) -> list[R]:
        out: list[R] = []
        for row in rows:
            try:
                out.append(make(row))
            except BadRow as error:
                row_key = _safe_key(key, row)
                self.skipped.append(SkippedRow(table, row_key, str(error)))
                log.warning("skipped %s row %s: %s", table, row_key, error)
        return out


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


def validate(raw: RawTables) -> tuple[PortfolioRecords, list[SkippedRow]]:
    """Validated records from raw table rows, and the rows that were skipped with why."""
    v = _Validator()
    organizations = _organizations(v, list(raw.get("organization", [])))
    org_ids = {o.id for o in organizations}
    persons = v.each("person", list(raw.get("person", [])), _by_id, lambda r: Person(
        id=_id(r), full_name=_required(r, "full_name"), email=_text(r, "email"),
        aad_object_id=_text(r, "aad_object_id"), title=_text(r, "title"),
        organization_id=_reference(r, "organization_id", org_ids),
    ))
    person_ids = {p.id for p in persons}
    programmes = v.each("programme", list(raw.get("programme", [])), _by_id, lambda r: Programme(
        id=_id(r), name=_required(r, "name"), short_name=_text(r, "short_name"),
        description=_text(r, "description"), status=_enum(r, "status", ProgrammeStatus),
        closed_on=_date(r, "closed_on"),
    ))
    programme_ids = {p.id for p in programmes}
    projects = v.each("project", list(raw.get("project", [])), _by_id, lambda r: Project(
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
    ))
    project_ids = {p.id for p in projects}
    transfers = v.each(
        "project_transfer", list(raw.get("project_transfer", [])),
        lambda r: f"project_id={r.get('project_id')}",
        lambda r: Transfer(
            project_id=_required_reference(r, "project_id", project_ids),
            status=_enum(r, "status", TransferStatus),
            from_organization_id=_reference(r, "from_organization_id", org_ids),
            to_organization_id=_reference(r, "to_organization_id", org_ids),
            effective_date=_date(r, "effective_date"), note=_text(r, "note"),
            updated_at=_timestamp(r, "updated_at"),
        ),
    )
    members = v.each(
        "project_member", list(raw.get("project_member", [])),
        lambda r: f"project_id={r.get('project_id')},person_id={r.get('person_id')},"
                  f"role={r.get('role')}",
        lambda r: Member(
            project_id=_required_reference(r, "project_id", project_ids),
            person_id=_required_reference(r, "person_id", person_ids),
            role=_required(r, "role"),
        ),
    )
    reports = v.each("status_report", list(raw.get("status_report", [])), _by_id,
                     lambda r: StatusReport(
        id=_id(r), project_id=_required_reference(r, "project_id", project_ids),
        reported_at=_timestamp(r, "reported_at"),
        author_id=_reference(r, "author_id", person_ids),
        health=_enum(r, "health", Health), summary=_required(r, "summary"),
        source=_text(r, "source") or "portfolio",
    ))
    faq = v.each("faq", list(raw.get("faq", [])), _by_id, lambda r: FaqEntry(
        id=_id(r), question=_required(r, "question"), answer=_required(r, "answer"),
        keywords=split_list(_text(r, "keywords")), updated_at=_timestamp(r, "updated_at"),
    ))
    records = PortfolioRecords(
        organizations=tuple(organizations), persons=tuple(persons), programmes=tuple(programmes),
        projects=tuple(projects), transfers=tuple(transfers), members=tuple(members),
        reports=tuple(reports), faq=tuple(faq),
    )
    return records, v.skipped
