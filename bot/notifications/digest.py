"""The weekly digest for subscribed conversations and reminders to leads with old reports.

Both are scheduled (see `Schedule`) and off unless configured. They go through the outbox
like every notification, with a dedupe key per ISO week, so a pass that runs twice in the
same week (another replica, a restart) queues nothing new.

- Digest, per conversation with subscriptions: the notifications it got in the past week,
  its red projects, and its projects whose newest report is older than 14 days.
- Reminder, by personal message: to each project owner or manager whose project's newest
  report is older than 14 days, when the bot has a personal conversation with that person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.notifications.notifier import Notifier
from bot.notifications.outbox import Notification
from knowledge.answers.answers import Language
from knowledge.answers.phrases import say
from knowledge.commands.subscription_commands import TargetKind
from knowledge.portfolio.model import Health, Project
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.status_rules import STALE_AFTER_DAYS

log = logging.getLogger("portfoliobot.digest")
OSLO = ZoneInfo("Europe/Oslo")
NB = "nb"
MAX_LISTED = 10
Clock = Callable[[], datetime]


def week_of(moment: datetime) -> str:
    year, week, _ = moment.astimezone(OSLO).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Schedule:
    """When a weekly job runs: a weekday (0 = Monday) and an hour, Oslo time; None = never."""

    weekday: int | None
    hour: int

    def due(self, moment: datetime) -> bool:
        local = moment.astimezone(OSLO)
        return self.weekday is not None and local.weekday() == self.weekday \
            and local.hour == self.hour


class Digests:
    """Queues digests and reminders into the outbox."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.subscriptions = notifier.subscriptions
        self.outbox = notifier.outbox
        self.snapshot = notifier.snapshot

    def _projects_of(self, snapshot: Snapshot, targets: list[tuple[str, int]]) -> list[Project]:
        chosen: dict[int, Project] = {}
        for kind, target_id in targets:
            for project in snapshot.projects.values():
                if kind == TargetKind.ALL.value or (
                        kind == TargetKind.PROJECT.value and project.id == target_id) or (
                        kind == TargetKind.PROGRAMME.value and project.programme_id == target_id):
                    chosen[project.id] = project
        return sorted(chosen.values(), key=lambda p: p.code)

    async def send_digests(self, now: datetime) -> int:
        """One digest per subscribed conversation for the week of `now`; new rows queued."""
        snapshot = self.snapshot()
        if snapshot is None:
            return 0
        week = week_of(now)
        planned: list[tuple[str, Notification]] = []
        for conversation_id in await self.subscriptions.conversations():
            subscriptions = await self.subscriptions.list(conversation_id)
            targets = [(str(s.target_kind), s.target_id or 0) for s in subscriptions]
            projects = self._projects_of(snapshot, targets)
            red = [p for p in projects if (r := snapshot.latest_report(p.id)) is not None
                   and r.health is Health.RED]
            stale = [p for p in projects if (r := snapshot.latest_report(p.id)) is not None
                     and (now - r.reported_at).days > STALE_AFTER_DAYS]
            changes = await self.outbox.delivered_since(conversation_id, now - timedelta(days=7))
            facts = (
                (say("digest_changes", Language.NB), _listed(changes) or say("digest_none", Language.NB)),
                (say("digest_red", Language.NB), _listed([_label(p) for p in red])
                 or say("digest_none", Language.NB)),
                (say("digest_stale", Language.NB, days=STALE_AFTER_DAYS),
                 _listed([_label(p) for p in stale]) or say("digest_none", Language.NB)),
            )
            title = say("digest_title", Language.NB, week=week)
            planned.append((conversation_id, Notification(title, title, facts, NB, None)))
        return await self._queue(planned, f"digest:{week}")

    async def send_reminders(self, now: datetime) -> int:
        """A personal reminder to each lead of a project whose newest report is too old."""
        snapshot = self.snapshot()
        if snapshot is None:
            return 0
        personal = await self.outbox.personal_conversations()
        week = week_of(now)
        new = 0
        for project in sorted(snapshot.projects.values(), key=lambda p: p.code):
            report = snapshot.latest_report(project.id)
            if report is None or (now - report.reported_at).days <= STALE_AFTER_DAYS:
                continue
            for person_id in {project.owner_id, project.manager_id} - {None}:
                person = snapshot.persons.get(person_id or -1)
                conversation = personal.get((person.aad_object_id or "").lower()) if person else None
                if conversation is None:
                    continue
                text = say("reminder_text", Language.NB, project=_label(project),
                           days=(now - report.reported_at).days)
                notification = Notification(say("reminder_title", Language.NB), text, (), NB, project.id)
                new += await self._queue([(conversation, notification)],
                                         f"reminder:{project.id}:{report.id}:{week}")
        return new

    async def _queue(self, planned: list[tuple[str, Notification]], key: str) -> int:
        return await self.notifier.queue(
            [([conversation_id], key, notification) for conversation_id, notification in planned])


async def run_schedule(digests: Digests, digest: Schedule, reminders: Schedule, clock: Clock,
                       period: float = 300.0) -> None:
    """Check every `period` seconds whether a digest or reminder pass is due; run it if so.
    Running again within the due hour queues nothing new (weekly dedupe keys)."""
    while True:
        now = clock()
        try:
            if digest.due(now):
                log.info("weekly digest: %d queued", await digests.send_digests(now))
            if reminders.due(now):
                log.info("reminders: %d queued", await digests.send_reminders(now))
        except Exception:
            log.exception("digest or reminder pass failed; trying again at the next check")
        await asyncio.sleep(period)


def _label(project: Project) -> str:
    return f"{project.name} ({project.code})"


def _listed(items: list[str]) -> str:
    shown = items[:MAX_LISTED]
    more = len(items) - len(shown)
    return "; ".join(shown) + (f" (+{more})" if more > 0 else "")
