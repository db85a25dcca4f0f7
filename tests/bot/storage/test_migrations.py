"""The bot database's migrations on SQLite and PostgreSQL: a fresh database migrates to exactly
the schema `bot.storage.schema.metadata` describes, a database made by the old `create_all` is
adopted, concurrent upgrades are serialized, and `portfoliobot migrate` works as a command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from bot.storage.bot_database import open_bot_database
from bot.storage.migrations import (
    BASELINE_TABLES,
    VERSION_TABLE,
    MigrationError,
    alembic_config,
    current_revision,
    differences,
    head_revision,
    upgrade_sql,
    upgrade_to_head,
)
from bot.storage.schema import metadata, processed_activity, unanswered_question
from knowledge.portfolio.database import create_engine
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.conftest import _create_postgres_database, _drop_postgres_database

SCRIPT = Path(sys.executable).with_name("portfoliobot")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _differences(connection: Connection) -> list[Any]:
    return differences(connection, metadata)


async def _state(url: str) -> tuple[str | None, list[Any], set[str]]:
    """The database's revision, its differences from the metadata, and its table names."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            revision = await connection.run_sync(current_revision)
            found = await connection.run_sync(_differences)
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    return revision, found, tables


async def test_a_fresh_database_migrates_to_exactly_the_metadata(database_url: str) -> None:
    database = await open_bot_database(database_url)
    await database.close()
    revision, found, tables = await _state(database_url)
    assert revision == head_revision()
    assert found == []
    assert tables == set(metadata.tables) | {VERSION_TABLE}


async def test_the_comparison_does_see_a_difference(database_url: str) -> None:
    # The check above means something only if a real difference shows up.
    database = await open_bot_database(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP INDEX ix_outbox_status_next_attempt"))
    finally:
        await database.close()
    _, found, _ = await _state(database_url)
    assert [difference[0] for difference in found] == ["add_index"]


async def test_other_tables_in_the_same_database_are_left_alone(database_url: str) -> None:
    await load_portfolio(database_url, demo_portfolio())   # the customer's tables
    database = await open_bot_database(database_url)
    await database.close()
    revision, found, tables = await _state(database_url)
    assert revision == head_revision() and found == []
    assert {"project", "person", "status_report"} <= tables


async def test_a_database_made_by_create_all_is_adopted(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)    # how the bot made it before
            await connection.execute(processed_activity.insert().values(key="kept",
                                                                         created_at=NOW))
    finally:
        await engine.dispose()
    upgrades = create_engine(database_url)
    try:
        upgrade = await upgrade_to_head(upgrades)
    finally:
        await upgrades.dispose()
    assert upgrade.adopted and upgrade.before is None and upgrade.after == head_revision()
    revision, found, _ = await _state(database_url)
    assert revision == head_revision() and found == []
    database = await open_bot_database(database_url)
    try:
        assert not await database.claim_once("kept"), "the data made before is still there"
    finally:
        await database.close()


async def test_an_older_release_database_gets_its_missing_tables(database_url: str) -> None:
    # Made by a release before unanswered questions were kept: that table is missing.
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: metadata.create_all(c, tables=[
                table for table in metadata.sorted_tables if table is not unanswered_question]))
        upgrade = await upgrade_to_head(engine)
        assert upgrade.adopted
        async with engine.connect() as connection:
            assert (await connection.execute(select(unanswered_question))).all() == []
    finally:
        await engine.dispose()
    assert (await _state(database_url))[1] == []


