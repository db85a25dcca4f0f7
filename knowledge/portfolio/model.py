"""The portfolio's records as immutable, validated values: what a snapshot is made of."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Phase(enum.StrEnum):
    CONCEPT = "concept"
    PLANNING = "planning"
    EXECUTION = "execution"
    PAUSED = "paused"
    CLOSED = "closed"


class Health(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class TransferStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    TRANSFERRED = "transferred"
    COMPLETED_BEFORE_TRANSFER = "completed_before_transfer"
    NOT_TRANSFERRED = "not_transferred"


class ProgrammeStatus(enum.StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Role(enum.StrEnum):
    """How a person is attached to a project; members carry their own free-text role."""

    OWNER = "owner"
    MANAGER = "manager"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    name: str
    short_name: str | None
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    full_name: str
    email: str | None
    aad_object_id: str | None
    title: str | None
    organization_id: int | None


@dataclass(frozen=True, slots=True)
class Programme:
    id: int
    name: str
    short_name: str | None
    description: str | None
    status: ProgrammeStatus
    closed_on: date | None


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    code: str
    name: str
    short_name: str | None
    aliases: tuple[str, ...]
    description: str | None
    programme_id: int | None
    phase: Phase
    owner_id: int | None
    manager_id: int | None
    organization_id: int | None
    start_date: date | None
    planned_end_date: date | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Transfer:
    project_id: int
    status: TransferStatus
    from_organization_id: int | None
    to_organization_id: int | None
    effective_date: date | None
    note: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    project_id: int
    person_id: int
    role: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    id: int
    project_id: int
    reported_at: datetime
    author_id: int | None
    health: Health
    summary: str
    source: str


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: int
    question: str
    answer: str
    keywords: tuple[str, ...]
    updated_at: datetime
