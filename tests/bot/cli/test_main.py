"""The real `portfoliobot` console script, run as a user runs it: demo-db, sync and ask."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio

SCRIPT = Path(sys.executable).with_name("portfoliobot")
CLOSED_PORT_URL = "postgresql://postgres:s3cret@127.0.0.1:1/portfolio"
DEMO_COUNTS = ("14 organization, 20 person, 2 programme, 18 project, 18 project_transfer, "
               "8 project_member, 13 status_report, 8 faq")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def _environment(data_dir: Path, url: str | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PORTFOLIO", "BOT_", "Microsoft"))
           and name not in ("HOST", "PORT", "SYNC_INTERVAL_SECONDS")}
    env["PORTFOLIOBOT_DATA_DIR"] = str(data_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    if url is not None:
        env["PORTFOLIO_DATABASE_URL"] = url
    return env


async def portfoliobot(*args: str, data_dir: Path, url: str | None = None,
                       stdin: str | None = None) -> Run:
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT), *args, cwd=data_dir.parent, env=_environment(data_dir, url),
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        process.communicate(stdin.encode() if stdin is not None else None), 60
    )
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


def _assert_one_clear_line(run: Run, *fragments: str) -> None:
    assert run.code == 2, run
    assert run.out == ""
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("portfoliobot: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "s3cret" not in run.err


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def demo_data_dir(data_dir: Path) -> Path:
    """A data folder whose default portfolio (data/portfolio.db) holds the demo data."""
    await load_portfolio(f"sqlite:///{data_dir / 'portfolio.db'}", demo_portfolio())
    return data_dir


def test_the_console_script_is_installed() -> None:
    assert SCRIPT.is_file()


async def test_demo_db_defaults_to_the_data_folder_and_refuses_twice(data_dir: Path) -> None:
    first = await portfoliobot("demo-db", data_dir=data_dir)
    database = data_dir / "portfolio.db"
    assert first.code == 0, first
    assert first.out == f"loaded demo portfolio into sqlite:///{database}: {DEMO_COUNTS}\n"
    assert database.is_file()

    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE project SET name = 'Endret' WHERE id = 1")
    again = await portfoliobot("demo-db", data_dir=data_dir)
    _assert_one_clear_line(again, "already has portfolio tables", "--force", str(database))
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM project WHERE id = 1").fetchone() == ("Endret",)

    forced = await portfoliobot("demo-db", "--force", data_dir=data_dir)
    assert forced.code == 0, forced
    assert DEMO_COUNTS in forced.out
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM project WHERE id = 1").fetchone() == (
            "Regional EPJ-modernisering",
        )


async def test_demo_db_and_sync_follow_portfolio_database_url(
    database_url: str, data_dir: Path,
) -> None:
    loaded = await portfoliobot("demo-db", data_dir=data_dir, url=database_url)
    assert loaded.code == 0, loaded
    assert loaded.out.endswith(f": {DEMO_COUNTS}\n")
    assert not (data_dir / "portfolio.db").exists()
    synced = await portfoliobot("sync", data_dir=data_dir, url=database_url)
    assert synced.code == 0, synced
    assert synced.err == ""
    assert synced.out.splitlines()[0].endswith(DEMO_COUNTS)
    assert synced.out.splitlines()[1:] == ["0 change(s) since the last sync"]


async def test_sync_prints_counts_then_the_changes(demo_data_dir: Path) -> None:
    database = demo_data_dir / "portfolio.db"
    first = await portfoliobot("sync", data_dir=demo_data_dir)
    assert first.code == 0, first
    lines = first.out.splitlines()
    assert lines[0].startswith(f"synced sqlite:///{database} in ")
    assert lines[0].endswith(f" s: {DEMO_COUNTS}")
    assert lines[1:] == ["0 change(s) since the last sync"]
    assert (demo_data_dir / "last-sync.json").is_file()

    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE project SET phase = 'execution' WHERE id = 5")
        connection.execute("UPDATE project SET manager_id = 1 WHERE id = 2")
        connection.execute("UPDATE project_transfer SET status = 'transferred' WHERE project_id = 7")
        connection.execute("INSERT INTO status_report VALUES "
                           "(30, 13, '2026-11-20T09:00:00Z', 17, 'red', 'Forsinket', 'portfolio')")
        connection.execute("DELETE FROM project_member WHERE project_id = 17")
        connection.execute("DELETE FROM status_report WHERE project_id = 17")
        connection.execute("DELETE FROM project_transfer WHERE project_id = 17")
        connection.execute("DELETE FROM project WHERE id = 17")
        connection.execute("UPDATE project SET name = ' ' WHERE id = 6")
    second = await portfoliobot("sync", data_dir=demo_data_dir)
    assert second.code == 0, second
    assert second.err == ""
    lines = second.out.splitlines()
    assert "17 project" in lines[0]
    assert "13 status_report" in lines[0]
    assert lines[1:] == [
        "skipped project id=6: empty name",
        "skipped project_transfer project_id=6: project_id 6 refers to no usable row",
        "7 change(s) since the last sync",
        "- manager_changed: RP-002 Digital patologi 3 → 1",
        "- phase_changed: RP-005 Regional radiologi 2.0 planning → execution",
        "- transfer_status_changed: RP-007 Regional løsning for helselogistikk "
        "in_progress → transferred",
        "- status_reported: ST-003 Felles plattform på allmenn og privat sky red",
        "- health_changed: ST-003 Felles plattform på allmenn og privat sky yellow → red",
        "- project_removed: RP-006 Strategi og standard for bruk av multimedia paused → –",
        "- project_removed: ST-007 Trådløst nett fase II execution → –",
    ]

    third = await portfoliobot("sync", data_dir=demo_data_dir)
    assert third.code == 0, third
    assert third.out.splitlines()[-1] == "0 change(s) since the last sync"


async def test_sync_ignores_an_unreadable_state_file(demo_data_dir: Path) -> None:
    state = demo_data_dir / "last-sync.json"
    state.write_text("[]", "utf-8")  # JSON, but not rows
    run = await portfoliobot("sync", data_dir=demo_data_dir)
    assert run.code == 0, run
    assert run.err.startswith(f"ignoring unreadable {state}: ")
    assert len(run.err.splitlines()) == 1
    assert run.out.splitlines()[-1] == "0 change(s) since the last sync"
    assert json.loads(state.read_text("utf-8"))["project"][0]["code"] == "RP-001"


async def test_ask_one_question_and_lines_from_stdin(demo_data_dir: Path) -> None:
    question, lines = await asyncio.gather(
        portfoliobot("ask", "Hvem er prosjektleder for trådløst nett fase 2?",
                     data_dir=demo_data_dir),
        portfoliobot("ask", data_dir=demo_data_dir,
                     stdin="hvem eier epj\n\nwho leads the cloud platform?\n"),
    )
    assert question.code == 0, question
    assert "Magnus Eriksen" in question.out
    assert "ST-007" in question.out
    assert question.err == ""

    assert lines.code == 0, lines
    assert lines.err == ""
    answers = [block for block in lines.out.split("\n\n") if block.strip()]
    assert len(answers) == 2
    assert "Hilde Johansen" in answers[0]
    assert "RP-001" in answers[0]
    assert "project manager" in answers[1]
    assert "Magnus Eriksen" in answers[1]


async def test_unreachable_database_is_one_line_and_exit_2(demo_data_dir: Path) -> None:
    # A saved state with a bad row in it: its warnings must not leak onto stderr either.
    with sqlite3.connect(demo_data_dir / "portfolio.db") as connection:
        connection.execute("UPDATE project SET name = '' WHERE id = 6")
    assert (await portfoliobot("sync", data_dir=demo_data_dir)).code == 0
    run = await portfoliobot("sync", data_dir=demo_data_dir, url=CLOSED_PORT_URL)
    _assert_one_clear_line(run, "portfolio database unreachable", "127.0.0.1")


async def test_other_failures_are_one_line_and_exit_2(demo_data_dir: Path, tmp_path: Path,
                                                       ) -> None:
    with sqlite3.connect(demo_data_dir / "portfolio.db") as connection:
        connection.execute("DROP TABLE faq")
    empty = tmp_path / "empty"
    missing_table, demo_db_unreachable, unopenable, bad_port = await asyncio.gather(
        portfoliobot("sync", data_dir=demo_data_dir),
        portfoliobot("demo-db", CLOSED_PORT_URL, data_dir=empty),
        portfoliobot("ask", "status DHO", data_dir=empty,
                     url=f"sqlite:///{demo_data_dir / 'portfolio.db' / 'portfolio.db'}"),
        portfoliobot("sync", data_dir=empty,
                     url="postgresql://reader:s3cret@db.example:notaport/portfolio"),
    )
    _assert_one_clear_line(missing_table, "portfolio table 'faq' is missing")
    _assert_one_clear_line(demo_db_unreachable,
                           "cannot load postgresql://postgres:***@127.0.0.1:1/portfolio")
    _assert_one_clear_line(unopenable, "unreachable: unable to open database file")
    _assert_one_clear_line(bad_port, "PORTFOLIO_DATABASE_URL", "not a database URL")
