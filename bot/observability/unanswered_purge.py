"""The daily purge of unanswered questions older than `RETENTION_DAYS`.

`bot.web.lifecycle` purges once when the bot starts (so a failing database shows at start-up)
and then runs `purge_forever` as a sync leader's duty, kept and cancelled by `SyncLeader`.
"""

from __future__ import annotations

import asyncio
import logging

from bot.observability.unanswered_store import RETENTION_DAYS, UnansweredStore

log = logging.getLogger("portfoliobot.unanswered")

PURGE_INTERVAL_SECONDS = 24 * 60 * 60.0


async def purge_forever(store: UnansweredStore, interval: float = PURGE_INTERVAL_SECONDS,
                        older_than_days: int = RETENTION_DAYS) -> None:
    """Purge every `interval` seconds (the first after one interval: start-up has purged
    already); a failure is logged, never ends the loop."""
    while True:
        await asyncio.sleep(interval)
        try:
            purged = await store.purge_unanswered(older_than_days)
            if purged:
                log.info("purged %d unanswered question(s) older than %d days", purged,
                         older_than_days)
        except Exception:
            log.exception("purging unanswered questions failed")