async def test_upgrading_again_changes_nothing(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        first = await upgrade_to_head(engine)
        again = await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    assert (first.before, first.changed, first.adopted) == (None, True, False)
    assert (again.before, again.after, again.changed) == (head_revision(), head_revision(), False)


async def test_concurrent_upgrades_run_one_at_a_time(database_url: str) -> None:
    # Separate engines, as separate replicas starting at once would have.
    engines = [create_engine(database_url) for _ in range(4)]
    try:
        upgrades = await asyncio.gather(*(upgrade_to_head(engine) for engine in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(upgrade.changed for upgrade in upgrades) == [False, False, False, True]
    assert (await _state(database_url))[1] == []


async def test_a_revision_from_a_newer_release_is_refused(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            await connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
        with pytest.raises(MigrationError, match="revision 9999"):
            await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def test_revision_0001_creates_the_baseline_tables() -> None:
    script = ScriptDirectory.from_config(alembic_config()).get_revision("0001")
    assert script is not None and script.down_revision is None
    assert set(script.module.TABLES) == BASELINE_TABLES


@pytest.mark.postgres
async def test_the_offline_sql_makes_the_same_schema(tmp_path: Path) -> None:
    name = await _create_postgres_database()
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        sql = tmp_path / "upgrade.sql"
        with sql.open("w", encoding="utf-8") as out:
            upgrade_sql(url, out)
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(sql.read_text("utf-8"))
        finally:
            await connection.close()
        revision, found, _ = await _state(url)
        assert revision == head_revision() and found == []
    finally:
        await _drop_postgres_database(name)


# `portfoliobot migrate`, run as an operator runs it.

@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


async def migrate(bot_url: str, *args: str, cwd: Path) -> Run:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PORTFOLIO", "BOT_", "Microsoft"))}
    env.update(BOT_DATABASE_URL=bot_url, PORTFOLIOBOT_DATA_DIR=str(cwd / "data"),
               PYTHONIOENCODING="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT), "migrate", *args, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    name = await _create_postgres_database()
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        await _drop_postgres_database(name)


async def test_migrate_prints_the_head_revision_and_is_idempotent(database_url: str,
                                                                  tmp_path: Path) -> None:
    head = head_revision()
    first = await migrate(database_url, cwd=tmp_path)
    assert first.code == 0 and first.err == "", first
    assert first.out.startswith("bot database ")
    assert f"upgraded from an empty database to revision {head} (head)" in first.out
    again = await migrate(database_url, cwd=tmp_path)
    assert again.code == 0, again
    assert f"already at revision {head} (head), nothing to do" in again.out
    assert (await _state(database_url))[:2] == (head, [])


async def test_migrate_adopts_a_create_all_database(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
    finally:
        await engine.dispose()
    run = await migrate(database_url, cwd=tmp_path)
    assert run.code == 0, run
    assert f"made before migrations, adopted; now at revision {head_revision()}" in run.out


@pytest.mark.postgres
async def test_two_migrate_commands_at_once_on_postgresql(postgres_url: str,
                                                          tmp_path: Path) -> None:
    runs = await asyncio.gather(migrate(postgres_url, cwd=tmp_path),
                                migrate(postgres_url, cwd=tmp_path))
    assert [run.code for run in runs] == [0, 0], runs
    assert sorted("upgraded from an empty database" in run.out for run in runs) == [False, True]
    assert (await _state(postgres_url))[:2] == (head_revision(), [])


async def test_migrate_sql_prints_the_schema_without_connecting(tmp_path: Path) -> None:
    # Nothing listens on port 1: the SQL is written without a connection.
    run = await migrate("postgresql://postgres:s3cret@127.0.0.1:1/bot", "--sql", cwd=tmp_path)
    assert run.code == 0, run
    assert "CREATE TABLE outbox" in run.out and "TIMESTAMP WITH TIME ZONE" in run.out
    # It ends stamping the head revision (an INSERT for one revision, else an UPDATE).
    assert f"version_num='{head_revision()}'" in run.out
    assert "CREATE TABLE conversation_memory" in run.out
    assert "s3cret" not in run.out


async def test_migrate_refuses_a_newer_schema_in_one_line(database_url: str,
                                                          tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            await connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    finally:
        await engine.dispose()
    run = await migrate(database_url, cwd=tmp_path)
    assert run.code == 2 and run.out == ""
    assert run.err.splitlines() == [
        "portfoliobot: the bot database is at schema revision 9999, which this release does "
        "not know (a newer release migrated it)"]
