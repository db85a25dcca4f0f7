"""The delivery worker: sends queued outbox rows as proactive Adaptive Cards.

`DeliveryWorker.deliver_once()` claims a batch of due rows (`OutboxStore.claim`) and delivers
them, rows of one conversation one after another in id order, conversations side by side; each
send first waits for the `RateLimiter`. `run()` repeats that until cancelled (`start()` /
`stop()` keep the task); `wake()` makes it look at once instead of after `poll_seconds`.

Delivering a row: load the conversation's reference (unknown or disabled: the row is dead,
"no conversation"); build the message (an Adaptive Card 1.4 with title, text and facts, and
nothing else to show: the plain text is its `summary` and the card's `fallbackText`, as for
every reply, `bot.cards.answer_cards.card_message`); send it with
`adapter.continue_conversation(reference, callback, app_id)`, where the callback calls
`turn_context.send_activity`. In a channel, a notification about a project goes as a reply
in that project's thread (conversation id `<channel>;messageid=<root>`) when one is stored;
if the connector says 404 for that thread it is forgotten and the notification starts a new
thread, whose id is remembered. After a change is posted in a thread, the thread's first
message is updated (`update_activity`) to the project's card as it is now (`current_card`),
so the top of the thread never shows a stale status.

Outcomes:
- acknowledged → `delivered`;
- 412/429/502/503/504, connection errors and timeouts (the outbound layer has retried within
  its own deadline and raised `OutboundDeliveryError`) → `queued` again, due after the
  Retry-After the connector last sent if any, else after exponential backoff with full jitter
  (`uniform(0, min(max_backoff, base_backoff * 2**(attempt-1)))`); after `max_attempts`
  attempts → `dead`;
- 403/404 for the conversation (bot removed, conversation gone) → the reference is disabled
  and the row is `dead`; any other error → retried like a transient one, up to `max_attempts`.
A row given up (except for a tenant the bot does not serve) queues a notice to its
conversation that notifications were lost (`bot.notifications.trouble`), sent once when the
conversation can next be reached.

Right before each send (after the rate limiter's wait) the worker checks the row is still
wanted: its claim still holds it (`OutboxStore.hold`, which also renews the lease; a row
withdrawn by an undo or an unsubscribe, or claimed by another worker, is not sent), the
conversation's tenant is allowed (`allowed_tenants`, `ALLOWED_TENANT_IDS`: else the row is
dead, "tenant … not allowed") and, with `wanted` (`bot.notifications.wanted`), that the
conversation still subscribes to it (else it is withdrawn). Every outcome is written fenced by
the claim (`mark_*(…, claim=row.attempts)`): a worker that lost a row cannot overwrite what
another did with it. While a batch waits in the limiter its leases are renewed.

With `leads` (a `bot.runtime.leader.SyncLeader.try_lead` on the delivery lock), only the
replica holding the delivery lock delivers; when it takes over it seeds its rate limiter
with the deliveries of the past hour (`OutboxStore.recent_deliveries`), so Teams' limits
hold across replicas and each conversation's rows go out in order.

Delivery is at least once. A row is marked delivered right after the connector acknowledged
the post; if the process dies between the acknowledgement and that mark, the row's lease runs
out and it is sent again: that is the one window for a duplicate (besides the outbound
layer's own, a POST whose answer was lost in a timeout). `redelivered` counts rows that were
delivered on a later attempt than their first claim, which bounds how often it can happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timedelta

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.cards.answer_cards import CardBuilder, card_message
from bot.connector.outbound import OutboundCloudAdapter
from bot.connector.outbound_transport import OutboundDeliveryError
from bot.connector.retry_policy import RETRYABLE_STATUSES, parse_retry_after
from bot.notifications.outbox import Notification, OutboxRow, OutboxStore
from bot.notifications.rate_limit import RateLimiter
from bot.notifications.threads import thread_conversation_id
from bot.notifications.trouble import TroubleNotices, is_trouble_notice
from bot.tasks import stop_task

log = logging.getLogger("portfoliobot.delivery")

GONE_STATUSES = frozenset({403, 404})


def notification_activity(notification: Notification) -> Activity:
    """The message for a notification, digest or reminder: its Adaptive Card only, with the
    plain text as the activity's summary and the card's fallback text."""
    text = notification.plain_text()
    card = (CardBuilder().title(notification.title).text(notification.text)
            .facts(notification.facts).build(text))
    return card_message(card, text, notification.language)


@dataclass(frozen=True)
class _Failure:
    """Why a send failed: the HTTP status (None: no answer) and any Retry-After in seconds."""

    status: int | None
    retry_after: float | None
    detail: str


class _NotSent(Exception):
    """Raised right before a send: the row is no longer this worker's to send."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _failure(error: BaseException) -> _Failure:
    if isinstance(error, OutboundDeliveryError):
        return _Failure(error.status, error.retry_after, str(error))
    if isinstance(error, ErrorResponseException):
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        headers = getattr(response, "headers", None) or {}
        retry_after = parse_retry_after(headers.get("Retry-After"))
        return _Failure(int(status) if status is not None else None, retry_after,
                        f"HTTP {status}: {error}")
    return _Failure(None, None, f"{type(error).__name__}: {error}")


