"""Typed answers: what the bot says, as data. Renderers (plain text, Adaptive Cards) read these.

Answers carry resolved values (names, dates, enum members), never ids to look up again, so a
renderer needs no snapshot. `Followup` is what a clarification button sends back: the intent
and the entity the user picked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from knowledge.language.name_index import EntityKind
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus
from knowledge.portfolio.status_rules import MAX_SUMMARY, STALE_AFTER_DAYS


class Language(enum.StrEnum):
    NB = "nb"   # bokmål, the default
    NN = "nn"   # nynorsk
    EN = "en"


class Intent(enum.StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    OWNER = "owner"
    MANAGER = "manager"
    PEOPLE = "people"
    STATUS = "status"
    TRANSFER = "transfer"
    OVERVIEW = "overview"
    PERSON_PROJECTS = "person_projects"
    DESCRIPTION = "description"
    PROGRAMME = "programme"            # which programme a project belongs to
    START = "start"
    PLANNED_END = "planned_end"
    HISTORY = "history"
    PROGRAMME_STATUS = "programme_status"   # is a programme active or closed, and since when
    SUMMARY = "summary"
    LIST = "list"
    COUNT = "count"
    FAQ = "faq"
    UNKNOWN = "unknown"


class TransferFocus(enum.StrEnum):
    STATUS = "status"
    WHEN = "when"
    WHERE = "where"


@dataclass(frozen=True, slots=True)
class PersonView:
    name: str
    title: str | None = None
    email: str | None = None
    organization: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    code: str
    name: str
    short_name: str | None = None


@dataclass(frozen=True, slots=True)
class ReportView:
    health: Health
    summary: str
    reported_at: datetime
    author: PersonView | None
    age_days: int
    source: str


@dataclass(frozen=True, slots=True)
class TransferView:
    status: TransferStatus
    from_organization: str | None
    to_organization: str | None
    effective_date: date | None
    note: str | None


@dataclass(frozen=True, slots=True)
class MemberView:
    person: PersonView
    role: Role
    member_role: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """Base of every answer: the language to reply in."""

    language: Language


@dataclass(frozen=True, slots=True)
class Greeting(Answer):
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thanks(Answer):
    pass


@dataclass(frozen=True, slots=True)
class Help(Answer):
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectPeople(Answer):
    """Owner, manager and members; `focus` says which the question asked for."""

    project: ProjectView
    focus: Intent
    owner: PersonView | None
    manager: PersonView | None
    members: tuple[MemberView, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectStatus(Answer):
    project: ProjectView
    report: ReportView | None
    stale_after_days: int = STALE_AFTER_DAYS


@dataclass(frozen=True, slots=True)
class ProjectTransfer(Answer):
    project: ProjectView
    transfer: TransferView | None
    focus: TransferFocus = TransferFocus.STATUS
    asked_organization: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectOverview(Answer):
    project: ProjectView
    description: str | None
    phase: Phase
    programme: str | None
    organization: str | None
    start_date: date | None
    planned_end_date: date | None
    owner: PersonView | None
    manager: PersonView | None
    members: tuple[MemberView, ...]
    report: ReportView | None
    transfer: TransferView | None


@dataclass(frozen=True, slots=True)
class PersonAssignment:
    project: ProjectView
    role: Role
    member_role: str | None
    phase: Phase


@dataclass(frozen=True, slots=True)
class PersonProjects(Answer):
    person: PersonView
    assignments: tuple[PersonAssignment, ...]
    role_filter: Role | None = None


@dataclass(frozen=True, slots=True)
class DateCondition:
    """A date filter as said back: which date, its inclusive bounds, whether it is negated."""

    field: str                 # start, planned_end, transfer or report
    first: date | None
    last: date | None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ListFilters:
    """Filters of a list or count question, as the user asked them, with names resolved."""

    health: frozenset[Health] = frozenset()
    phases: frozenset[Phase] = frozenset()
    transfer: frozenset[TransferStatus] = frozenset()
    programme: str | None = None
    organization: str | None = None
    owner: str | None = None
    manager: str | None = None
    person: str | None = None
    dates: tuple[DateCondition, ...] = ()
    no_report: bool = False
    topic: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == ListFilters()


@dataclass(frozen=True, slots=True)
class ProjectListItem:
    project: ProjectView
    phase: Phase
    health: Health | None
    transfer: TransferStatus | None


@dataclass(frozen=True, slots=True)
class ProjectList(Answer):
    filters: ListFilters
    items: tuple[ProjectListItem, ...]
    count_only: bool = False
    total: int = 0
    shown_limit: int = 10
    unsupported: tuple[str, ...] = ()   # words of a condition the bot cannot filter by
    first: int = 0                      # the first item shown ("vis flere": the next ones)

    @property
    def shown(self) -> tuple[ProjectListItem, ...]:
        """The items this answer shows: `shown_limit` of them from `first`."""
        return self.items[self.first: self.first + self.shown_limit]

    @property
    def after_shown(self) -> int:
        """How many come after the shown ones."""
        return max(0, self.total - self.first - self.shown_limit)


@dataclass(frozen=True, slots=True)
class ProjectFact(Answer):
    """One fact about a project: `fact` is DESCRIPTION, PROGRAMME, START, PLANNED_END or
    HISTORY, and the matching field holds it (None or empty: not registered)."""

    project: ProjectView
    fact: Intent
    description: str | None = None
    programme: str | None = None
    programme_closed_on: date | None = None
    start_date: date | None = None
    planned_end_date: date | None = None
    reports: tuple[ReportView, ...] = ()   # newest first


@dataclass(frozen=True, slots=True)
class ProgrammeFact(Answer):
    """A programme: whether it is active or closed, since when, and what it is."""

    name: str
    short_name: str | None
    closed: bool
    closed_on: date | None
    description: str | None
    projects: int = 0


@dataclass(frozen=True, slots=True)
class Tally:
    """How many projects of a scope have one value (a health, a phase, a transfer status);
    `value` None counts those without one (no report, no transfer row)."""

    value: Health | Phase | TransferStatus | None
    count: int


@dataclass(frozen=True, slots=True)
class PortfolioSummary(Answer):
    """The portfolio (or a programme's or organisation's part of it) at a glance."""

    scope: ListFilters
    total: int
    health: tuple[Tally, ...]
    phases: tuple[Tally, ...]
    transfers: tuple[Tally, ...]
    red: tuple[ProjectListItem, ...]
    red_total: int = 0
    shown_limit: int = 10


@dataclass(frozen=True, slots=True)
class FaqAnswer(Answer):
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: EntityKind
    id: int
    label: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Followup:
    """A chosen candidate plus what was asked: enough to answer without the original text."""

    intent: Intent
    kind: EntityKind
    entity_id: int
    language: Language
    transfer_focus: TransferFocus = TransferFocus.STATUS

    def to_dict(self) -> dict[str, Any]:
        return {"intent": self.intent.value, "kind": self.kind.value, "id": self.entity_id,
                "lang": self.language.value, "focus": self.transfer_focus.value}

    @classmethod
    def from_dict(cls, data: Any) -> Followup:
        """Parse a button's value; ValueError for anything malformed."""
        if not isinstance(data, dict):
            raise ValueError("followup must be an object")
        try:
            entity_id = data["id"]
            if isinstance(entity_id, bool) or not isinstance(entity_id, int):
                raise ValueError("id must be an integer")
            return cls(Intent(data["intent"]), EntityKind(data["kind"]), entity_id,
                       Language(data.get("lang", "nb")),
                       TransferFocus(data.get("focus", "status")))
        except (KeyError, TypeError) as error:
            raise ValueError(f"malformed followup: {error}") from error


