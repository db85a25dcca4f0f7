"""HeapFreezer: the heap is frozen after a new snapshot, and what was frozen is freed later."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.runtime.heap import HeapFreezer
from bot.settings import Settings, SettingsError
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.sync import SyncResult
from tests.bot.conftest import running_bot, settings_for


@pytest.fixture(autouse=True)
def _unfreeze_after() -> Iterator[None]:
    yield
    gc.unfreeze()   # the rest of the suite runs with an ordinary heap


class Node:
    """Something that lives in a reference cycle, as garbage the young collections miss."""

    def __init__(self) -> None:
        self.me = self


def _result(snapshot: Snapshot, *, changed: bool) -> SyncResult:
    return SyncResult(snapshot=snapshot, changed=changed, events=[], counts={}, skipped=[],
                      seconds=0.01)


def test_freezes_after_the_first_sync_and_after_changes_only(
        sqlite_demo_snapshot: Snapshot) -> None:
    freezer = HeapFreezer()
    freezer.after_sync(_result(sqlite_demo_snapshot, changed=False))   # the first: freeze
    assert freezer.freezes == 1 and gc.get_freeze_count() > 0
    freezer.after_sync(_result(sqlite_demo_snapshot, changed=False))
    assert freezer.freezes == 1, "nothing new to freeze"
    freezer.after_sync(_result(sqlite_demo_snapshot, changed=True))
    assert freezer.freezes == 2


def test_a_cycle_frozen_while_alive_is_freed_at_the_next_freeze(
        sqlite_demo_snapshot: Snapshot) -> None:
    node = Node()
    alive = weakref.ref(node)
    freezer = HeapFreezer()
    freezer.freeze()
    del node
    gc.collect()
    assert alive() is not None, "frozen: a full collection does not see it"
    freezer.after_sync(_result(sqlite_demo_snapshot, changed=True))
    assert alive() is None, "a new snapshot's freeze collects what the old one kept"


async def test_the_running_bot_freezes_its_heap_after_the_first_sync(
        demo_url: str, tmp_path: Path) -> None:
    gc.unfreeze()
    settings = settings_for(demo_url, tmp_path)
    assert not settings.freeze_heap   # the suite's default; this test turns it on
    async with running_bot(replace(settings, freeze_heap=True)):
        assert gc.get_freeze_count() > 0


def test_gc_freeze_setting(tmp_path: Path) -> None:
    base = {"PORTFOLIOBOT_DATA_DIR": str(tmp_path)}
    assert Settings.from_environment(base).freeze_heap
    assert not Settings.from_environment({**base, "GC_FREEZE": "0"}).freeze_heap
    assert Settings.from_environment({**base, "GC_FREEZE": "on"}).freeze_heap
    with pytest.raises(SettingsError, match="GC_FREEZE must be 1 or 0"):
        Settings.from_environment({**base, "GC_FREEZE": "maybe"})
