"""A question as one small typed query: what is asked, about what, under which filters.

`Query` is what the grammar (`knowledge.answers.query_reading`) makes of a question and what
the runner (`knowledge.answers.query_running`) answers; neither holds wording. `Filters`
select projects; `Query.ask` says whether one fact, a list, a count or an overview is
wanted, `Query.fact` which fact, `Query.subject_*` which entity it is about.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from knowledge.answers.answers import Intent
from knowledge.language.dates import DateField, DateRange
from knowledge.language.name_index import EntityKind
from knowledge.portfolio.model import Health, Phase, TransferStatus


class Ask(enum.StrEnum):
    FACT = "fact"          # one thing about one entity
    LIST = "list"          # the projects that pass the filters
    COUNT = "count"        # how many pass
    SUMMARY = "summary"    # counts by health, phase and transfer, red projects named


@dataclass(frozen=True, slots=True)
class DateFilter:
    field: DateField
    range: DateRange
    negated: bool = False   # "har ikke rapportert etter 1. oktober"


@dataclass(frozen=True, slots=True)
class Filters:
    """Conditions a project must meet; the empty value of each does not filter."""

    health: frozenset[Health] = frozenset()
    phases: frozenset[Phase] = frozenset()
    transfer: frozenset[TransferStatus] = frozenset()
    owner_id: int | None = None
    manager_id: int | None = None
    person_id: int | None = None          # any role on the project
    programme_id: int | None = None
    organization_id: int | None = None    # the project's organisation or one below it
    transfer_organization_id: int | None = None   # transferred from or to it
    dates: tuple[DateFilter, ...] = ()
    no_report: bool = False
    topic: tuple[str, ...] = ()           # the question's words for what projects are about
    topic_ids: frozenset[int] | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    @property
    def people(self) -> tuple[int, ...]:
        return tuple(i for i in (self.owner_id, self.manager_id, self.person_id) if i is not None)


@dataclass(frozen=True, slots=True)
class Query:
    ask: Ask
    fact: Intent = Intent.OVERVIEW
    subject_kind: EntityKind | None = None
    subject_id: int | None = None
    filters: Filters = field(default_factory=Filters)
    unsupported: tuple[str, ...] = ()     # words of a condition the bot cannot filter by
    by_topic: bool = False                # the subject was found by what it is about
    offset: int = 0                       # a list: the first project to show ("vis flere")
    limit: int = 10                       # a list: how many to show
