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

A submission is identified by what was submitted and by whom: the activity id (for a card, the
card's id) with the sender, project, health and summary (`_idempotency_key`). A double click or
a retried request is the same submission and is stored once, confirming the same report; a
corrected form, another lead submitting the same form, or the other button of a
clarification is a new submission. A clarification button carries who wrote the update, and
only they may press it. If the portfolio write fails, the claim is released so a retry can
store it; an undo releases it too, so the same submission again is stored again.

Status is taken only from Teams (`channelId` msteams), and from the Emulator when the bot runs
locally without an app id (`Sender.local`); questions are answered on every channel.

A report is known by its fingerprint (`knowledge.portfolio.events.report_fingerprint`), not by
its id alone, which the portfolio database may reuse: the post's audit row holds everything
the fingerprint needs, an undo deletes only the row that still matches it, and withdraws the
notifications queued under its dedupe keys (`withdraw`, the outbox's). A lead's chat reports
on one project never share a second, so a report undone and written again is a new report.

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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botbuilder.core import BotAdapter
from botframework.connector.auth import AuthenticationConstants

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
from knowledge.portfolio.events import PortfolioEvent, report_dedupe_keys, report_events
from knowledge.portfolio.model import Health, Person, Project, StatusReport
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.status_rules import MAX_SUMMARY, STALE_AFTER_DAYS, UNDO_WINDOW
from knowledge.portfolio.sync import Syncer

log = logging.getLogger("portfoliobot.status")

Clock = Callable[[], datetime]
Publish = Callable[[list[PortfolioEvent]], Awaitable[int]]
# Withdraws the queued notifications with these dedupe keys (`OutboxStore.withdraw`).
Withdraw = Callable[[Iterable[str]], Awaitable[int]]
TEAMS = "msteams"
EMULATOR = "emulator"
CHANNEL_NOT_ALLOWED = "channel_not_allowed"
NOT_YOUR_BUTTON = "not_your_button"
CHOICE_STALE = "choice_stale"


@dataclass(frozen=True)
class Sender:
    """Who sent the turn and from where; enough to authorise and to audit.

    `channel_id` is the activity's channel; `local` says the bot runs without an app id (the
    turn was not authenticated), where the Emulator may stand in for Teams."""

    aad_object_id: str | None
    conversation_id: str
    activity_id: str | None
    channel_id: str = TEAMS
    local: bool = False

    @classmethod
    def of(cls, turn_context: Any, idempotency_id: str | None) -> Sender:
        """Who sent the turn's activity; `idempotency_id` keys what it stores (usually its id)."""
        activity = turn_context.activity
        identity = turn_context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY)
        local = getattr(identity, "authentication_type", None) \
            == AuthenticationConstants.ANONYMOUS_AUTH_TYPE
        return cls(getattr(activity.from_property, "aad_object_id", None),
                   getattr(activity.conversation, "id", "") or "", idempotency_id,
                   getattr(activity, "channel_id", None) or "", local)

    @property
    def may_change_status(self) -> bool:
        """Whether status may be posted or undone from this channel: Teams, whose
        aadObjectId is the signed-in user's; locally also the Emulator."""
        return self.channel_id == TEAMS or (self.local and self.channel_id == EMULATOR)


class StatusDesk:
    """Everything a turn needs to take a status update: the databases, the syncer, a clock."""

    def __init__(self, bot_database: BotDatabase, syncer: Syncer, answerer: Answerer,
                 clock: Clock | None = None, publish: Publish | None = None,
                 withdraw: Withdraw | None = None) -> None:
        self.bot_database = bot_database
        self.syncer = syncer
        self.answerer = answerer
        self.writer = StatusWriter()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.publish = publish
        self.withdraw = withdraw
        self._in_flight: set[str] = set()   # idempotency keys this process is posting now

    # ----------------------------------------------------------------- recognising
    @staticmethod
    def draft(text: str) -> StatusUpdateDraft | None:
        return parse_status_update(text)

    # ----------------------------------------------------------------- posting
    async def post_message(self, draft: StatusUpdateDraft, who: Sender) -> Answer:
        """The one-message form: resolve the project, then post."""
        language = draft.language
        if not who.may_change_status:
            return StatusInvalid(language, None, (CHANNEL_NOT_ALLOWED,), MAX_SUMMARY)
        snapshot = self._snapshot()
        resolution = self.answerer.resolve_project(draft.project_mention)
        if resolution.project_id is None:
            if resolution.candidates:
                return self._clarify(draft, resolution.candidates, language, who)
            return NotFound(language, draft.project_mention, resolution.suggestions)
        return await self.post(snapshot.projects[resolution.project_id], draft.health,
                               draft.summary, who, language)

    async def post_choice(self, choice: StatusChoicePayload, who: Sender) -> Answer:
        """A clarification button of a status update: the project chosen, the rest carried.
        Only the person who wrote the update may press it."""
        project = self._snapshot().projects.get(choice.project_id)
        view = _project_view(project) if project is not None else None
        if choice.asker is None:   # a button from before buttons named their writer
            return StatusInvalid(choice.language, view, (CHOICE_STALE,), MAX_SUMMARY)
        if choice.asker != who.aad_object_id:
            return StatusInvalid(choice.language, view, (NOT_YOUR_BUTTON,), MAX_SUMMARY)
        if project is None:
            return StatusInvalid(choice.language, None, ("summary_empty",), MAX_SUMMARY)
        return await self.post(project, choice.health, choice.summary, who, choice.language)

    async def post(self, project: Project, health: Health | None, summary: str, who: Sender,
                   language: Language) -> Answer:
        """Validate, authorise, store once, audit, and update the snapshot."""
        snapshot = self._snapshot()
        view = _project_view(project)
        if not who.may_change_status:
            return StatusInvalid(language, view, (CHANNEL_NOT_ALLOWED,), MAX_SUMMARY)
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
                report = _report_from_audit(previous)
                # In case a crash came between storing it and queueing its notifications.
                await self._publish(report_events(self._snapshot(), report))
                return StatusPosted(language, view, self._report_view(self._snapshot(), report))
            # Claimed, but never finished: the turn that claimed it died with its process.
            claimed_at = await self.bot_database.claimed_at(key) or claimed_at
            log.warning("status update %s: finishing an update whose first turn died", key)
        try:
            report = await self.writer.write(self.syncer.engine, project.id, person.id, health,
                                             summary.strip(), await self._report_time(who, project),
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

    async def _report_time(self, who: Sender, project: Project) -> datetime:
        """Now, but a second after the sender's last chat report on this project if that is
        not yet a second ago: a report undone and posted again within the second is then
        still a new report (another fingerprint), announced and undoable again."""
        now = self.clock()
        if not who.aad_object_id:
            return now
        last = await self.bot_database.last_audit(who.aad_object_id, action="post")
        if last is None or last["project_id"] != project.id:
            return now
        earliest = _aware(last["created_at"]).replace(microsecond=0) + timedelta(seconds=1)
        return max(now, earliest)

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
        """Withdraw the sender's last chat report, if it is within the undo window, not undone
        yet, and still in the portfolio database as it was written; and the notifications
        queued about it."""
        window = int(UNDO_WINDOW.total_seconds() // 60)
        if not who.may_change_status:
            return StatusInvalid(language, None, (CHANNEL_NOT_ALLOWED,), MAX_SUMMARY)
        if not who.aad_object_id:
            return NothingToUndo(language, window)
        last = await self.bot_database.last_audit(who.aad_object_id, action="post")
        if last is None or last.get("report_id") is None:
            return NothingToUndo(language, window)
        if self.clock() - _aware(last["created_at"]) > UNDO_WINDOW:
            return NothingToUndo(language, window)
        undone = await self.bot_database.last_audit(who.aad_object_id, action="undo")
        if undone is not None and undone["id"] > last["id"]:   # the last post is undone
            return NothingToUndo(language, window)
        snapshot = self._snapshot()
        report = _report_from_audit(last)
        if not await self.writer.withdraw(self.syncer.engine, report):
            return NothingToUndo(language, window)
        await self.bot_database.record_audit(
            action="undo", actor_aad_object_id=who.aad_object_id,
            actor_person_id=last.get("actor_person_id"), project_id=last["project_id"],
            report_id=last["report_id"], health=last.get("health"), summary=last.get("summary"),
            conversation_id=who.conversation_id, activity_id=who.activity_id,
            created_at=self.clock())
        if last.get("activity_id"):   # the same submission again is a new post now
            await self.bot_database.release(last["activity_id"])
        await self.syncer.forget_report(report.id)
        await self._withdraw(report)
        project = snapshot.projects.get(last["project_id"])
        view = _project_view(project) if project else ProjectView(last["project_id"], "?", "?")
        return StatusWithdrawn(language, view, self._report_view(snapshot, report))

    async def _withdraw(self, report: StatusReport) -> None:
        if self.withdraw is None:
            return
        try:
            withdrawn = await self.withdraw(report_dedupe_keys(report))
        except Exception:   # the report is gone; the delivery side checks again before sending
            log.exception("status undone, but its queued notifications could not be withdrawn")
            return
        if withdrawn:
            log.info("withdrew %d queued notification(s) of report %s", withdrawn, report.id)

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
                 language: Language, who: Sender) -> Clarification:
        return Clarification(language, draft.project_mention, candidates, (), tuple(
            StatusChoicePayload(c.id, draft.health, draft.summary, language,
                                who.aad_object_id).to_value()
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
        who = Sender.of(turn_context, turn_context.activity.id)
        project = self.desk._snapshot().projects.get(project_id)
        if project is None:
            return StatusInvalid(language, None, ("form_project_missing",), MAX_SUMMARY)
        return await self.desk.post(project, health, summary, who, language)


def _idempotency_key(who: Sender, project_id: int, health: Health, summary: str) -> str:
    """What was submitted and by whom: the activity (or card) it came in, and a digest of the
    sender, project, health and summary."""
    digest = hashlib.sha256(json.dumps([who.aad_object_id, project_id, health.value,
                                        summary.strip()]).encode()).hexdigest()[:32]
    return f"status:{who.conversation_id}:{who.activity_id or '-'}:{digest}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _report_from_audit(row: dict[str, Any]) -> StatusReport:
    """The report a post's audit row recorded (its `created_at` is the report's time)."""
    return StatusReport(row["report_id"], row["project_id"], _aware(row["created_at"]),
                        row.get("actor_person_id"), Health(row["health"]), row["summary"],
                        "chat")


def _project_view(project: Project) -> ProjectView:
    return ProjectView(project.id, project.code, project.name, project.short_name)


def _person_view(person: Person) -> PersonView:
    return PersonView(person.full_name, person.title, person.email)
