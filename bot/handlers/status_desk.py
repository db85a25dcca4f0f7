"""Status updates by chat: post, undo and "my projects", from a Teams turn to the databases.

    message ──parse──▶ draft ──resolve project──▶ (clarify | not found)
                          │
                    validate ──▶ invalid
                          │
                   may post? ──▶ refused (names the leads), nothing written
                          │
      claim the activity id once (bot database) ──▶ already stored: the same confirmation
                          │
      insert status_report (portfolio) ─▶ audit row (bot database) ─▶ snapshot updated at once

A double click or a retried request carries the same activity id (or card submission id), so
it is stored once. If the portfolio write fails, the claim is released so a retry can store it.

If the process dies on the way (SIGKILL, a crash), the claim is left without its audit row.
A resent activity that finds a claim no turn of this process is working on takes the work
over: the writer checks atomically for the report the dead process may already have written
since its claim (`StatusWriter.write(once_since=…)`) and writes it only if it is not there,
so the update is stored once and confirmed. Its notifications are queued again on every
resend that finds it stored (the outbox's dedupe keys make that a no-op when they were), so
a crash between the write and the queueing loses none.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.cards.payloads import StatusChoicePayload, StatusFormPayload
from bot.storage.bot_database import BotDatabase
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import (
    Answer,
    Candidate,
    Clarification,
    Language,
    LedProjectView,
    MyProjects,
    NotFound,
    NothingToUndo,
    PersonView,
    ProjectView,
    ReportView,
    StatusInvalid,
    StatusPosted,
    StatusRefused,
    StatusWithdrawn,
)
from knowledge.commands.leads import led_projects, may_post, sender
from knowledge.commands.status_updates import (
    StatusUpdateDraft,
    StatusWriter,
    parse_status_update,
    validate_draft,
)
from knowledge.portfolio.events import PortfolioEvent, report_events
from knowledge.portfolio.model import Health, Person, Project, StatusReport
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.status_rules import MAX_SUMMARY, STALE_AFTER_DAYS, UNDO_WINDOW
from knowledge.portfolio.sync import Syncer

log = logging.getLogger("portfoliobot.status")

Clock = Callable[[], datetime]
Publish = Callable[[list[PortfolioEvent]], Awaitable[int]]


@dataclass(frozen=True)
class Sender:
    """Who sent the turn and from where; enough to authorise and to audit."""

    aad_object_id: str | None
    conversation_id: str
    activity_id: str | None

    @classmethod
    def of(cls, activity: Any, idempotency_id: str | None) -> Sender:
        """Who sent `activity`; `idempotency_id` keys what it stores (usually its id)."""
        return cls(getattr(activity.from_property, "aad_object_id", None),
                   getattr(activity.conversation, "id", "") or "", idempotency_id)


class StatusDesk:
    """Everything a turn needs to take a status update: the databases, the syncer, a clock."""

    def __init__(self, bot_database: BotDatabase, syncer: Syncer, answerer: Answerer,
                 clock: Clock | None = None, publish: Publish | None = None) -> None:
        self.bot_database = bot_database
        self.syncer = syncer
        self.answerer = answerer
        self.writer = StatusWriter()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.publish = publish
        self._in_flight: set[str] = set()   # idempotency keys this process is posting now

    # ----------------------------------------------------------------- recognising
    @staticmethod
    def draft(text: str) -> StatusUpdateDraft | None:
        return parse_status_update(text)

    # ----------------------------------------------------------------- posting
    async def post_message(self, draft: StatusUpdateDraft, who: Sender) -> Answer:
        """The one-message form: resolve the project, then post."""
        language = draft.language
        snapshot = self._snapshot()
        resolution = self.answerer.resolve_project(draft.project_mention)
        if resolution.project_id is None:
            if resolution.candidates:
                return self._clarify(draft, resolution.candidates, language)
            return NotFound(language, draft.project_mention, resolution.suggestions)
        return await self.post(snapshot.projects[resolution.project_id], draft.health,
                               draft.summary, who, language)

    async def post_choice(self, choice: StatusChoicePayload, who: Sender) -> Answer:
        """A clarification button of a status update: the project chosen, the rest carried."""
        project = self._snapshot().projects.get(choice.project_id)
        if project is None:
            return StatusInvalid(choice.language, None, ("summary_empty",), MAX_SUMMARY)
        return await self.post(project, choice.health, choice.summary, who, choice.language)

    async def post(self, project: Project, health: Health | None, summary: str, who: Sender,
                   language: Language) -> Answer:
        """Validate, authorise, store once, audit, and update the snapshot."""
        snapshot = self._snapshot()
        view = _project_view(project)
        problems = validate_draft(StatusUpdateDraft(project.name, health, summary, language))
        if problems:
            return StatusInvalid(language, view, tuple(problems), MAX_SUMMARY)
        permission = may_post(snapshot, who.aad_object_id, project.id)
        if not permission.allowed:
            return StatusRefused(language, view, permission.person is None,
                                 tuple(_person_view(p) for p in permission.leads))
        assert permission.person is not None and health is not None
        key = _idempotency_key(who, project.id, health, summary)
        if key in self._in_flight:   # the same activity, again, while a turn posts it
            return StatusInvalid(language, view, ("already_processing",), MAX_SUMMARY)
        self._in_flight.add(key)
        try:
            return await self._post_once(key, project, view, permission.person, health,
                                         summary, who, language)
        finally:
            self._in_flight.discard(key)

    async def _post_once(self, key: str, project: Project, view: ProjectView, person: Person,
                         health: Health, summary: str, who: Sender, language: Language) -> Answer:
        claimed_at = self.clock()
        if not await self.bot_database.claim_once(key):
            previous = await self.bot_database.audit_for_activity(key)
            if previous is not None and previous.get("report_id") is not None:
                report = _report_from_audit(previous, person)
                # In case a crash came between storing it and queueing its notifications.
                await self._publish(report_events(self._snapshot(), report))
                return StatusPosted(language, view, self._report_view(self._snapshot(), report))
            # Claimed, but never finished: the turn that claimed it died with its process.
            claimed_at = await self.bot_database.claimed_at(key) or claimed_at
            log.warning("status update %s: finishing an update whose first turn died", key)
        try:
            report = await self.writer.write(self.syncer.engine, project.id, person.id, health,
                                             summary.strip(), self.clock(),
                                             once_since=claimed_at)
        except Exception:
            await self.bot_database.release(key)
            raise
        await self.bot_database.record_audit(
            action="post", actor_aad_object_id=who.aad_object_id,
            actor_person_id=person.id, project_id=project.id, report_id=report.id,
            health=health.value, summary=report.summary, conversation_id=who.conversation_id,
            activity_id=key, created_at=report.reported_at)
        # Events come from the snapshot change; a report the snapshot already holds (written
        # by a process that died, read back by this one's sync) gets them made here.
        events = (await self.syncer.apply_report(report)
                  or report_events(self._snapshot(), report))
        await self._publish(events)
        log.info("status posted for project %s (report %s)", project.code, report.id)
        return StatusPosted(language, view, self._report_view(self._snapshot(), report))

    async def _publish(self, events: list[PortfolioEvent]) -> None:
        if self.publish is None or not events:
            return
        try:
            await self.publish(events)
        except Exception:   # the report is stored; a lost notice must not fail the turn
            log.exception("status posted, but its notifications could not be queued")

    async def post_form(self, form: StatusFormPayload, who: Sender) -> Answer:
        """The one-click form: project, health and summary arrive together."""
        project = self._snapshot().projects.get(form.project_id) \
            if form.project_id is not None else None
        if project is None:
            return StatusInvalid(form.language, None, ("form_project_missing",), MAX_SUMMARY)
        return await self.post(project, form.health, form.summary or "", who, form.language)

    # ----------------------------------------------------------------- for the guided dialog
    def own_projects_of(self, aad_object_id: str | None) -> list[tuple[int, str, str]]:
        """(id, code, name) of the projects the sender owns or leads."""
        snapshot = self._snapshot()
        person = sender(snapshot, aad_object_id)
        if person is None:
            return []
        seen: dict[int, tuple[int, str, str]] = {}
        for led in led_projects(snapshot, person, self.clock()):
            seen.setdefault(led.project.id, (led.project.id, led.project.code, led.project.name))
        return list(seen.values())

    # ----------------------------------------------------------------- undo and mine
    async def undo(self, who: Sender, language: Language) -> Answer:
        if not who.aad_object_id:
            return NothingToUndo(language, int(UNDO_WINDOW.total_seconds() // 60))
        last = await self.bot_database.last_audit(who.aad_object_id, action="post")
        window = int(UNDO_WINDOW.total_seconds() // 60)
        if last is None or last.get("report_id") is None:
            return NothingToUndo(language, window)
        if self.clock() - _aware(last["created_at"]) > UNDO_WINDOW:
            return NothingToUndo(language, window)
        undone = await self.bot_database.last_audit(who.aad_object_id, action="undo")
        if undone is not None and undone.get("report_id") == last["report_id"]:
            return NothingToUndo(language, window)
        snapshot = self._snapshot()
        report = _report_from_audit(last, snapshot.persons.get(last.get("actor_person_id") or -1))
        if not await self.writer.withdraw(self.syncer.engine, last["report_id"]):
            return NothingToUndo(language, window)
        await self.bot_database.record_audit(
            action="undo", actor_aad_object_id=who.aad_object_id,
            actor_person_id=last.get("actor_person_id"), project_id=last["project_id"],
            report_id=last["report_id"], health=last.get("health"), summary=last.get("summary"),
            conversation_id=who.conversation_id, activity_id=who.activity_id,
            created_at=self.clock())
        await self.syncer.forget_report(last["report_id"])
        project = snapshot.projects.get(last["project_id"])
        view = _project_view(project) if project else ProjectView(last["project_id"], "?", "?")
        return StatusWithdrawn(language, view, self._report_view(snapshot, report))

    def mine(self, who: Sender, language: Language) -> MyProjects:
        snapshot = self._snapshot()
        person = sender(snapshot, who.aad_object_id)
        if person is None:
            return MyProjects(language, None, ())
        led = led_projects(snapshot, person, self.clock())
        return MyProjects(language, _person_view(person), tuple(
            LedProjectView(_project_view(item.project), item.role,
                           self._report_view(snapshot, item.report) if item.report else None,
                           item.stale)
            for item in led), STALE_AFTER_DAYS)

    # ----------------------------------------------------------------- helpers
    def _snapshot(self) -> Snapshot:
        snapshot = self.syncer.snapshot
        if snapshot is None:
            raise RuntimeError("status updates need a loaded portfolio snapshot")
        return snapshot

    def _clarify(self, draft: StatusUpdateDraft, candidates: tuple[Candidate, ...],
                 language: Language) -> Clarification:
        return Clarification(language, draft.project_mention, candidates, (), tuple(
            StatusChoicePayload(c.id, draft.health, draft.summary, language).to_value()
            for c in candidates))

    def _report_view(self, snapshot: Snapshot, report: StatusReport) -> ReportView:
        author = snapshot.persons.get(report.author_id or -1)
        age = max(0, (self.clock() - report.reported_at).days)
        return ReportView(report.health, report.summary, report.reported_at,
                          _person_view(author) if author else None, age, report.source)


class DialogPoster:
    """The guided dialog's view of the desk: the sender comes from the turn."""

    def __init__(self, desk: StatusDesk) -> None:
        self.desk = desk

    def own_projects(self, turn_context: Any) -> list[tuple[int, str, str]]:
        return self.desk.own_projects_of(
            getattr(turn_context.activity.from_property, "aad_object_id", None))

    async def post_from_dialog(self, turn_context: Any, project_id: int, health: Health,
                               summary: str, language: Language) -> Answer:
        who = Sender.of(turn_context.activity, turn_context.activity.id)
        project = self.desk._snapshot().projects.get(project_id)
        if project is None:
            return StatusInvalid(language, None, ("form_project_missing",), MAX_SUMMARY)
        return await self.desk.post(project, health, summary, who, language)


def _idempotency_key(who: Sender, project_id: int, health: Health, summary: str) -> str:
    """The incoming activity's id where Teams gives one; else a digest of what was sent."""
    if who.activity_id:
        return f"status:{who.conversation_id}:{who.activity_id}"
    digest = hashlib.sha256(json.dumps([who.aad_object_id, project_id, health.value, summary])
                            .encode()).hexdigest()[:32]
    return f"status:{who.conversation_id}:{digest}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _report_from_audit(row: dict[str, Any], author: Person | None) -> StatusReport:
    return StatusReport(row["report_id"], row["project_id"], _aware(row["created_at"]),
                        author.id if author else None, Health(row["health"]), row["summary"],
                        "chat")


def _project_view(project: Project) -> ProjectView:
    return ProjectView(project.id, project.code, project.name, project.short_name)


def _person_view(person: Person) -> PersonView:
    return PersonView(person.full_name, person.title, person.email)
