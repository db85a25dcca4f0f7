"""Status updates by chat: parsing, validation, project resolution, writing, the snapshot."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Language, ProjectStatus
from knowledge.commands.status_updates import (
    StatusUpdateDraft,
    StatusWriteError,
    StatusWriter,
    parse_status_update,
    validate_draft,
)
from knowledge.language.name_index import EntityKind
from knowledge.portfolio.database import create_engine
from knowledge.portfolio.events import EventKind
from knowledge.portfolio.model import Health
from knowledge.portfolio.status_rules import MAX_SUMMARY
from knowledge.portfolio.sync import Syncer
from tests.conftest import TODAY
from tests.helpers import is_sqlite

WIRELESS_2, WIRELESS_1, DHO = 17, 18, 3


# ----------------------------------------------------------------- parsing
@pytest.mark.parametrize(("message", "mention", "health", "summary", "language"), [
    ("status Trådløst nett fase II: grønn – akuttmottakene har full dekning",
     "Trådløst nett fase II", Health.GREEN, "akuttmottakene har full dekning", Language.NB),
    ("status wireless phase 2: green - emergency rooms covered",
     "wireless phase 2", Health.GREEN, "emergency rooms covered", Language.EN),
    ("STATUS DHO: RØD — leverandør forsinket", "DHO", Health.RED, "leverandør forsinket",
     Language.NB),
    ("Status DHO: Gronn, alt i rute", "DHO", Health.GREEN, "alt i rute", Language.NB),
    ("status RP-003 – gul – venter på avklaring", "RP-003", Health.YELLOW,
     "venter på avklaring", Language.NB),
    ("status update for RP-003: Amber, waiting on the vendor", "RP-003", Health.YELLOW,
     "waiting on the vendor", Language.EN),
    ("Status update EPJ-modernisering: RED: go-live postponed", "EPJ-modernisering",
     Health.RED, "go-live postponed", Language.EN),
    ("statusoppdatering for digital patologi: grønt skannerne er levert", "digital patologi",
     Health.GREEN, "skannerne er levert", Language.NB),
    ("oppdater status for Windows 10: gul - 80 % utrullet", "Windows 10", Health.YELLOW,
     "80 % utrullet", Language.NB),
    ("status skyplattform: Yellow - capacity review", "skyplattform", Health.YELLOW,
     "capacity review", Language.EN),
    ("  status   DHO :  rod  -   trimmed  ", "DHO", Health.RED, "trimmed", Language.NB),
    ("status DHO – grønn: kolon i oppsummeringen: ok", "DHO", Health.GREEN,
     "kolon i oppsummeringen: ok", Language.NB),
])
def test_parses_the_one_message_form(message: str, mention: str, health: Health, summary: str,
                                     language: Language) -> None:
    assert parse_status_update(message) == StatusUpdateDraft(mention, health, summary, language)


@pytest.mark.parametrize("summary", [
    "**Blokkert** av `leverandør`; se <https://example.org|saken> & _detaljer_",
    "'; DROP TABLE status_report; -- ok",
    "linje 1\nlinje 2\n- punkt: rød",
    "100 % – ferdig? ja!",
])
def test_summary_is_kept_verbatim(summary: str) -> None:
    draft = parse_status_update(f"status DHO: rød - {summary}")
    assert draft is not None
    assert draft.summary == summary
    assert draft.health is Health.RED


@pytest.mark.parametrize("message", [
    "status trådløst nett",
    "status trådløst nett?",
    "hva er status på DHO?",
    "What is the status of DHO?",
    "status for DHO",
    "status DHO grønn alt ok",           # no separator structure
    "status DHO: går bra",               # no health word after the project
    "status DHO: grønnsaker er levert",  # a word that starts like one is not one
    "status DHO: green/ok",
    "status: grønn - alt ok",            # no project before the health word
    "statusen for DHO: grønn - ok",      # not the keyword
    "Hvilke prosjekter er røde?",
    "status DHO-rød - ok",               # a dash in a word is no separator
    "",
    "status",
])
def test_questions_and_other_text_are_not_updates(message: str) -> None:
    assert parse_status_update(message) is None


def test_health_word_alone_gives_an_empty_summary() -> None:
    draft = parse_status_update("status DHO: grønn")
    assert draft == StatusUpdateDraft("DHO", Health.GREEN, "", Language.NB)
    assert validate_draft(draft) == ["summary_empty"]


def test_validation_codes() -> None:
    ok = StatusUpdateDraft("DHO", Health.GREEN, "alt bra", Language.NB)
    assert validate_draft(ok) == []
    assert validate_draft(StatusUpdateDraft("DHO", None, "x", Language.NB)) == ["health_missing"]
    assert validate_draft(StatusUpdateDraft("DHO", None, "   ", Language.EN)) == [
        "health_missing", "summary_empty"]
    assert validate_draft(StatusUpdateDraft("DHO", Health.RED, "x" * MAX_SUMMARY,
                                            Language.EN)) == []
    assert validate_draft(StatusUpdateDraft("DHO", Health.RED, "x" * (MAX_SUMMARY + 1),
                                            Language.EN)) == ["summary_too_long"]
    padded = "  " + "x" * MAX_SUMMARY + "\n"
    assert validate_draft(StatusUpdateDraft("DHO", Health.RED, padded, Language.EN)) == []


def test_long_summary_parses_and_fails_validation() -> None:
    draft = parse_status_update("status DHO: gul - " + "å" * (MAX_SUMMARY + 1))
    assert draft is not None
    assert validate_draft(draft) == ["summary_too_long"]


# ----------------------------------------------------------------- resolving the project
@pytest.mark.parametrize(("mention", "project_id"), [
    ("Trådløst nett fase II", WIRELESS_2), ("wireless phase 2", WIRELESS_2),
    ("trådløst nett fase I", WIRELESS_1), ("DHO", DHO), ("RP-003", DHO),
    ("telekom platform", 15),
])
def test_resolve_project_single(demo_answerer: Answerer, mention: str, project_id: int) -> None:
    resolution = demo_answerer.resolve_project(mention)
    assert resolution.found and not resolution.ambiguous
    assert resolution.project_id == project_id
    assert resolution.candidates == ()


def test_resolve_project_ambiguous(demo_answerer: Answerer) -> None:
    resolution = demo_answerer.resolve_project("trådløst nett")
    assert not resolution.found and resolution.ambiguous
    assert {c.id for c in resolution.candidates} == {WIRELESS_1, WIRELESS_2}
    assert all(c.kind is EntityKind.PROJECT for c in resolution.candidates)


def test_resolve_project_unknown(demo_answerer: Answerer) -> None:
    resolution = demo_answerer.resolve_project("robotkirurgi")
    assert not resolution.found and not resolution.ambiguous
    assert resolution.mention == "robotkirurgi"
    near = demo_answerer.resolve_project("Tjenestemigrasjon")
    assert near.project_id is None or near.project_id == 16
    if near.project_id is None:
        assert all(c.kind is EntityKind.PROJECT for c in near.suggestions)
    person = demo_answerer.resolve_project("Ola Hansen")   # a person is not a project
    assert person.project_id is None and person.candidates == ()


def test_resolve_project_without_a_snapshot() -> None:
    resolution = Answerer(lambda: None).resolve_project("DHO")
    assert not resolution.found and not resolution.ambiguous and resolution.suggestions == ()


# ----------------------------------------------------------------- writing (both databases)
async def _chat_rows(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(
                "SELECT id, project_id, reported_at, author_id, health, summary, source "
                "FROM status_report WHERE source = 'chat' ORDER BY id"))
            return [tuple(row) for row in result]
    finally:
        await engine.dispose()


async def test_write_inserts_a_chat_row_seen_by_a_fresh_syncer(demo_url: str) -> None:
    engine = create_engine(demo_url)
    summary = "**Blokkert**; '; DROP TABLE status_report; --"
    oslo = timezone(timedelta(hours=1))
    try:
        report = await StatusWriter().write(
            engine, DHO, 2, Health.RED, f"  {summary}\n",
            datetime(2026, 11, 26, 13, 30, 15, 123456, tzinfo=oslo))
    finally:
        await engine.dispose()
    assert report.id == 14   # the demo has reports 1..13
    assert report.source == "chat"
    assert report.reported_at == datetime(2026, 11, 26, 12, 30, 15, tzinfo=UTC)
    assert (report.project_id, report.author_id, report.health, report.summary) == (
        DHO, 2, Health.RED, summary)
    rows = await _chat_rows(demo_url)
    assert len(rows) == 1
    assert rows[0][0] == 14 and rows[0][4:] == ("red", summary, "chat")
    if is_sqlite(demo_url):
        assert rows[0][2] == "2026-11-26T12:30:15Z"
    else:
        assert rows[0][2] == datetime(2026, 11, 26, 12, 30, 15)
    syncer = Syncer(demo_url)
    try:
        result = await syncer.sync()
    finally:
        await syncer.close()
    assert result.skipped == []
    assert result.snapshot.latest_report(DHO) == report


async def test_write_refuses_bad_values_and_unknown_projects(demo_url: str) -> None:
    engine = create_engine(demo_url)
    writer = StatusWriter()
    try:
        with pytest.raises(ValueError, match="summary_empty"):
            await writer.write(engine, DHO, 2, Health.GREEN, "   ", TODAY)
        with pytest.raises(ValueError, match="summary_too_long"):
            await writer.write(engine, DHO, 2, Health.GREEN, "x" * (MAX_SUMMARY + 1), TODAY)
        with pytest.raises(ValueError, match="timezone-aware"):
            await writer.write(engine, DHO, 2, Health.GREEN, "ok", datetime(2026, 11, 26))
        with pytest.raises(StatusWriteError):
            await writer.write(engine, 9999, 2, Health.GREEN, "ok", TODAY)
    finally:
        await engine.dispose()
    assert await _chat_rows(demo_url) == []


async def test_concurrent_writes_get_distinct_ids(demo_url: str) -> None:
    engines = [create_engine(demo_url) for _ in range(6)]
    writer = StatusWriter()
    try:
        reports = await asyncio.gather(*(
            writer.write(engine, DHO, 2, Health.GREEN, f"skriver {n}", TODAY)
            for n, engine in enumerate(engines)))
    finally:
        for engine in engines:
            await engine.dispose()
    ids = [report.id for report in reports]
    assert len(set(ids)) == len(ids) == 6
    assert sorted(ids) == list(range(14, 20))
    assert sorted(int(str(row[0])) for row in await _chat_rows(demo_url)) == sorted(ids)


@pytest.mark.postgres
async def test_postgres_retries_when_someone_else_takes_the_id(demo_url: str) -> None:
    """A writer that does not take the advisory lock holds MAX+1: the bot retries past it."""
    if is_sqlite(demo_url):
        pytest.skip("ids come from SQLite's rowid")
    other = create_engine(demo_url)
    engine = create_engine(demo_url)
    try:
        async with other.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text(
                "INSERT INTO status_report (id, project_id, reported_at, health, summary, source) "
                "VALUES (14, 3, '2026-11-26 10:00:00', 'green', 'kontoret', 'portfolio')"))
            task = asyncio.create_task(
                StatusWriter().write(engine, DHO, 2, Health.YELLOW, "fra chat", TODAY))
            await asyncio.sleep(0.3)   # the bot's insert of id 14 now waits on ours
            await transaction.commit()
        report = await task
    finally:
        await other.dispose()
        await engine.dispose()
    assert report.id == 15
    assert [row[0] for row in await _chat_rows(demo_url)] == [15]


async def test_withdraw_removes_only_chat_reports(demo_url: str) -> None:
    engine = create_engine(demo_url)
    writer = StatusWriter()
    try:
        report = await writer.write(engine, DHO, 2, Health.GREEN, "angre meg", TODAY)
        office = replace(report, id=1)   # the portfolio office's report has id 1
        assert await writer.withdraw(engine, office) is False
        assert await writer.withdraw(engine, replace(report, summary="noe annet")) is False
        assert await writer.withdraw(engine, report) is True
        assert await writer.withdraw(engine, report) is False
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT COUNT(*) FROM status_report"))
    finally:
        await engine.dispose()
    assert count == 13
    assert await _chat_rows(demo_url) == []


# ----------------------------------------------------------------- the snapshot at once
async def test_apply_report_answers_at_once_and_sync_stays_consistent(
        demo_syncer: Syncer) -> None:
    answerer = Answerer(lambda: demo_syncer.snapshot, clock=lambda: TODAY)
    before = demo_syncer.snapshot
    assert before is not None
    old_latest = before.latest_report(WIRELESS_2)
    report = await StatusWriter().write(
        demo_syncer.engine, WIRELESS_2, 2, Health.RED, "akuttmottakene mangler dekning", TODAY)

    events = await demo_syncer.apply_report(report)

    after = demo_syncer.snapshot
    assert after is not None and after is not before
    assert after.names is before.names and after.faq_index is before.faq_index
    assert after.persons is before.persons   # untouched tables' look-ups are taken over
    assert before.latest_report(WIRELESS_2) == old_latest   # the old snapshot is unchanged
    assert [(e.kind, e.report_id) for e in events if e.kind is EventKind.STATUS_REPORTED] == [
        (EventKind.STATUS_REPORTED, report.id)]
    answer = answerer.answer("status trådløst nett fase 2")
    assert isinstance(answer, ProjectStatus)
    assert answer.report is not None
    assert (answer.report.summary, answer.report.health, answer.report.source) == (
        "akuttmottakene mangler dekning", Health.RED, "chat")
    assert after.project_list(health=[Health.RED])   # the listing follows too
    assert WIRELESS_2 in {item.project.id for item in after.project_list(health=[Health.RED])}

    again = await demo_syncer.apply_report(report)   # idempotent: replaced, not doubled
    assert again == []
    assert demo_syncer.snapshot is not None
    assert [r.id for r in demo_syncer.snapshot.reports[WIRELESS_2]].count(report.id) == 1

    result = await demo_syncer.sync()   # the database agrees: no new events for it
    assert result.changed is True
    assert result.snapshot.latest_report(WIRELESS_2) == report
    assert [e for e in result.events if e.report_id == report.id] == []
    assert (await demo_syncer.sync()).changed is False


async def test_forget_report_after_withdraw(demo_syncer: Syncer) -> None:
    answerer = Answerer(lambda: demo_syncer.snapshot, clock=lambda: TODAY)
    epj = 1   # has reports 1 and 2 from the portfolio office
    before = demo_syncer.snapshot
    assert before is not None
    old_latest = before.latest_report(epj)
    assert old_latest is not None
    writer = StatusWriter()
    report = await writer.write(demo_syncer.engine, epj, 2, Health.RED, "feil prosjekt", TODAY)
    await demo_syncer.apply_report(report)
    assert await writer.withdraw(demo_syncer.engine, report) is True
    assert await demo_syncer.forget_report(report.id) is True
    assert await demo_syncer.forget_report(report.id) is False
    now = demo_syncer.snapshot
    assert now is not None and now.latest_report(epj) == old_latest
    answer = answerer.answer("status EPJ-modernisering")
    assert isinstance(answer, ProjectStatus)
    assert answer.report is not None
    assert (answer.report.summary, answer.report.source) == (old_latest.summary, "portfolio")
    result = await demo_syncer.sync()
    assert result.snapshot.latest_report(epj) == old_latest
    assert result.events == []


async def test_apply_report_before_the_first_sync_does_nothing(demo_url: str) -> None:
    syncer = Syncer(demo_url)
    try:
        report = await StatusWriter().write(syncer.engine, DHO, 2, Health.GREEN, "ok", TODAY)
        assert await syncer.apply_report(report) == []
        assert syncer.snapshot is None
        assert await syncer.forget_report(report.id) is False
        result = await syncer.sync()
        assert result.snapshot.latest_report(DHO) == report
    finally:
        await syncer.close()


@pytest.mark.parametrize(("text", "health"), [
    ("status DHO: raud – forsinka leveranse", Health.RED),
    ("status DHO: grøn - alt i rute", Health.GREEN),
    ("status DHO: Raude: venter på leverandør", Health.RED),
])
def test_nynorsk_health_words_post_as_written(text: str, health: Health) -> None:
    draft = parse_status_update(text)
    assert draft is not None and draft.health is health and draft.project_mention == "DHO"
    assert draft.summary in text
