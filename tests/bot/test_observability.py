"""Metrics and unanswered questions end to end: real HTTP into `create_app` on the demo
portfolio (SQLite and PostgreSQL), `GET /metrics`, the `unanswered_question` table, the purge,
and the real `portfoliobot unanswered` console script."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.observability.unanswered_store import MAX_TEXT_CHARACTERS, UnansweredStore
from bot.storage.bot_database import open_bot_database
from bot.storage.schema import unanswered_question
from tests.bot.cli.test_cli_outbox import run
from tests.bot.conftest import post, running_bot, settings_for
from tests.bot.observability.exposition import FAMILIES, scrape

UNKNOWN = "hvem eier marsferd?"


async def test_metrics_and_unanswered_question_after_a_conversation(
        demo_url: str, tmp_path: Path, connector: LocalConnector,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portfoliobot.turn")
    scene = TeamsScene(service_url=connector.url, scope="personal")
    async with running_bot(settings_for(demo_url, tmp_path)) as url:
        for text in ("Hvem eier Regional EPJ-modernisering?", UNKNOWN):
            seen = len(connector.activities)
            status, _ = await post(url, scene.message(text))
            assert status in (200, 201)
            await connector.wait_for(lambda a: a.type == "message", since=seen)
        content_type, parsed = await scrape(url.removesuffix("/api/messages"))

    assert content_type.startswith("text/plain; version=0.0.4")
    assert {name: (parsed.types[name], parsed.helps[name]) for name in parsed.types} == {
        name: (kind, help_text) for name, (kind, help_text, _) in FAMILIES.items()}

    assert parsed.get("portfoliobot_turns_total", type="message", outcome="ok") == 2
    assert parsed.get("portfoliobot_turn_seconds_count") == 2
    assert parsed.get("portfoliobot_turn_seconds_bucket", le="+Inf") == 2
    assert parsed.get("portfoliobot_answers_total", intent="ProjectPeople") == 1
    assert parsed.get("portfoliobot_answers_total", intent="NotFound") == 1
    assert parsed.get("portfoliobot_unanswered_total") == 1
    assert parsed.get("portfoliobot_snapshot_age_seconds") >= 0
    assert parsed.get("portfoliobot_sync_seconds") > 0
    depth = {dict(labels)["status"]: value
             for labels, value in parsed.named("portfoliobot_outbox_depth").items()}
    assert set(depth) == {"queued", "sending", "delivered", "dead", "withdrawn", "failed"}
    assert parsed.get("portfoliobot_notifications_delivered_total") == 0
    assert parsed.get("portfoliobot_notifications_dead_total") == 0

    turn_lines = [r.getMessage() for r in caplog.records if r.name == "portfoliobot.turn"
                  and r.getMessage().startswith("turn ")]
    assert len(turn_lines) == 2
    assert not any("marsferd" in line or "EPJ" in line for line in turn_lines)

    database = await open_bot_database(demo_url)
    try:
        async with database.engine.connect() as connection:
            rows = (await connection.execute(select(unanswered_question))).mappings().all()
    finally:
        await database.close()
    assert {column.name for column in unanswered_question.columns} == {
        "id", "text", "language", "asked_at"}, "nothing about who asked or where"
    [row] = rows
    assert (row["text"], row["language"]) == (UNKNOWN, "nb")
    assert abs(row["asked_at"] - datetime.now(UTC)) < timedelta(minutes=5)
    stored = " ".join(str(value) for value in row.values())
    for identifying in (scene.aad_object_id, scene.user_account_id):
        assert identifying not in stored

    code, out, err = await run("unanswered", "--days", "90", "--top", "20",
                               bot_url=demo_url, data_dir=tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["most frequent unanswered questions in the last 90 days:",
                                f"     1  [nb] {UNKNOWN}"]


async def test_store_groups_by_folded_text_caps_and_purges(database_url: str,
                                                          tmp_path: Path) -> None:
    now = [datetime.now(UTC)]   # the CLI below reads with the real clock
    database = await open_bot_database(database_url, clock=lambda: now[0])
    try:
        store = UnansweredStore(database)
        now[0] -= timedelta(days=120)
        assert await store.record("Hvem eier Marsferd?", "nb")          # old: purged below
        now[0] += timedelta(days=100)                                   # 20 days ago
        assert await store.record("Hvem eier Marsferd?", "nb")
        now[0] += timedelta(days=10)
        assert await store.record("hvem   eier  MARSFERD?", "nb")
        assert await store.record("Who owns Mars travel?", "en")
        assert await store.record("x" * 2000, "en")
        assert not await store.record("   ", "nb")
        now[0] += timedelta(days=10)

        top = await store.frequent(days=90, top=20)
        assert [(q.text, q.count) for q in top] == [
            ("Hvem eier Marsferd?", 2), ("Who owns Mars travel?", 1),
            ("x" * MAX_TEXT_CHARACTERS, 1)]
        assert [q.count for q in await store.frequent(days=365, top=1)] == [3]
        assert [q.text for q in await store.frequent(days=15)] == [
            "hvem   eier  MARSFERD?", "Who owns Mars travel?", "x" * MAX_TEXT_CHARACTERS]

        assert await store.purge_unanswered() == 1
        assert await store.purge_unanswered() == 0
        assert await store.purge_unanswered(older_than_days=15) == 1
        assert sum(q.count for q in await store.frequent(days=365)) == 3
    finally:
        await database.close()

    code, out, err = await run("unanswered", "--top", "1", bot_url=database_url,
                               data_dir=tmp_path)
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 2
