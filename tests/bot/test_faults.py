"""Faults the bot survives, quickly: databases that go away and come back, a connector that
hangs, fails or is down. Through real HTTP, on SQLite and PostgreSQL where a database is
involved. (Killing the process is `bench/kill_bench.py` and `tests/bot/test_kill.py`.)

A database "goes away" as it does in production: PostgreSQL stops taking connections
(`ALLOW_CONNECTIONS false`) and the open ones are terminated; a SQLite file becomes
unreadable (its bytes overwritten in place, so open connections fail too). It "comes back"
when connections are allowed again or the original bytes are restored, with the bot still
running: recovery needs no restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import ClientSession

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import post, running_bot, settings_for
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports
from tests.bot.observability.exposition import scrape
from tests.conftest import POSTGRES_ADMIN_DSN
from tests.helpers import fetch, is_sqlite

QUESTION = "Hvem eier Regional EPJ-modernisering?"
STALE_NB = "Jeg får ikke lest porteføljedatabasen akkurat nå"
STALE_EN = "I cannot read the portfolio database right now"
DATABASE_DOWN_NB = "får ikke kontakt med databasen"
DATABASE_DOWN_EN = "cannot reach the database"
TEAMS_WINDOW_SECONDS = 15.0
TOKEN = "fault-test-notify-token"


def overwrite(path: Path, content: bytes) -> None:
    """Replace the file's bytes in place: connections that have it open see the change."""
    with path.open("r+b") as file:
        file.write(content)
        file.truncate(len(content))


@contextlib.asynccontextmanager
async def outage(url: str) -> AsyncIterator[None]:
    """The database at `url` is unreachable inside the block and back after it."""
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite:///"))
        original = await asyncio.to_thread(path.read_bytes)
        await asyncio.to_thread(overwrite, path, b"\0" * len(original))
        try:
            yield
        finally:
            await asyncio.to_thread(overwrite, path, original)
        return
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
        try:
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    finally:
        await admin.close()


async def probe(url: str, path: str) -> tuple[int, dict[str, Any]]:
    async with ClientSession() as client, client.get(
            url.replace("/api/messages", path)) as response:
        return response.status, await response.json()


