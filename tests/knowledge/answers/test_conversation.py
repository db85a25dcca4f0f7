"""The conversation memory: what is remembered survives JSON, anything else is refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from knowledge.answers.answers import Intent, Language
from knowledge.answers.conversation import EXPIRES_AFTER, Choices, Memory
from knowledge.language.dates import DateField, DateRange
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, DateFilter, Filters, Query
from knowledge.portfolio.model import Health, Phase, TransferStatus

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LIST = Query(Ask.LIST, Intent.LIST, filters=Filters(
    frozenset({Health.RED}), frozenset({Phase.EXECUTION}), frozenset({TransferStatus.PLANNED}),
    owner_id=4, programme_id=2, organization_id=3,
    dates=(DateFilter(DateField.REPORT, DateRange(date(2026, 10, 2), None), negated=True),),
    no_report=False, topic=("skannere",), topic_ids=frozenset({2, 8})))
FACT = Query(Ask.FACT, Intent.MANAGER, EntityKind.PROJECT, 7)


@pytest.mark.parametrize("memory", [
    Memory(FACT, Language.NN, AT),
    Memory(LIST, Language.EN, AT, shown=10),
    Memory(None, Language.NB, AT, choices=Choices(EntityKind.PERSON, (1, 6), Intent.OWNER)),
    Memory(FACT, Language.NB, AT, choices=Choices(EntityKind.PROJECT, (7, 8), Intent.STATUS)),
])
def test_a_memory_survives_json(memory: Memory) -> None:
    assert Memory.from_json(json.loads(json.dumps(memory.to_json()))) == memory


@pytest.mark.parametrize("document", [
    None, [], "x", {}, {"v": 2, "lang": "nb", "at": AT.isoformat()},
    {"v": 1, "lang": "xx", "at": AT.isoformat()},
    {"v": 1, "lang": "nb", "at": "yesterday"},
    {"v": 1, "lang": "nb", "at": AT.isoformat(), "shown": -1},
    {"v": 1, "lang": "nb", "at": AT.isoformat(), "shown": True},
    {"v": 1, "lang": "nb", "at": AT.isoformat(), "query": {"ask": "fact"}},
    {"v": 1, "lang": "nb", "at": AT.isoformat(),
     "choices": {"kind": "project", "ids": ["1"], "intent": "owner"}},
])
def test_a_malformed_document_is_no_memory(document: Any) -> None:
    assert Memory.from_json(document) is None


def test_a_memory_expires_after_thirty_minutes() -> None:
    memory = Memory(FACT, Language.NB, AT)
    assert not memory.expired(AT + EXPIRES_AFTER)
    assert memory.expired(AT + EXPIRES_AFTER + timedelta(seconds=1))
