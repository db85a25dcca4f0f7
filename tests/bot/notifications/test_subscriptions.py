"""Channel subscriptions on SQLite and PostgreSQL: the store and matching events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.notifications.subscriptions import SubscriptionStore, decode_kinds, encode_kinds
from bot.storage.bot_database import BotDatabase, open_bot_database
from knowledge.commands.subscription_commands import KIND_GROUPS, TargetKind
from knowledge.portfolio.events import EventKind

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
STATUS = KIND_GROUPS["status"]
TRANSFER = KIND_GROUPS["transfer"]
CHANNEL, OTHER, THIRD = "19:channel-a@thread.tacv2", "19:channel-b@thread.tacv2", "a:personal-c"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SubscriptionStore]:
    database: BotDatabase = await open_bot_database(database_url, clock=lambda: NOW)
    yield SubscriptionStore(database)
    await database.close()


def test_kinds_encode_and_decode() -> None:
    assert encode_kinds(frozenset()) == "*"
    assert encode_kinds(frozenset(EventKind)) == "*"
    assert encode_kinds(STATUS) == "health_changed,status_reported"
    assert decode_kinds("health_changed,status_reported") == STATUS
    assert decode_kinds("*") == frozenset()


async def test_subscribe_list_and_resubscribe_updates_kinds(store: SubscriptionStore) -> None:
    assert await store.subscribe(CHANNEL, TargetKind.PROJECT, 5, STATUS, "aad-1") is True
    assert await store.subscribe(CHANNEL, "all", None, frozenset(), None) is True
    assert await store.subscribe(CHANNEL, TargetKind.PROGRAMME, 1, frozenset(), "aad-2") is True
    assert await store.subscribe(OTHER, TargetKind.PROJECT, 5, frozenset(), None) is True

    assert await store.subscribe(CHANNEL, TargetKind.PROJECT, 5, TRANSFER, "aad-3") is False
    assert await store.subscribe(CHANNEL, TargetKind.ALL, None, STATUS, None) is False

    listed = await store.list(CHANNEL)
    assert [(s.target_kind, s.target_id, s.kinds) for s in listed] == [
        (TargetKind.ALL, None, STATUS),
        (TargetKind.PROJECT, 5, TRANSFER),
        (TargetKind.PROGRAMME, 1, frozenset()),
    ]
    project = listed[1]
    assert project.created_by == "aad-1" and project.created_at == NOW   # kept from the first
    assert project.wants(EventKind.TRANSFER_STATUS_CHANGED)
    assert not project.wants(EventKind.STATUS_REPORTED)
    assert listed[2].wants(EventKind.PROJECT_CHANGED)
    assert [s.target_id for s in await store.list(OTHER)] == [5]
    assert await store.list("nobody") == []


async def test_concurrent_identical_subscribes_store_one(store: SubscriptionStore) -> None:
    results = await asyncio.gather(*(
        store.subscribe(CHANNEL, TargetKind.ALL, None, frozenset(), None) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert len(await store.list(CHANNEL)) == 1


async def test_unsubscribe_one_and_all(store: SubscriptionStore) -> None:
    await store.subscribe(CHANNEL, TargetKind.PROJECT, 5, frozenset(), None)
    await store.subscribe(CHANNEL, TargetKind.PROJECT, 6, frozenset(), None)
    await store.subscribe(CHANNEL, TargetKind.ALL, None, frozenset(), None)
    await store.subscribe(OTHER, TargetKind.PROJECT, 5, frozenset(), None)

    assert await store.unsubscribe(CHANNEL, TargetKind.PROJECT, 5) == 1
    assert await store.unsubscribe(CHANNEL, TargetKind.PROJECT, 5) == 0
    assert await store.unsubscribe(CHANNEL, TargetKind.PROGRAMME, 1) == 0
    assert [s.target_id for s in await store.list(CHANNEL)] == [None, 6]
    assert await store.unsubscribe(CHANNEL, "all") == 1
    assert await store.unsubscribe(CHANNEL) == 1
    assert await store.list(CHANNEL) == []
    assert len(await store.list(OTHER)) == 1, "another conversation keeps its subscriptions"
    with pytest.raises(ValueError, match="target id"):
        await store.unsubscribe(CHANNEL, TargetKind.PROJECT)


async def test_matching_by_project_programme_all_and_kinds(store: SubscriptionStore) -> None:
    await store.subscribe(CHANNEL, TargetKind.PROJECT, 5, STATUS, None)
    await store.subscribe(CHANNEL, TargetKind.PROGRAMME, 1, frozenset(), None)  # same channel twice
    await store.subscribe(OTHER, TargetKind.PROGRAMME, 1, TRANSFER, None)
    await store.subscribe(THIRD, TargetKind.ALL, None, KIND_GROUPS["people"], None)

    # project 5 in programme 1: CHANNEL by project and by programme, listed once
    assert await store.matching(5, 1, EventKind.STATUS_REPORTED) == [CHANNEL]
    assert await store.matching(5, 1, EventKind.TRANSFER_STATUS_CHANGED) == [CHANNEL, OTHER]
    assert await store.matching(5, 1, "owner_changed") == [CHANNEL, THIRD]
    # project 5 outside any programme: the programme subscriptions do not apply
    assert await store.matching(5, None, EventKind.TRANSFER_STATUS_CHANGED) == []
    assert await store.matching(5, None, EventKind.HEALTH_CHANGED) == [CHANNEL]
    # another project of programme 1, and a project of another programme
    assert await store.matching(6, 1, EventKind.PROJECT_CHANGED) == [CHANNEL]
    assert await store.matching(7, 2, EventKind.MANAGER_CHANGED) == [THIRD]
    assert await store.matching(7, 2, EventKind.PHASE_CHANGED) == []


async def test_kind_filter_matches_whole_values_only(store: SubscriptionStore) -> None:
    await store.subscribe(CHANNEL, TargetKind.ALL, None, frozenset({EventKind.PROJECT_CHANGED}), None)
    assert await store.matching(1, None, EventKind.PROJECT_CHANGED) == [CHANNEL]
    for kind in EventKind:
        if kind is not EventKind.PROJECT_CHANGED:
            assert await store.matching(1, None, kind) == [], kind
