"""Channel subscriptions on SQLite and PostgreSQL: the store, matching events, and the chat commands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.notifications.subscriptions import SubscriptionStore, decode_kinds, encode_kinds, handle_subscription_command
from bot.storage.bot_database import BotDatabase, open_bot_database
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import (
    Clarification,
    Language,
    SubscriptionChanged,
    SubscriptionHelp,
    SubscriptionItem,
    SubscriptionList,
)
from knowledge.answers.plain_text import render
from knowledge.commands.subscription_commands import KIND_GROUPS, TargetKind, parse_subscription_command
from knowledge.portfolio.events import EventKind
from knowledge.portfolio.snapshot import Snapshot

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


# ----------------------------------------------------------------- the chat commands
async def _run(text: str, store: SubscriptionStore, answerer: Answerer, snapshot: Snapshot,
               conversation: str = CHANNEL) -> object:
    command = parse_subscription_command(text)
    assert command is not None, text
    return await handle_subscription_command(command, conversation, "aad-1", answerer, snapshot,
                                             store, command.language)


async def test_chat_commands_end_to_end(store: SubscriptionStore, demo_answerer: Answerer,
                                        sqlite_demo_snapshot: Snapshot) -> None:
    def run(text: str) -> object:
        return _run(text, store, demo_answerer, sqlite_demo_snapshot)

    answer = await run("abonner Regional radiologi 2.0 kun status")
    assert answer == SubscriptionChanged(Language.NB, "subscribed",
                                         "Regional radiologi 2.0 (RP-005)", ("status",))
    assert isinstance(answer, SubscriptionChanged)
    assert render(answer) == ("Denne samtalen abonnerer nå på endringer i "
                              "Regional radiologi 2.0 (RP-005) (kun status).")
    answer = await run("subscribe radiology 2.0")
    assert isinstance(answer, SubscriptionChanged) and answer.action == "updated"
    assert render(answer) == "The subscription to Regional radiologi 2.0 (RP-005) is changed."
    assert await store.matching(5, None, EventKind.PHASE_CHANGED) == [CHANNEL]

    answer = await run("abonner STIM")
    assert isinstance(answer, SubscriptionChanged) and answer.target is not None
    assert answer.target.startswith("STIM")
    await run("abonner alle kun overføring")

    listed = await run("abonnementer")
    assert isinstance(listed, SubscriptionList)
    assert listed.items[0] == SubscriptionItem(None, ("transfer",))
    assert render(listed).splitlines() == [
        "Denne samtalen abonnerer på:",
        "- hele porteføljen (kun overføring)",
        "- Regional radiologi 2.0 (RP-005) (alle endringer)",
        "- STIM (Program for standardisering og IKT-infrastrukturmodernisering) (alle endringer)",
    ]

    ambiguous = await run("abonner trådløst nett")
    assert isinstance(ambiguous, Clarification)
    assert len(await store.list(CHANNEL)) == 3, "nothing stored while it is unclear"

    removed = await run("unsubscribe radiology 2.0")
    assert removed == SubscriptionChanged(Language.EN, "unsubscribed",
                                          "Regional radiologi 2.0 (RP-005)", (), 1)
    again = await run("avslutt abonnement Regional radiologi 2.0")
    assert isinstance(again, SubscriptionChanged) and again.count == 0
    assert render(again) == "Denne samtalen abonnerer ikke på Regional radiologi 2.0 (RP-005)."

    everything = await run("avslutt alle abonnementer")
    assert everything == SubscriptionChanged(Language.NB, "unsubscribed", None, (), 2)
    assert render(everything) == "Alle abonnementer i denne samtalen er avsluttet (2)."
    empty = await run("subscriptions")
    assert isinstance(empty, SubscriptionList) and not empty.items
    assert render(empty) == "This conversation has no subscriptions."


async def test_chat_commands_that_need_more(store: SubscriptionStore, demo_answerer: Answerer,
                                            sqlite_demo_snapshot: Snapshot) -> None:
    answer = await _run("abonner DHO kun budsjett", store, demo_answerer, sqlite_demo_snapshot)
    assert isinstance(answer, SubscriptionHelp) and answer.unknown_kinds == ("budsjett",)
    assert "budsjett" in render(answer)
    answer = await _run("subscribe", store, demo_answerer, sqlite_demo_snapshot)
    assert isinstance(answer, SubscriptionHelp) and answer.examples
    assert render(answer).startswith("Say what this conversation should subscribe to")
    assert await store.list(CHANNEL) == []


async def test_list_names_a_target_that_left_the_portfolio(
        store: SubscriptionStore, demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    await store.subscribe(CHANNEL, TargetKind.PROJECT, 999_999, frozenset(), None)
    listed = await _run("subscriptions", store, demo_answerer, sqlite_demo_snapshot)
    assert isinstance(listed, SubscriptionList)
    assert listed.items == (SubscriptionItem("project 999999 (no longer in the portfolio)", ()),)
