"""The bot running over real HTTP: `create_app` on a free 127.0.0.1 port, on the demo portfolio.

Its own database is the same database as the portfolio (different tables), so the PostgreSQL
run of each test exercises the bot database on PostgreSQL too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.settings import Settings
from bot.web.app import create_app


def settings_for(portfolio_url: str, tmp_path: Path, bot_url: str | None = None) -> Settings:
    base = Settings.from_environment({"PORTFOLIOBOT_DATA_DIR": str(tmp_path)})
    # No heap freezing: a full collection of the test process's heap at every app start would
    # cost seconds over the suite (tests/bot/runtime/test_heap.py covers it).
    return replace(base, portfolio_database_url=portfolio_url,
                   bot_database_url=bot_url or portfolio_url, freeze_heap=False)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[str]:
    """The bot's /api/messages URL, once its first sync is done (bounded wait)."""
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as client:
            for _ in range(200):
                async with client.get(server.make_url("/readyz")) as response:
                    if response.status == 200:
                        break
                await asyncio.sleep(0.05)
        yield str(server.make_url("/api/messages"))
    finally:
        await server.close()


@pytest.fixture
async def connector() -> AsyncIterator[LocalConnector]:
    async with LocalConnector() as stand_in:
        yield stand_in


@pytest.fixture
async def bot_url(demo_url: str, tmp_path: Path) -> AsyncIterator[str]:
    async with running_bot(settings_for(demo_url, tmp_path)) as url:
        yield url


async def post(url: str, body: Any, content_type: str = "application/json") -> tuple[int, str]:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    async with ClientSession() as client, client.post(
            url, data=data, headers={"Content-Type": content_type}) as response:
        return response.status, await response.text()


async def exchange(url: str, connector: LocalConnector, body: dict[str, Any],
                   ) -> RecordedActivity:
    """POST one activity and the one message the bot sends for it (bounded wait)."""
    seen = len(connector.activities)
    status, _ = await post(url, body)
    assert status in (200, 201), status
    [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen, timeout=10)
    return reply
