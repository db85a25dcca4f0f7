"""Status updates posted by chat: parse the one-message form, validate it, write it.

A project lead writes one message::

    status Trådløst nett fase II: grønn – akuttmottakene har full dekning
    status wireless phase 2: green - emergency rooms covered

`parse_status_update` recognises that form (a leading keyword, the project mention, a
separator, a health word, a separator, the summary) and returns a `StatusUpdateDraft`, or
None for anything else: "status trådløst nett" and "hva er status på DHO?" are questions.
The project mention is matched to a project by `knowledge.answers.answering.Answerer.resolve_project`.
`validate_draft` names what is wrong with a draft; `StatusWriter` inserts the status_report row
(source 'chat') into the portfolio database and can withdraw it again for an undo. The caller
then hands the returned `StatusReport` to `knowledge.portfolio.sync.Syncer.apply_report` so this process
answers with it at once; other processes see it on their next sync.
"""

from __future__ import annotations

import asyncio
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from knowledge.answers.answers import Language
from knowledge.commands.command_words import BY_NAME, CommandName
from knowledge.errors import KnowledgeError
from knowledge.language.text import fold, storable
from knowledge.language.vocabulary import HEALTH_WORDS
from knowledge.portfolio.contract import TABLES, ColumnKind, parse_timestamp, to_database
from knowledge.portfolio.database import write_transaction
from knowledge.portfolio.model import Health, StatusReport
from knowledge.portfolio.status_rules import MAX_SUMMARY

CHAT_SOURCE = "chat"
WRITE_ATTEMPTS = 5
WRITERS_LOCK = "SELECT pg_advisory_xact_lock(hashtext('portfoliobot.status_report.id'))"

HEALTH_MISSING = "health_missing"
SUMMARY_EMPTY = "summary_empty"
SUMMARY_TOO_LONG = "summary_too_long"

ENGLISH_HEALTH = frozenset({"green", "yellow", "amber", "orange", "red"})

# The leading keyword: the command table's words for a one-message update, longest first,
# each with the little words that may follow it; `lang` is None when the keyword is both
# languages'.
_AFTER_KEYWORD = {Language.NB: "for|på|pa", Language.EN: "for|on|of", None: "for|på|pa|on|of"}
_KEYWORDS: tuple[tuple[str, Language | None], ...] = tuple(
    (r"\s+".join(re.escape(word) for word in trigger.phrase.split())
     + rf"(?:\s+(?:{_AFTER_KEYWORD[trigger.language]}))?", trigger.language)
    for trigger in sorted(BY_NAME[CommandName.POST_STATUS].triggers,
                          key=lambda trigger: (-len(trigger.words), -len(trigger.phrase))))
_KEYWORD_PATTERNS = tuple(
    (re.compile(rf"\s*(?:{pattern})(?:\s*:\s*|\s+)(?=\S)", re.IGNORECASE), language)
    for pattern, language in _KEYWORDS
)
# Where the project mention may end: a colon, or a dash with whitespace on both sides.
_PROJECT_END = re.compile(r"\s*:|\s+[-–—]\s")
_HEALTH = re.compile(r"\s*([^\W\d_]+)(.*)", re.DOTALL)
_AFTER_HEALTH = re.compile(r"\s*[-–—:,;.]|\s", re.DOTALL)


class StatusWriteError(KnowledgeError):
    """The status report could not be written or withdrawn; the message names the cause."""


@dataclass(frozen=True, slots=True)
class StatusUpdateDraft:
    """A status update as the user wrote it, before the project is resolved.

    `summary` is the user's text verbatim, only trimmed. `health` is None only for drafts
    made elsewhere (a form); the parser never returns a draft without a health word.
    """

    project_mention: str
    health: Health | None
    summary: str
    language: Language


def parse_status_update(text_: str) -> StatusUpdateDraft | None:
    """The status update in `text_`, or None when it is not one (a question, say)."""
    for pattern, keyword_language in _KEYWORD_PATTERNS:
        keyword = pattern.match(text_)
        if keyword is not None:
            return _after_keyword(text_[keyword.end():], keyword_language)
    return None


