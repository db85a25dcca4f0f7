"""Odd HTTP that once gave a 500 or said too much (issue 12, items 4 and 7), through real HTTP.

An unknown charset in the Content-Type, a non-ASCII byte in a header, a delivery mode Teams
never uses: each gets a JSON 4xx (or the answer the protocol asks for), never a 500, and the
bot still answers a normal question afterwards. `/readyz` says ready or not and the
snapshot's age, and nothing about the databases behind it.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import running_bot, settings_for

TOKEN = "odd-http-notify-token"
JSON = "application/json"


@pytest.fixture
async def bot(tmp_path: Path, connector: LocalConnector) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(url, demo_portfolio())
    async with running_bot(replace(settings_for(url, tmp_path), notify_api_token=TOKEN)) as base:
        yield base


def raw_post(url: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """POST with header bytes exactly as given (aiohttp's client would refuse 0xff). Blocking:
    run it in a thread, the bot under test shares this event loop."""
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    lines = [b"POST " + path.encode() + b" HTTP/1.1", b"Host: " + host_port.encode(),
             b"Content-Length: " + str(len(body)).encode(), b"Connection: close",
             *(name + b": " + value for name, value in headers)]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := sock.recv(65536)):
            received += chunk
        head, _, rest = received.partition(b"\r\n\r\n")
        fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
        length = int(fields.get(b"Content-Length", b"0").strip())
        while len(rest) < length and (chunk := sock.recv(65536)):
            rest += chunk
    return int(head.split(b" ", 2)[1]), rest


async def post(url: str, body: bytes, content_type: str,
               headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with ClientSession(skip_auto_headers=("Content-Type",)) as client, client.post(
            url, data=body, headers={"Content-Type": content_type, **(headers or {})}) as response:
        return response.status, await response.text()


async def test_an_unknown_charset_is_a_415_on_both_endpoints(bot: str, connector: LocalConnector
                                                             ) -> None:
    message = json.dumps(TeamsScene(service_url=connector.url).message("hei")).encode()
    notify = bot.replace("/api/messages", "/api/notify")
    for url, headers in ((bot, {}), (notify, {"Authorization": f"Bearer {TOKEN}"}),
                         (notify, {})):
        status, text = await post(url, message, "application/json; charset=does-not-exist",
                                  headers)
        assert status in (401, 415), (url, headers, status, text)
        assert "error" in json.loads(text)
    # A charset that exists but is not UTF-8 is refused as well: Bot Framework sends UTF-8.
    status, text = await post(bot, message, "application/json; charset=latin-1")
    assert status == 415 and "utf-8" in json.loads(text)["error"].lower()
    # UTF-8 spelt either way is fine.
    for content_type in ("application/json; charset=utf-8", "application/json; charset=UTF8"):
        status, _ = await post(bot, message, content_type)
        assert status in (200, 201), content_type
    assert len(await connector.wait_for(2)) == 2


async def test_a_non_ascii_byte_in_the_notify_authorization_header_is_a_401(bot: str) -> None:
    notify = bot.replace("/api/messages", "/api/notify")
    body = json.dumps({"project": "all", "title": "t", "text": "x"}).encode()
    for value in (b"Bearer \xff", b"\xff\xfe", b"Bearer " + TOKEN.encode() + b"\xff"):
        status, rest = await asyncio.to_thread(raw_post, notify, body, [(b"Content-Type", b"application/json"),
                                                (b"Authorization", value)])
        assert status == 401, (value, rest[:200])


async def test_expect_replies_is_refused_with_a_reason(bot: str, connector: LocalConnector
                                                       ) -> None:
    """Teams never asks for `expectReplies`; a client that does gets a 400 saying so."""
    activity = TeamsScene(service_url=connector.url).message("Hvem eier DHO?")
    activity["deliveryMode"] = "expectReplies"
    status, text = await post(bot, json.dumps(activity).encode(), JSON)
    assert status == 400, text
    assert "deliveryMode" in json.loads(text)["error"]
    activity["deliveryMode"] = "normal"
    status, _ = await post(bot, json.dumps(activity).encode(), JSON)
    assert status in (200, 201)
    assert await connector.wait_for(1)


async def test_readyz_says_ready_and_age_only(bot: str) -> None:
    async with ClientSession() as client, client.get(
            bot.replace("/api/messages", "/readyz")) as response:
        body = await response.json()
    assert response.status == 200
    assert set(body) == {"ready", "snapshot_age_seconds"}
    assert body["ready"] is True and isinstance(body["snapshot_age_seconds"], float | int)
