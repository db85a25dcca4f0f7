"""What the bot remembers of a conversation with one person: the subject follow-ups resolve to.

`Memory` holds the last question answered (its `Query`: the project, person or programme it
was about, or the filters of a list), how much of a list was shown, and the choices of the
last clarification. It is a small JSON document (`to_json` / `from_json`), kept per person per
conversation by the bot; `from_json` refuses anything malformed or from another version.
Follow-ups are read against it by the grammar (`knowledge.answers.query_reading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from knowledge.answers.answers import Intent, Language
from knowledge.language.dates import DateField, DateRange
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, DateFilter, Filters, Query
from knowledge.portfolio.model import Health, Phase, TransferStatus

FORMAT = 1
EXPIRES_AFTER = timedelta(minutes=30)
MAX_TOPIC_IDS = 500   # a list by topic larger than this is remembered by its words only


@dataclass(frozen=True, slots=True)
class Choices:
    """The candidates a clarification offered, in the order shown, and what was asked."""

    kind: EntityKind
    ids: tuple[int, ...]
    intent: Intent


@dataclass(frozen=True, slots=True)
class Memory:
    """The subject of one person's conversation with the bot, as of `at`."""

    query: Query | None
    language: Language
    at: datetime
    shown: int = 0                  # a list: how many of its projects were shown so far
    choices: Choices | None = None

    def expired(self, now: datetime) -> bool:
        return now - self.at > EXPIRES_AFTER

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT, "lang": self.language.value, "at": self.at.isoformat(),
            "shown": self.shown,
            "query": _query_json(self.query) if self.query is not None else None,
            "choices": {"kind": self.choices.kind.value, "ids": list(self.choices.ids),
                        "intent": self.choices.intent.value} if self.choices else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> Memory | None:
        """The memory `data` holds; None for anything malformed or of another format."""
        try:
            if not isinstance(data, dict) or data.get("v") != FORMAT:
                return None
            choices = data.get("choices")
            return cls(
                _query(data["query"]) if data.get("query") is not None else None,
                Language(data["lang"]), datetime.fromisoformat(data["at"]),
                _count(data.get("shown", 0)),
                Choices(EntityKind(choices["kind"]), tuple(_count(i) for i in choices["ids"]),
                        Intent(choices["intent"])) if choices else None)
        except (KeyError, TypeError, ValueError):
            return None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("not a count")
    return value


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _query_json(query: Query) -> dict[str, Any]:
    f = query.filters
    ids = f.topic_ids
    return {
        "ask": query.ask.value, "fact": query.fact.value,
        "kind": query.subject_kind.value if query.subject_kind else None,
        "id": query.subject_id,
        "health": sorted(h.value for h in f.health), "phases": sorted(p.value for p in f.phases),
        "transfer": sorted(t.value for t in f.transfer),
        "owner": f.owner_id, "manager": f.manager_id, "person": f.person_id,
        "programme": f.programme_id, "organization": f.organization_id,
        "transfer_organization": f.transfer_organization_id,
        "dates": [[d.field.value, d.range.first.isoformat() if d.range.first else None,
                   d.range.last.isoformat() if d.range.last else None, d.negated]
                  for d in f.dates],
        "no_report": f.no_report, "topic": list(f.topic),
        "topic_ids": sorted(ids) if ids is not None and len(ids) <= MAX_TOPIC_IDS else None,
    }


def _optional_id(value: Any) -> int | None:
    return None if value is None else _count(value)


def _query(data: dict[str, Any]) -> Query:
    dates = tuple(DateFilter(DateField(field), DateRange(_day(first), _day(last)), bool(neg))
                  for field, first, last, neg in data["dates"])
    topic_ids = data.get("topic_ids")
    filters = Filters(
        frozenset(Health(h) for h in data["health"]), frozenset(Phase(p) for p in data["phases"]),
        frozenset(TransferStatus(t) for t in data["transfer"]),
        _optional_id(data["owner"]), _optional_id(data["manager"]),
        _optional_id(data["person"]), _optional_id(data["programme"]),
        _optional_id(data["organization"]), _optional_id(data["transfer_organization"]),
        dates, bool(data["no_report"]), tuple(str(w) for w in data["topic"]),
        frozenset(_count(i) for i in topic_ids) if topic_ids is not None else None)
    kind = data.get("kind")
    return Query(Ask(data["ask"]), Intent(data["fact"]), EntityKind(kind) if kind else None,
                 _optional_id(data.get("id")), filters)