class DeliveryWorker:
    """Claims due outbox rows and delivers them through the bot's adapter."""

    def __init__(self, store: OutboxStore, adapter: OutboundCloudAdapter, app_id: str,
                 limiter: RateLimiter | None = None, *, max_attempts: int = 8,
                 poll_seconds: float = 1.0, batch_size: int = 50, lease_seconds: float = 120.0,
                 base_backoff: float = 5.0, max_backoff: float = 300.0, concurrency: int = 16,
                 clock: Callable[[], datetime] | None = None,
                 rng: random.Random | None = None,
                 wanted: Callable[[OutboxRow], Awaitable[bool]] | None = None,
                 allowed_tenants: Iterable[str] = (),
                 leads: Callable[[], Awaitable[bool]] | None = None,
                 current_card: Callable[[int], Activity | None] | None = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.current_card = current_card   # project id → its card as it is now
        self.trouble = TroubleNotices(store)
        self.roots_updated = 0
        self.store = store
        self.adapter = adapter
        self.app_id = app_id
        self.limiter = limiter or RateLimiter()
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.clock = clock or store.now
        self.rng = rng or random.Random()
        self.delivered = 0
        self.redelivered = 0
        self.retried = 0
        self.dead = 0
        self.withdrawn = 0
        self.refused_tenant = 0
        self.wanted = wanted
        self.allowed_tenants = frozenset(t.strip().lower() for t in allowed_tenants if t.strip())
        self.leads = leads
        self._seeded = False
        self._concurrency = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._claims: dict[int, int] = {}

    # -- the loop ---------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Run `run()` as a task kept by the worker (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="portfoliobot-delivery")
        return self._task

    async def stop(self, grace: float = 5.0) -> None:
        """Stop the task `start()` made: let the pass in progress finish (up to `grace`
        seconds, so acknowledged sends get marked delivered), then cancel it."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait({task}, timeout=grace)
        finally:
            self._stopping = False
            await stop_task(task)

    def wake(self) -> None:
        """Look for due rows now rather than after `poll_seconds` (call after enqueueing)."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled (or `stop()`); a failing pass (database down) is logged and
        retried after `poll_seconds`."""
        while not self._stopping:
            try:
                handled = await self.deliver_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery pass failed; trying again in %.1f s", self.poll_seconds)
                handled = 0
            if handled or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def deliver_once(self) -> int:
        """Claim one batch of due rows and deliver them; returns how many were handled.
        With `leads`, nothing unless this replica holds the delivery lock."""
        if self.leads is not None:
            if not await self.leads():
                self._seeded = False
                return 0
            if not self._seeded:
                await self.seed_limiter()
                released = await self.store.release_leases()
                if released:
                    log.info("took over %d row(s) the previous sender held", released)
                self._seeded = True
        rows = await self.store.claim(self.batch_size, self.lease_seconds)
        by_conversation: dict[str, list[OutboxRow]] = {}
        for row in rows:
            by_conversation.setdefault(row.conversation_id, []).append(row)
        self._claims = {row.id: row.attempts for row in rows}
        renewer = asyncio.create_task(self._renew_leases(), name="portfoliobot-lease-renewal")
        try:
            await asyncio.gather(*(self._deliver_in_order(group)
                                   for group in by_conversation.values()))
        finally:
            await stop_task(renewer)
        return len(rows)

    async def seed_limiter(self) -> int:
        """Count the past hour's deliveries (by any replica) in the rate limiter; how many."""
        now = self.clock()
        seeded = 0
        for conversation_id, delivered_at in await self.store.recent_deliveries(
                now - timedelta(hours=1), self.lease_seconds):
            self.limiter.record(conversation_id, (now - delivered_at).total_seconds())
            seeded += 1
        log.info("delivering now; rate limiter seeded with %d recent deliveries", seeded)
        return seeded

    async def _renew_leases(self) -> None:
        """While a batch is delivered, renew the leases of its rows not yet done."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            with contextlib.suppress(Exception):
                await self.store.hold(dict(self._claims), self.lease_seconds)

    async def _deliver_in_order(self, rows: list[OutboxRow]) -> None:
        async with self._concurrency:
            for row in rows:
                try:
                    await self.deliver(row)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # a bug or the database: the lease brings it back
                    log.exception("outbox row %d: delivery failed unexpectedly", row.id)
                    with contextlib.suppress(Exception):
                        await self._retry_or_die(row, _Failure(None, None, repr(error)))
                finally:
                    self._claims.pop(row.id, None)

    # -- one row ----------------------------------------------------------------------------

    async def deliver(self, row: OutboxRow) -> str:
        """Deliver one claimed row; returns its new status (`lost`: another worker has it)."""
        try:
            return await self._deliver(row)
        except _NotSent as not_sent:
            return not_sent.status

    async def _deliver(self, row: OutboxRow) -> str:
        stored = await self.store.stored_reference(row.conversation_id)
        if stored is None or not stored.enabled:
            why = "no conversation" + (f" ({stored.disabled_reason})" if stored is not None
                                       and stored.disabled_reason else "")
            log.warning("outbox row %d dead: %s %s", row.id, why, row.conversation_id)
            return await self._dead(row, why)
        if self.allowed_tenants and (stored.tenant_id or "").lower() not in self.allowed_tenants:
            why = (f"tenant {stored.tenant_id or '<none>'} is not in ALLOWED_TENANT_IDS: "
                   "not delivered")
            self.refused_tenant += 1
            log.warning("outbox row %d dead: %s (%s)", row.id, why, row.conversation_id)
            return await self._dead(row, why, tell=False)   # nobody there may be told
        reference = stored.reference
        notification = row.notification
        if is_trouble_notice(row):
            trouble = await self.trouble.trouble(row)
            if trouble is None:
                await self.store.mark_withdrawn(row.id, "nothing left to tell",
                                                claim=row.attempts)
                return "withdrawn"
            notification = self.trouble.notification(trouble, notification.language)
        conversation = reference.conversation
        in_channel = getattr(conversation, "conversation_type", None) == "channel"
        project_id = row.project_id
        root = (await self.store.thread_root(row.conversation_id, project_id)
                if in_channel and project_id is not None else None)
        if root is not None:
            failure = await self._send(row, self._in_thread(reference, root), notification)
            if failure is None:
                await self._update_root(row, reference, root, project_id)
                return await self._delivered(row)
            if failure.status != 404:
                return await self._failed(row, failure)
            log.info("outbox row %d: thread %s is gone; starting a new one", row.id, root)
            await self.store.forget_thread(row.conversation_id, project_id or 0)
        sent_id: list[str] = []
        failure = await self._send(row, reference, notification, sent_id)
        if failure is not None:
            return await self._failed(row, failure)
        if in_channel and project_id is not None and sent_id and sent_id[0]:
            await self.store.remember_thread(row.conversation_id, project_id, sent_id[0])
        return await self._delivered(row)

    async def _update_root(self, row: OutboxRow, reference: ConversationReference, root: str,
                           project_id: int | None) -> None:
        """After a change was posted in a project's thread, the thread's first message shows
        the project as it is now (`update_activity`); a failure is logged, the change stays
        delivered."""
        card = self.current_card(project_id) if self.current_card and project_id else None
        if card is None:
            return
        wait = self.limiter.try_acquire(row.conversation_id)
        while wait > 0:
            await self.limiter.sleep(wait)
            wait = self.limiter.try_acquire(row.conversation_id)
        card.id = root
        failed: list[BaseException] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                await turn_context.update_activity(card)
            except Exception as error:
                failed.append(error)

        try:
            await self.adapter.continue_conversation(self._in_thread(reference, root), callback,
                                                     bot_app_id=self.app_id)
        except (ClientRequestError, ErrorResponseException, OSError, TimeoutError) as error:
            failed.append(error)
        if failed:
            log.warning("outbox row %d: the thread's first card %s was not updated: %s",
                        row.id, root, failed[0])
        else:
            self.roots_updated += 1

    @staticmethod
    def _in_thread(reference: ConversationReference, root: str) -> ConversationReference:
        threaded = deepcopy(reference)
        threaded.conversation.id = thread_conversation_id(threaded.conversation.id, root)
        return threaded

    async def _send(self, row: OutboxRow, reference: ConversationReference,
                    notification: Notification, sent_id: list[str] | None = None
                    ) -> _Failure | None:
        """Post once (the outbound layer retries within its budget); None when acknowledged.

        Errors are caught inside the callback: the adapter's `on_turn_error` (the bot's, if
        it set one) must not swallow them, the worker decides what they mean.
        """
        while True:   # check, then count the send only when it may go at once: nothing slow
            await self._check_still_wanted(row)   # between the count and the POST
            wait = self.limiter.try_acquire(row.conversation_id)
            if wait <= 0:
                break
            await self.limiter.sleep(wait)
        outcome: list[BaseException] = []

        async def callback(turn_context: TurnContext) -> None:
            # The continuation activity's id is made up; without it the message is a new
            # post to the conversation (or thread) rather than a reply to that id.
            turn_context.activity.id = None
            try:
                response = await turn_context.send_activity(notification_activity(notification))
            except Exception as error:
                outcome.append(error)
                return
            if sent_id is not None:
                sent_id.append(getattr(response, "id", None) or "")

        try:
            await self.adapter.continue_conversation(reference, callback, bot_app_id=self.app_id)
        except (ClientRequestError, ErrorResponseException, OSError, TimeoutError) as error:
            outcome.append(error)
        if not outcome:
            return None
        return _failure(outcome[0])

    async def _check_still_wanted(self, row: OutboxRow) -> None:
        """Right before a send: raise `_NotSent` unless this worker still holds the row (not
        withdrawn, not claimed by another) and the conversation still wants it."""
        if self.leads is not None and not self._seeded:
            raise _NotSent("lost")   # this replica stopped delivering meanwhile
        if row.id not in await self.store.hold({row.id: row.attempts}, self.lease_seconds):
            current = await self.store.row(row.id)
            status = current.status if current is not None else "lost"
            if status == "withdrawn":
                self.withdrawn += 1
                log.info("outbox row %d was withdrawn; not sent", row.id)
                raise _NotSent("withdrawn")
            log.warning("outbox row %d is no longer held by this worker (%s); not sent",
                        row.id, status)
            raise _NotSent("lost")
        if self.wanted is not None and not await self.wanted(row):
            await self.store.mark_withdrawn(row.id, "the conversation no longer subscribes "
                                            "to it", claim=row.attempts)
            self.withdrawn += 1
            log.info("outbox row %d withdrawn: %s no longer subscribes to it", row.id,
                     row.conversation_id)
            raise _NotSent("withdrawn")

    async def _delivered(self, row: OutboxRow) -> str:
        if not await self.store.mark_delivered(row.id, claim=row.attempts):
            log.warning("outbox row %d was sent, but its claim had run out meanwhile", row.id)
        self.delivered += 1
        if row.attempts > 1:
            self.redelivered += 1
        return "delivered"

    async def _failed(self, row: OutboxRow, failure: _Failure) -> str:
        if failure.status in GONE_STATUSES:
            reason = f"HTTP {failure.status} from the connector: {failure.detail}"
            await self.store.disable_reference(row.conversation_id, reason)
            log.warning("outbox row %d dead, conversation %s disabled: HTTP %s", row.id,
                        row.conversation_id, failure.status)
            return await self._dead(row, reason)
        return await self._retry_or_die(row, failure)

    async def _dead(self, row: OutboxRow, why: str, *, tell: bool = True) -> str:
        """Give the row up; with `tell`, the conversation gets a trouble notice when it can
        next be reached (`bot.notifications.trouble`), unless the row is one itself."""
        if await self.store.mark_dead(row.id, why, claim=row.attempts):
            self.dead += 1
            if tell and not is_trouble_notice(row):
                try:
                    await self.trouble.queue(row.conversation_id, row.notification.language)
                except Exception:   # the database: the next dead row of the streak tries again
                    log.exception("could not queue the trouble notice for %s",
                                  row.conversation_id)
        return "dead"

    async def _retry_or_die(self, row: OutboxRow, failure: _Failure) -> str:
        if row.attempts >= self.max_attempts:
            log.warning("outbox row %d dead after %d attempts: %s", row.id, row.attempts,
                        failure.detail)
            return await self._dead(row, f"gave up after {row.attempts} attempt(s): "
                                    f"{failure.detail}")
        delay = self.retry_delay(row.attempts, failure)
        await self.store.mark_retry(row.id, failure.detail,
                                    self.clock() + timedelta(seconds=delay), claim=row.attempts)
        self.retried += 1
        log.info("outbox row %d: attempt %d failed (%s); next in %.1f s", row.id, row.attempts,
                 failure.detail, delay)
        return "queued"

    def retry_delay(self, attempts: int, failure: _Failure | None = None) -> float:
        """Seconds before the next attempt: Retry-After if the connector sent one (for a
        retryable status), else full-jitter exponential backoff."""
        if (failure is not None and failure.retry_after is not None
                and (failure.status is None or failure.status in RETRYABLE_STATUSES)):
            return min(failure.retry_after, 3600.0)
        ceiling = min(self.max_backoff, self.base_backoff * 2.0 ** min(max(attempts - 1, 0), 32))
        return self.rng.uniform(0.0, ceiling)

