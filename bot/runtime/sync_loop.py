"""The portfolio sync loop: sync now and then on an interval, forever, publishing what changed.

Several replicas may share one bot database (`bot.runtime.leader`): each syncs its own
snapshot, but only the sync leader publishes the changes a sync finds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from knowledge.errors import SyncError
from knowledge.portfolio.events import PortfolioEvent
from knowledge.portfolio.sync import Syncer, SyncResult

sync_log = logging.getLogger("portfoliobot.sync")

SYNC_RETRY_SECONDS = 10.0


async def sync_forever(syncer: Syncer, interval: float,
                       publish: Callable[[list[PortfolioEvent]], Awaitable[int]] | None = None,
                       on_result: Callable[[SyncResult], None] | None = None,
                       leads: Callable[[], Awaitable[bool]] | None = None) -> None:
    """Sync now and then every `interval` seconds; a failure retries sooner, never stops it.
    The changes a sync finds go to `publish` (subscribers' notifications); every successful
    pass goes to `on_result` (the sync duration metric). With `leads` (`SyncLeader.try_lead`,
    asked on every pass) only the sync leader publishes; the others just keep their
    snapshot fresh. A follower holds on to its last pass's changes: if it takes over on the
    next pass, it publishes them too, in case the old leader died before it did (the dedupe
    keys make a change the old leader did queue a no-op)."""
    held: list[PortfolioEvent] = []
    while True:
        try:
            leading = leads is None or await leads()
            result = await syncer.sync()
            if on_result is not None:
                on_result(result)
            events, held = ([*held, *result.events], []) if leading else ([], result.events)
            if publish is not None and events:
                try:
                    await publish(events)
                except Exception:
                    sync_log.exception("%d change(s) found, but their notifications could not "
                                       "be queued", len(events))
            delay = interval
        except SyncError:
            delay = min(interval, SYNC_RETRY_SECONDS)
        except Exception:  # an unforeseen failure must not end the loop
            sync_log.exception("sync failed unexpectedly")
            delay = min(interval, SYNC_RETRY_SECONDS)
        await asyncio.sleep(delay)