@dataclass(frozen=True, slots=True)
class Clarification(Answer):
    """Several entities fit about equally well: the user picks one."""

    mention: str
    candidates: tuple[Candidate, ...]
    followups: tuple[Followup, ...] = field(default=())
    # What each candidate's button sends instead of a followup (a status update carries its
    # health and summary to the chosen project).
    button_data: tuple[dict[str, Any], ...] = field(default=())
    # Or the command each candidate's button sends, as if typed (a subscription command).
    commands: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class NotFound(Answer):
    """The question names something that matches nothing well enough."""

    mention: str
    suggestions: tuple[Candidate, ...] = ()
    followups: tuple[Followup, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class NotUnderstood(Answer):
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WhichSubject(Answer):
    """A follow-up ("og hvem leder det?") with nothing before it to refer to: which project?"""

    examples: tuple[str, ...] = ()


# ----------------------------------------------------------------- status updates by chat
@dataclass(frozen=True, slots=True)
class StatusPosted(Answer):
    """A status report was stored: exactly what went into the portfolio database."""

    project: ProjectView
    report: ReportView


@dataclass(frozen=True, slots=True)
class StatusRefused(Answer):
    """The sender may not post for this project (or is not known to the portfolio)."""

    project: ProjectView
    unknown_sender: bool
    leads: tuple[PersonView, ...]


@dataclass(frozen=True, slots=True)
class StatusInvalid(Answer):
    """The update cannot be stored as written; `problems` are codes from validation."""

    project: ProjectView | None
    problems: tuple[str, ...]
    max_summary: int = MAX_SUMMARY


@dataclass(frozen=True, slots=True)
class StatusWithdrawn(Answer):
    project: ProjectView
    report: ReportView


@dataclass(frozen=True, slots=True)
class NothingToUndo(Answer):
    """No own chat update within the undo window."""

    window_minutes: int = 10


@dataclass(frozen=True, slots=True)
class LedProjectView:
    project: ProjectView
    role: Role
    report: ReportView | None
    stale: bool


@dataclass(frozen=True, slots=True)
class MyProjects(Answer):
    """The projects the sender owns or leads, with their latest status and its age."""

    person: PersonView | None
    projects: tuple[LedProjectView, ...]
    stale_after_days: int = STALE_AFTER_DAYS


# ----------------------------------------------------------------- channel subscriptions
@dataclass(frozen=True, slots=True)
class SubscriptionChanged(Answer):
    """A subscription was added, updated or removed.

    `action` is 'subscribed', 'updated' or 'unsubscribed'; `target` the project's or
    programme's label, None for everything; `kinds` the kind groups ('status', 'transfer',
    'phase', 'people'), empty for every kind; `count` how many were removed (unsubscribe).
    """

    action: str
    target: str | None
    kinds: tuple[str, ...] = ()
    count: int = 1


@dataclass(frozen=True, slots=True)
class SubscriptionItem:
    target: str | None          # None: everything
    kinds: tuple[str, ...] = ()  # empty: every kind
    last_delivered: datetime | None = None   # when a notice for it last arrived
    failing: str | None = None               # why delivery fails now (status: error)


@dataclass(frozen=True, slots=True)
class SubscriptionList(Answer):
    """The conversation's subscriptions, and why nothing reaches it any more if so."""

    items: tuple[SubscriptionItem, ...]
    stopped: str | None = None   # the conversation cannot be reached (the app was removed)


@dataclass(frozen=True, slots=True)
class SubscriptionHelp(Answer):
    """A subscription command that cannot be carried out as written: how to write it."""

    examples: tuple[str, ...] = ()
    unknown_kinds: tuple[str, ...] = ()