def _after_keyword(rest: str, keyword_language: Language | None) -> StatusUpdateDraft | None:
    for end in _PROJECT_END.finditer(rest):
        mention = rest[:end.start()].strip()
        if not mention:
            continue
        found = _health_and_summary(rest[end.end():])
        if found is None:
            continue
        word, health, summary = found
        language = keyword_language or (
            Language.EN if fold(word) in ENGLISH_HEALTH else Language.NB)
        return StatusUpdateDraft(mention, health, summary, language)
    return None


def _health_and_summary(after: str) -> tuple[str, Health, str] | None:
    """The health word at the start of `after` and the summary behind its separator."""
    match = _HEALTH.match(after)
    if match is None:
        return None
    word, tail = match.group(1), match.group(2)
    health = HEALTH_WORDS.get(fold(word))
    if health is None:
        return None
    if not tail.strip():
        return word, health, ""
    separator = _AFTER_HEALTH.match(tail)
    if separator is None:   # "grønnsaker" is one word; "green/ok" has no separator
        return None
    return word, health, tail[separator.end():].strip()


def validate_draft(draft: StatusUpdateDraft) -> list[str]:
    """Problem codes of `draft`: "health_missing", "summary_empty", "summary_too_long"."""
    problems: list[str] = []
    if draft.health is None:
        problems.append(HEALTH_MISSING)
    problems.extend(_summary_problems(draft.summary))
    return problems


