"""From portfolio events to outbox rows: who subscribed, what the notification says.

Events come from the sync's difference between snapshots and from status updates posted by
chat (`Syncer.apply_report`). Each event becomes one outbox row per subscribed conversation,
all of one batch in one transaction, with the event's dedupe key, so a sync that runs again
queues nothing new. External notices from `/api/notify` take the same way.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

from bot.notifications.delivery import DeliveryWorker
from bot.notifications.notice import Notice
from bot.notifications.outbox import Notification, OutboxStore
from bot.notifications.subscriptions import SubscriptionStore
from bot.storage.bot_database import BotDatabase
from knowledge.answers.answers import Language
from knowledge.answers.phrases import HEALTH, PHASE, TRANSFER, say
from knowledge.portfolio.database import write_transaction
from knowledge.portfolio.events import EventKind, PortfolioEvent
from knowledge.portfolio.model import Health, Phase, TransferStatus
from knowledge.portfolio.snapshot import Snapshot

log = logging.getLogger("portfoliobot.notify")
NOTICE_REPEAT_WINDOW = timedelta(minutes=10)   # an identical notice within it is a retry
NOTICE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('portfoliobot.notice'))"
NB = Language.NB


class Notifier:
    """Queues notifications for subscribers and wakes the delivery worker."""

    def __init__(self, database: BotDatabase, subscriptions: SubscriptionStore,
                 outbox: OutboxStore, snapshot: Callable[[], Snapshot | None],
                 worker: DeliveryWorker | None = None) -> None:
        self.database = database
        self.subscriptions = subscriptions
        self.outbox = outbox
        self.snapshot = snapshot
        self.worker = worker

    async def publish(self, events: Sequence[PortfolioEvent]) -> int:
        """Queue each event for its subscribers; returns how many rows were new."""
        snapshot = self.snapshot()
        planned: list[tuple[list[str], str, Notification]] = []
        for event in merge_report_events(events):
            project = snapshot.projects.get(event.project_id) if snapshot else None
            programme_id = project.programme_id if project else None
            conversations = await self.subscriptions.matching(event.project_id, programme_id,
                                                              event.kind)
            if conversations:
                planned.append((conversations, event.dedupe_key,
                                describe(event, snapshot)))
        return await self.queue(planned)

    async def notice(self, notice: Notice) -> int | None:
        """Queue an external notice; None when the project code is unknown.

        The same notice (the same project, however its code is spelt, title and text) again
        within `NOTICE_REPEAT_WINDOW` is taken as the client's retry and queues nothing; after
        it, the same notice is news again. Check and insert share one write transaction, so two
        identical requests at once queue it once."""
        snapshot = self.snapshot()
        if notice.project_code is None:
            conversations = await self.subscriptions.conversations()
            project_id, code = None, "all"
        else:
            project = next((p for p in (snapshot.projects.values() if snapshot else ())
                            if p.code.lower() == notice.project_code.lower()), None)
            if project is None:
                return None
            project_id, code = project.id, project.code
            conversations = await self.subscriptions.matching(
                project.id, project.programme_id, EventKind.PROJECT_CHANGED)
        digest = hashlib.sha256(f"{notice.title}\n{notice.text}".encode()).hexdigest()[:24]
        prefix = f"notice:{code.lower()}:{digest}:"
        now = self.outbox.now()
        notification = Notification(notice.title, notice.text, (), NB.value, project_id)
        async with write_transaction(self.database.engine, NOTICE_LOCK) as connection:
            if await self.outbox.queued_since(connection, prefix, now - NOTICE_REPEAT_WINDOW):
                log.info("notice for %s repeated within %s: taken as a retry", code,
                         NOTICE_REPEAT_WINDOW)
                return 0
            new = await self.outbox.enqueue(connection, conversations, prefix + now.isoformat(),
                                            notification)
        self._queued(new)
        return new

    async def queue(self, planned: list[tuple[list[str], str, Notification]]) -> int:
        """Queue (conversations, dedupe key, notification) triples in one transaction."""
        if not planned:
            return 0
        new = 0
        async with self.database.engine.begin() as connection:
            for conversations, key, notification in planned:
                new += await self.outbox.enqueue(connection, conversations, key, notification)
        self._queued(new)
        return new

    def _queued(self, new: int) -> None:
        if new:
            log.info("queued %d notification(s)", new)
            if self.worker is not None:
                self.worker.wake()


def merge_report_events(events: Sequence[PortfolioEvent]) -> list[PortfolioEvent]:
    """One notification per new report: a health change that came with a new report is said
    by the report's notification ("previous status: …"), not by a second message."""
    reported = {e.report_id for e in events if e.kind is EventKind.STATUS_REPORTED}
    previous = {e.report_id: e.before for e in events if e.kind is EventKind.HEALTH_CHANGED}
    merged: list[PortfolioEvent] = []
    for event in events:
        if event.kind is EventKind.HEALTH_CHANGED and event.report_id in reported:
            continue
        if event.kind is EventKind.STATUS_REPORTED and event.report_id in previous:
            event = replace(event, before=previous[event.report_id])
        merged.append(event)
    return merged


