"""Keeps the garbage collector's full passes short by freezing the long-lived heap.

The bot's heap is mostly long-lived: the portfolio snapshot and its indexes, botbuilder,
msrest and SQLAlchemy. CPython's full (generation 2) collection walks all of it, and under
load that happened about once a second for up to ~95 ms each: the p99 of a round trip was a
garbage-collector pause (measured with `gc.callbacks` in `bench.bot_bench`'s server).

After every sync pass that built a new snapshot, `HeapFreezer.after_sync` collects once, so
what the old snapshot left is freed, and then freezes what is left (`gc.freeze`): frozen
objects are never scanned again, and the per-turn garbage is collected as before. One full
collection per portfolio change (every `SYNC_INTERVAL_SECONDS` at most) replaces one a second.
`GC_FREEZE=0` turns it off.
"""

from __future__ import annotations

import gc
import logging
import time

from knowledge.portfolio.sync import SyncResult

log = logging.getLogger("portfoliobot.heap")


class HeapFreezer:
    """Freezes the heap after each sync that changed the snapshot (and after the first)."""

    def __init__(self) -> None:
        self.freezes = 0

    def after_sync(self, result: SyncResult) -> None:
        if self.freezes and not result.changed:
            return
        self.freeze()

    def freeze(self) -> None:
        started = time.perf_counter()
        gc.unfreeze()      # what the previous freeze kept is collectable again
        gc.collect()
        gc.freeze()
        self.freezes += 1
        log.debug("heap frozen (%d objects) in %.1f ms", gc.get_freeze_count(),
                  (time.perf_counter() - started) * 1000)
