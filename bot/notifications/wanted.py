"""Whether a queued notification is still wanted by its conversation, asked right before sending.

An unsubscribe withdraws what is queued (`OutboxStore.withdraw_for`), but a row may already be
in a worker's hands, or the unsubscribe may come through another path. `StillWanted` is the
delivery worker's last check (`DeliveryWorker(wanted=…)`): a row is wanted while its
conversation still has a subscription that covers it (everything, the row's project, or that
project's programme, looked up in the current snapshot). Personal reminders (`reminder:…`) and
notices that notifications were lost (`delivery-trouble:…`) are not about a subscription and
are always wanted.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.notifications.outbox import OutboxRow
from bot.notifications.subscriptions import SubscriptionStore
from bot.notifications.trouble import TROUBLE_KEY
from knowledge.portfolio.snapshot import Snapshot

# Dedupe key prefixes of rows no subscription asked for.
UNSUBSCRIBED_KEYS = ("reminder:", TROUBLE_KEY)


class StillWanted:
    """`await still_wanted(row)`: True while the row's conversation subscribes to it."""

    def __init__(self, subscriptions: SubscriptionStore,
                 snapshot: Callable[[], Snapshot | None]) -> None:
        self.subscriptions = subscriptions
        self.snapshot = snapshot

    async def __call__(self, row: OutboxRow) -> bool:
        if row.dedupe_key.startswith(UNSUBSCRIBED_KEYS):
            return True
        programme_id = None
        if row.project_id is not None:
            snapshot = self.snapshot()
            project = snapshot.projects.get(row.project_id) if snapshot is not None else None
            programme_id = project.programme_id if project is not None else None
        return await self.subscriptions.covers(row.conversation_id, row.project_id,
                                               programme_id)
