"""How long each table of the bot database keeps its rows (`Retention`), and the run that
purges them (`RetentionRun`).

One purge per table, each bounded (`bot.storage.batched_delete`); defaults in brackets:

- `bot_state`: dialog state not written for `dialog_state` (24 hours) is forgotten;
- `processed_activity`: idempotency keys, `processed_activity` (30 days) after their claim;
- `status_update_audit`: the audit trail, `audit` (5 years) after the row was written;
- `outbox`: delivered, dead and withdrawn rows, `outbox` (30 days) after delivery (dead and
  withdrawn rows: after they were queued); waiting rows are never purged;
- `conversation_reference`: references disabled for `disabled_reference` (90 days);
- `channel_thread`: the threads of a channel whose reference is gone;
- `unanswered_question`: `unanswered` (90 days) after they were asked, and at most
  `unanswered_max` (10,000; the newest are kept);
- `conversation_memory`: a person's conversation subject, a day after it was last written (it
  expires after 30 minutes anyway).

The minimums are what other code reads back: the weekly digest lists the deliveries of the
last 7 days (`OutboxStore.delivered_since`) and a delivery worker that takes over seeds its
rate limiter from the last hour's (`recent_deliveries`), so outbox rows stay at least 7 days;
an idempotency key must outlive Teams' retries of an activity (minutes) and the 10-minute undo
window, so keys stay at least a day; the audit trail at least as long as the keys (a resent
submission whose key is still claimed reads its post back from the trail).

The unanswered questions store nothing about who asked (deliberately), so their cap is on the
table, not per user.

`RetentionRun` runs every table's purge once (`run_once`), or at once and then every
`interval_seconds` (`run_forever`, the sync leader's duty, `bot.runtime.leader`); a purge that
fails is logged and the others still run. It reports each run's counts to `on_run` (the
metrics, `bot.observability.metrics`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.schema import Clock, utc_now

log = logging.getLogger("portfoliobot.retention")

DAY_SECONDS = 24 * 60 * 60.0
# The tables a run purges, in the order it purges them (threads after references).
TABLES = ("bot_state", "processed_activity", "status_update_audit", "outbox",
          "conversation_reference", "channel_thread", "unanswered_question",
          "conversation_memory")

MINIMUM_DIALOG_STATE = timedelta(hours=1)
MINIMUM_PROCESSED_ACTIVITY = timedelta(days=1)
MINIMUM_OUTBOX = timedelta(days=7)   # the weekly digest; covers the limiter's hour too
MINIMUM_DISABLED_REFERENCE = timedelta(days=1)
MINIMUM_UNANSWERED = timedelta(days=1)


@dataclass(frozen=True)
class Retention:
    """How long each table keeps its rows (see the module docstring)."""

    dialog_state: timedelta = timedelta(hours=24)
    processed_activity: timedelta = timedelta(days=30)
    audit: timedelta = timedelta(days=5 * 365 + 1)   # five years, a leap day included
    outbox: timedelta = timedelta(days=30)
    disabled_reference: timedelta = timedelta(days=90)
    unanswered: timedelta = timedelta(days=90)
    unanswered_max: int = 10_000
    interval_seconds: float = DAY_SECONDS
    unanswered_per_asker_per_day: int = 50   # one person's flood cannot crowd out the rest

    def problem(self) -> str | None:
        """Why these values cannot work, naming the setting; None if they can."""
        if self.audit < self.processed_activity:
            return ("AUDIT_RETENTION_DAYS must be at least PROCESSED_ACTIVITY_RETENTION_DAYS "
                    "(a resent submission reads its post back from the audit trail)")
        return None


Purge = Callable[[], Awaitable[int]]
RunReport = Callable[[Mapping[str, int], datetime], None]


class RetentionRun:
    """Every table's purge (table name → purge, returning how many rows it deleted)."""

    def __init__(self, purges: Mapping[str, Purge], *, interval_seconds: float = DAY_SECONDS,
                 on_run: RunReport | None = None, clock: Clock = utc_now) -> None:
        unknown = set(purges) - set(TABLES)
        if unknown:
            raise ValueError(f"no such table: {', '.join(sorted(unknown))}")
        self.purges = dict(purges)
        self.interval_seconds = interval_seconds
        self.on_run = on_run
        self.clock = clock

    async def run_once(self) -> dict[str, int]:
        """Purge every table; rows deleted per table (a failed purge counts 0 and is logged)."""
        purged: dict[str, int] = {}
        for table in TABLES:
            purge = self.purges.get(table)
            if purge is None:
                continue
            try:
                purged[table] = await purge()
            except Exception:
                log.exception("purging %s failed", table)
                purged[table] = 0
        if any(purged.values()):
            log.info("retention: purged %s", ", ".join(
                f"{number} from {table}" for table, number in purged.items() if number))
        if self.on_run is not None:
            self.on_run(purged, self.clock())
        return purged

    async def run_forever(self) -> None:
        """Run now, then every `interval_seconds`, until cancelled."""
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval_seconds)