def describe(event: PortfolioEvent, snapshot: Snapshot | None) -> Notification:
    """The notification for one event, in Norwegian (the portfolio's working language)."""
    project = f"{event.project_name} ({event.project_code})"
    facts: list[tuple[str, str]] = []
    kind = event.kind
    if kind in (EventKind.STATUS_REPORTED, EventKind.HEALTH_CHANGED):
        report = None
        if snapshot is not None and event.report_id is not None:
            report = next((r for r in snapshot.reports.get(event.project_id, ())
                           if r.id == event.report_id), None)
        health, previous = _member(Health, event.after), _member(Health, event.before)
        text = report.summary if report else ""
        title_key = "notify_health" if kind is EventKind.HEALTH_CHANGED else "notify_status"
        title = say(title_key, NB, project=project, health=HEALTH[health][NB] if health else "",
                    before=HEALTH[previous][NB] if previous else "")
        author = (snapshot.persons.get(report.author_id)
                  if report is not None and snapshot is not None and report.author_id is not None
                  else None)
        if author is not None:
            facts.append((say("label_reported_by", NB), author.full_name))
        if kind is EventKind.STATUS_REPORTED and previous is not None:
            facts.append((say("label_previous_status", NB), HEALTH[previous][NB]))
    elif kind is EventKind.PHASE_CHANGED:
        title = say("notify_phase", NB, project=project, before=_phase(event.before),
                    after=_phase(event.after))
        text = ""
    elif kind is EventKind.TRANSFER_STATUS_CHANGED:
        title = say("notify_transfer", NB, project=project, after=_transfer(event.after))
        text = ""
    elif kind in (EventKind.OWNER_CHANGED, EventKind.MANAGER_CHANGED):
        person = _person(snapshot, event.after)
        key = "notify_owner" if kind is EventKind.OWNER_CHANGED else "notify_manager"
        title = say(key, NB, project=project, person=person)
        text = ""
    elif kind is EventKind.PROJECT_ADDED:
        title, text = say("notify_added", NB, project=project), ""
    elif kind is EventKind.PROJECT_REMOVED:
        title, text = say("notify_removed", NB, project=project), ""
    else:
        title, text = say("notify_changed", NB, project=project), ""
    return Notification(title, text or title, tuple(facts), NB.value, event.project_id)


E = TypeVar("E", bound=enum.Enum)


def _member(kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None


def _phase(value: str | None) -> str:
    phase = _member(Phase, value)
    return PHASE[phase][NB] if phase else (value or "–")


def _transfer(value: str | None) -> str:
    status = _member(TransferStatus, value)
    return TRANSFER[status][NB] if status else (value or "–")


def _person(snapshot: Snapshot | None, value: str | None) -> str:
    if snapshot is not None and value and value.isdigit() and int(value) in snapshot.persons:
        return snapshot.persons[int(value)].full_name
    return say("none_registered", NB)