def visible(text_: str) -> bool:
    """Whether `text_` shows anything: not only whitespace and invisible format characters
    (zero-width spaces and joiners, word joiner, BOM, bidi marks and isolates: category Cf)."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text_)


def _summary_problems(summary: str) -> list[str]:
    trimmed = summary.strip()
    if not visible(trimmed):
        return [SUMMARY_EMPTY]
    if len(trimmed) > MAX_SUMMARY:
        return [SUMMARY_TOO_LONG]
    return []


class StatusWriter:
    """Writes chat status reports into the portfolio database (table status_report)."""

    async def write(self, engine: AsyncEngine, project_id: int, author_person_id: int | None,
                    health: Health, summary: str, reported_at: datetime, *,
                    once_since: datetime | None = None) -> StatusReport:
        """Insert one status_report row with source 'chat'; the report with its new id.

        With `once_since`, a chat report with the same project, author, health and summary
        reported since then (to the second) is returned instead of writing a second one:
        the check and the insert are one atomic step (PostgreSQL: under the writers' advisory
        lock; SQLite: an immediate transaction), so a writer that takes over an update whose
        first writer died, or raced it, never stores it twice.

        `summary` is stored trimmed, otherwise verbatim (but for NUL and unpaired surrogates,
        which no database text column holds: they become U+FFFD, on SQLite as on
        PostgreSQL); `reported_at` must be timezone-aware
        and is stored in UTC, to the second (as SQLite keeps it). Raises ValueError for
        invalid values and StatusWriteError when the database refuses (unknown project,
        unreachable server). On PostgreSQL the id is MAX(id) + 1 under a transaction-level
        advisory lock (the bot's writers queue), retried on a unique violation (a writer
        that does not take the lock).
        """
        health = Health(health)
        trimmed = storable(summary).strip()
        problems = _summary_problems(trimmed)
        if problems:
            raise ValueError(f"invalid summary: {problems[0]}")
        if reported_at.tzinfo is None:
            raise ValueError("reported_at must be timezone-aware")
        moment = reported_at.astimezone(UTC).replace(microsecond=0)
        for attempt in range(WRITE_ATTEMPTS):
            try:
                async with write_transaction(engine, WRITERS_LOCK) as connection:
                    if once_since is not None:
                        existing = await _existing(connection, project_id, author_person_id,
                                                   health, trimmed, once_since)
                        if existing is not None:
                            return existing
                    report_id = await _insert(connection, project_id, author_person_id,
                                              health, trimmed, moment)
            except IntegrityError as error:
                if not _unique_violation(error) or attempt == WRITE_ATTEMPTS - 1:
                    raise StatusWriteError(f"could not write the status report: {error.orig}"
                                           ) from error
                await asyncio.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
                continue
            except SQLAlchemyError as error:
                raise StatusWriteError(f"could not write the status report: {error}") from error
            return StatusReport(report_id, project_id, moment, author_person_id, health,
                                trimmed, CHAT_SOURCE)
        raise AssertionError("unreachable")   # pragma: no cover

    async def withdraw(self, engine: AsyncEngine, report: StatusReport) -> bool:
        """Delete chat report `report` (an undo); False when it is not there any more.

        The row is found by its id and must still be that report: same project, author,
        time (to the second), health and summary, source 'chat'. The portfolio database may
        give a deleted report's id to a new one, so a row with that id but other content (a
        lead's report on another project, after someone deleted this one) is left alone.
        Reports from the portfolio office (source 'portfolio') are never deleted.
        """
        try:
            async with write_transaction(engine, WRITERS_LOCK) as connection:
                row = (await connection.execute(text(
                    "SELECT project_id, author_id, reported_at, health, summary, source "
                    "FROM status_report WHERE id = :id"), {"id": report.id})).first()
                if row is None or not _same_report(row, report):
                    return False
                result = await connection.execute(
                    text("DELETE FROM status_report WHERE id = :id AND source = :source"),
                    {"id": report.id, "source": CHAT_SOURCE})
        except SQLAlchemyError as error:
            raise StatusWriteError(f"could not withdraw the status report: {error}") from error
        return bool(result.rowcount)


def _same_report(row: Any, report: StatusReport) -> bool:
    """Whether a status_report row (project_id, author_id, reported_at, health, summary,
    source) is `report`, a chat report."""
    project_id, author_id, reported_at, health, summary, source = row
    moment = parse_timestamp(reported_at)
    return (source == CHAT_SOURCE and project_id == report.project_id
            and author_id == report.author_id and health == report.health.value
            and summary == report.summary and moment is not None
            and moment.replace(microsecond=0) == report.reported_at.replace(microsecond=0))


async def _existing(connection: AsyncConnection, project_id: int, author_id: int | None,
                    health: Health, summary: str, since: datetime) -> StatusReport | None:
    """The first chat report like this one reported at or after `since` (to the second)."""
    dialect = connection.dialect.name
    author = "author_id IS NULL" if author_id is None else "author_id = :author_id"
    row = (await connection.execute(text(
        f"SELECT id, reported_at FROM status_report WHERE source = :source AND project_id = "
        f":project_id AND {author} AND health = :health AND summary = :summary AND "
        f"reported_at >= :since ORDER BY id LIMIT 1"), {
            "source": CHAT_SOURCE, "project_id": project_id, "author_id": author_id,
            "health": health.value, "summary": summary,
            "since": to_database(since.replace(microsecond=0), ColumnKind.TIMESTAMP, dialect),
        })).first()
    if row is None:
        return None
    moment = parse_timestamp(row[1])
    assert moment is not None
    return StatusReport(int(row[0]), project_id, moment, author_id, health, summary, CHAT_SOURCE)


async def _insert(connection: AsyncConnection, project_id: int, author_id: int | None,
                  health: Health, summary: str, moment: datetime) -> int:
    dialect = connection.dialect.name
    exists = await connection.execute(text("SELECT 1 FROM project WHERE id = :id"),
                                      {"id": project_id})
    if exists.first() is None:
        raise StatusWriteError(f"no project with id {project_id}")
    columns = TABLES["status_report"]
    values = {
        "project_id": project_id, "reported_at": moment, "author_id": author_id,
        "health": health.value, "summary": summary, "source": CHAT_SOURCE,
    }
    if dialect == "postgresql":   # the writers' lock is held (`write_transaction`)
        next_id = await connection.scalar(
            text("SELECT COALESCE(MAX(id), 0) + 1 FROM status_report"))
        values = {"id": int(next_id), **values}
    bound = {name: to_database(value, columns[name], dialect) for name, value in values.items()}
    names = list(bound)
    result = await connection.execute(
        text(f"INSERT INTO status_report ({', '.join(names)}) "
             f"VALUES ({', '.join(':' + name for name in names)}) RETURNING id"),
        bound)
    return int(result.scalar_one())


def _unique_violation(error: IntegrityError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code is not None:
        return str(code) == "23505"
    return "unique" in str(error.orig).lower()