async def until(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    """Poll `check` every 0.1 s until it holds; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        await asyncio.sleep(0.1)


async def sync_failing(url: str) -> bool:
    """What `/metrics` says of the last sync (`/readyz` no longer tells the public why)."""
    _, page = await scrape(url.removesuffix("/api/messages"))
    return page.get("portfoliobot_sync_failing") == 1.0


async def sync_healthy(url: str) -> bool:
    return not await sync_failing(url)


async def exchange(url: str, connector: LocalConnector, body: dict[str, Any],
                   wait: float = 10.0) -> RecordedActivity:
    """POST `body`; the one message the bot replies with."""
    seen = len(connector.activities)
    status, text = await post(url, body)
    assert status in (200, 201), f"HTTP {status}: {text[:200]}"
    [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen, timeout=wait)
    return reply


def sqlite_portfolio(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'demo-portfolio.db'}"


# ----------------------------------------------------------------- the portfolio database
async def test_portfolio_database_goes_away_and_comes_back(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    """Answers go on from the last snapshot and say how old it is; /readyz says the same;
    a status update gets a clear refusal; when the database returns, sync recovers and the
    same status update (resent, as Teams does) is stored once."""
    settings = replace(settings_for(demo_url, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}"),
                       sync_interval_seconds=1.0)
    user = TeamsScene(service_url=connector.url)
    english = TeamsScene(service_url=connector.url, locale="en-US",
                         aad_object_id="3a7c1e9b-0d2f-4b6a-8c5e-1f9a3d7b2c40")
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS)
    update = lead.message("status Trådløst nett fase II: gul – leverandøren er forsinket")
    async with running_bot(settings) as url:
        fresh = await exchange(url, connector, user.message(QUESTION))
        assert "Hilde Johansen" in fresh.shown_text and STALE_NB not in fresh.shown_text
        async with outage(demo_url):
            await until(lambda: sync_failing(url), 15, "a failed sync in /readyz")
            status, ready = await probe(url, "/readyz")
            assert status == 200 and ready == {"ready": True,
                                               "snapshot_age_seconds": ready["snapshot_age_seconds"]}
            assert ready["snapshot_age_seconds"] >= 0
            stale = await exchange(url, connector, user.message(QUESTION))
            assert "Hilde Johansen" in stale.shown_text, "answered from the last snapshot"
            assert STALE_NB in stale.shown_text and "siden" in stale.shown_text
            assert STALE_NB in str(stale.adaptive_cards), "the card says it too"
            stale_en = await exchange(url, connector, english.message("who owns DHO?"))
            assert STALE_EN in stale_en.shown_text and " ago." in stale_en.shown_text
            refused = await exchange(url, connector, update)
            assert DATABASE_DOWN_NB in refused.shown_text, refused.text
            assert (await probe(url, "/healthz"))[0] == 200
        await until(lambda: sync_healthy(url), 15, "a successful sync after the outage")
        status, ready = await probe(url, "/readyz")
        assert status == 200 and ready["snapshot_age_seconds"] < 5
        again = await exchange(url, connector, user.message(QUESTION))
        assert "Hilde Johansen" in again.shown_text and STALE_NB not in again.shown_text
        stored = await exchange(url, connector, update)   # Teams' retry of the same message
        assert "lagret" in stored.shown_text, stored.text
        twice = await exchange(url, connector, update)
        assert "lagret" in twice.shown_text
    reports = await chat_reports(demo_url)
    assert [r["summary"] for r in reports] == ["leverandøren er forsinket"], "stored once"


# ----------------------------------------------------------------- the bot's own database
async def test_bot_database_goes_away_and_comes_back(
        database_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    """Questions are still answered; what needs the bot database (a status update) gets a
    clear message in the user's language; nothing crashes, and once the database is back
    the same update is stored once, without a restart."""
    portfolio = sqlite_portfolio(tmp_path)
    await load_portfolio(portfolio, demo_portfolio())
    settings = replace(settings_for(portfolio, tmp_path, database_url), sync_interval_seconds=1.0)
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, locale="en-US")
    newcomer = TeamsScene(service_url=connector.url, aad_object_id="6e2b8d4f-1a3c-4e5b-9d7f-"
                          "2c4e6a8b0d1f", user_name="Ny Bruker")
    update = lead.message("status update wireless phase 2: red - the supplier is late")
    async with running_bot(settings) as url:
        mine = await exchange(url, connector, lead.message("my projects"))
        assert "Trådløst nett fase II" in mine.shown_text
        async with outage(database_url):
            answered = await exchange(url, connector, newcomer.message(QUESTION))
            assert "Hilde Johansen" in answered.shown_text, "questions need only the snapshot"
            refused = await exchange(url, connector, update)
            assert DATABASE_DOWN_EN in refused.shown_text, refused.text
            nb_lead = lead.with_options(locale="nb-NO")
            refused_nb = await exchange(url, connector, nb_lead.message("mine prosjekter"))
            assert DATABASE_DOWN_NB in refused_nb.shown_text, refused_nb.text
            assert (await probe(url, "/healthz"))[0] == 200
            assert (await probe(url, "/readyz"))[0] == 200
        stored = await exchange(url, connector, update)   # the same activity, resent
        assert "is stored" in stored.shown_text, stored.text
        assert "is stored" in (await exchange(url, connector, update)).shown_text
        await exchange(url, connector, newcomer.message(QUESTION))
    assert [r["summary"] for r in await chat_reports(portfolio)] == ["the supplier is late"]
    references = await fetch(database_url, "SELECT conversation_id FROM conversation_reference")
    assert (newcomer.base_conversation_id(),) in references, \
        "the reference missed during the outage is stored on a later turn"


# ----------------------------------------------------------------- the connector
@contextlib.asynccontextmanager
async def black_hole() -> AsyncIterator[tuple[str, list[float]]]:
    """A service URL that accepts connections and never answers; the accept times."""
    accepted: list[float] = []
    writers: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(time.monotonic())
        writers.append(writer)
        with contextlib.suppress(ConnectionError):
            await reader.read()   # until the bot gives up and closes the connection
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/", accepted
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()


async def test_a_turn_ends_inside_the_teams_window_when_the_connector_hangs(
        tmp_path: Path, connector: LocalConnector) -> None:
    portfolio = sqlite_portfolio(tmp_path)
    await load_portfolio(portfolio, demo_portfolio())
    async with running_bot(settings_for(portfolio, tmp_path)) as url, black_hole() as (
            service_url, accepted):
        scene = TeamsScene(service_url=service_url)
        started = time.monotonic()
        status, _ = await post(url, scene.message(QUESTION))
        elapsed = time.monotonic() - started
        assert status in (200, 201, 202)
        assert elapsed < TEAMS_WINDOW_SECONDS, f"the turn took {elapsed:.1f} s"
        assert len(accepted) >= 2, "the reply was retried on a new connection"
        working = TeamsScene(service_url=connector.url)
        assert "Hilde Johansen" in ((await exchange(url, connector, working.message(QUESTION)))
                                    .shown_text), "the bot is fine afterwards"


async def test_a_reply_is_delivered_once_through_a_connector_outage(
        tmp_path: Path, connector: LocalConnector) -> None:
    """503, 502, 504 and 503 again (the service is down), then it answers: one reply."""
    portfolio = sqlite_portfolio(tmp_path)
    await load_portfolio(portfolio, demo_portfolio())
    async with running_bot(settings_for(portfolio, tmp_path)) as url:
        for status in (503, 502, 504, 503):
            connector.fail_next(status, methods=["POST"])
        scene = TeamsScene(service_url=connector.url)
        started = time.monotonic()
        reply = await exchange(url, connector, scene.message(QUESTION), wait=15)
        assert time.monotonic() - started < TEAMS_WINDOW_SECONDS
        assert "Hilde Johansen" in reply.shown_text
        await asyncio.sleep(0.5)
        messages = [a for a in connector.activities if a.type == "message"]
        assert len(messages) == 1, "delivered exactly once"
        assert sum(1 for r in connector.requests if r.status >= 500) == 4


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


async def test_a_notification_queued_while_the_connector_is_down_is_delivered_later(
        database_url: str, tmp_path: Path) -> None:
    portfolio = sqlite_portfolio(tmp_path)
    await load_portfolio(portfolio, demo_portfolio())
    settings = replace(settings_for(portfolio, tmp_path, database_url), notify_api_token=TOKEN)
    connector = LocalConnector(port=free_port())
    channel = TeamsScene(service_url="", scope="channel")
    await connector.start()
    try:
        channel = replace(channel, service_url=connector.url)
        connector.members = [channel.member()]
        async with running_bot(settings) as url, ClientSession() as client:
            await exchange(url, connector, channel.message("abonner alle"))
            await connector.stop()   # the connector service is down
            notice = {"project": "all", "title": "Nedetid i kveld", "text": "DIPS er nede."}
            async with client.post(url.replace("/api/messages", "/api/notify"), json=notice,
                                   headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                assert (response.status, await response.json()) == (202, {"queued": 1})
            await asyncio.sleep(2.0)   # the worker tries, and fails to connect
            assert not [a for a in connector.activities if "Nedetid" in a.shown_text]
            await connector.start()    # back, on the same address
            [delivered] = await connector.wait_for(
                lambda a: "Nedetid i kveld" in a.shown_text, timeout=30)
            assert "DIPS er nede." in delivered.shown_text
            await until(lambda: outbox_delivered(database_url), 10, "the row marked delivered")
            await asyncio.sleep(1.0)
        assert len([a for a in connector.activities if "Nedetid" in a.shown_text]) == 1
    finally:
        await connector.stop()


async def outbox_delivered(url: str) -> bool:
    return await fetch(url, "SELECT status FROM outbox") == [("delivered",)]
