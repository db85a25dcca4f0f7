"""The portfolio database contract: its tables, their columns, and how values cross the wire.

The schema itself ships as `knowledge/data/schema.sql` (a copy of the portfolio office's file);
this module names the columns the bot reads and converts values between Python and each
database: SQLite keeps ISO 8601 text, PostgreSQL native DATE and TIMESTAMP columns.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any


class ColumnKind(enum.Enum):
    INTEGER = "integer"
    TEXT = "text"
    DATE = "date"
    TIMESTAMP = "timestamp"


INT, T, D, TS = ColumnKind.INTEGER, ColumnKind.TEXT, ColumnKind.DATE, ColumnKind.TIMESTAMP

# Table → ordered columns, in the order the tables must be created and loaded.
TABLES: dict[str, dict[str, ColumnKind]] = {
    "organization": {"id": INT, "name": T, "short_name": T, "parent_id": INT},
    "person": {
        "id": INT, "full_name": T, "email": T, "aad_object_id": T, "title": T,
        "organization_id": INT,
    },
    "programme": {
        "id": INT, "name": T, "short_name": T, "description": T, "status": T, "closed_on": D,
    },
    "project": {
        "id": INT, "code": T, "name": T, "short_name": T, "aliases": T, "description": T,
        "programme_id": INT, "phase": T, "owner_id": INT, "manager_id": INT, "organization_id": INT,
        "start_date": D, "planned_end_date": D, "updated_at": TS,
    },
    "project_transfer": {
        "project_id": INT, "status": T, "from_organization_id": INT, "to_organization_id": INT,
        "effective_date": D, "note": T, "updated_at": TS,
    },
    "project_member": {"project_id": INT, "person_id": INT, "role": T},
    "status_report": {
        "id": INT, "project_id": INT, "reported_at": TS, "author_id": INT, "health": T, "summary": T,
        "source": T,
    },
    "faq": {"id": INT, "question": T, "answer": T, "keywords": T, "updated_at": TS},
}


def schema_sql() -> str:
    """The shipped copy of the portfolio office's schema.sql."""
    return resources.files("knowledge").joinpath("data/schema.sql").read_text(encoding="utf-8")


def schema_statements() -> list[str]:
    """schema.sql split into single statements (comments removed; they may hold ';')."""
    lines = [line.split("--", 1)[0] for line in schema_sql().splitlines()]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]


def select_sql(table: str) -> str:
    """The SELECT that reads every contract column of `table`, in a stable order."""
    return f"SELECT {', '.join(TABLES[table])} FROM {table}"


def parse_date(value: Any) -> date | None:
    """A DATE column's value as a date; accepts what SQLite (text) and asyncpg (date) return."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def parse_timestamp(value: Any) -> datetime | None:
    """A TIMESTAMP column's value as an aware UTC datetime; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_database(value: Any, kind: ColumnKind, dialect: str) -> Any:
    """A Python or JSON value as the given database wants it bound for a column of `kind`."""
    if value is None:
        return None
    if kind is ColumnKind.DATE:
        parsed_date = parse_date(value)
        return parsed_date if dialect == "postgresql" else (parsed_date and parsed_date.isoformat())
    if kind is ColumnKind.TIMESTAMP:
        moment = parse_timestamp(value)
        assert moment is not None
        if dialect == "postgresql":
            return moment.replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value
