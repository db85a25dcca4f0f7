"""LOG_FORMAT=json: the formatter itself, and the real `portfoliobot serve` logging JSON lines."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.observability.log_format import JsonFormatter, formatter_for, use_log_format
from bot.settings import Settings, SettingsError
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import post

SCRIPT = Path(sys.executable).with_name("portfoliobot")
QUESTION = "Hvem eier Regional EPJ-modernisering?"


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("portfoliobot.turn", logging.INFO, __file__, 1, message, args,
                               None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_is_one_json_line_with_its_extra_fields() -> None:
    line = JsonFormatter().format(_record("turn type=%s", "message",
                                          turn={"type": "message", "duration_ms": 1.5},
                                          odd=object()))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "portfoliobot.turn"
    assert entry["message"] == "turn type=message"
    assert entry["turn"] == {"type": "message", "duration_ms": 1.5}
    assert entry["odd"].startswith("<object object")   # not JSON: its str()
    assert entry["time"].endswith("+00:00")
    assert "args" not in entry and "msg" not in entry and "exception" not in entry


def test_an_exception_is_kept_as_one_field() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("portfoliobot", logging.ERROR, __file__, 1, "failed", None,
                                   sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed"
    assert "Traceback" in entry["exception"] and "ValueError: boom" in entry["exception"]


def test_use_log_format_sets_every_root_handler() -> None:
    root = logging.Logger("root-for-test")
    first, second = logging.StreamHandler(), logging.StreamHandler()
    root.addHandler(first)
    root.addHandler(second)
    use_log_format("json", root)
    assert isinstance(first.formatter, JsonFormatter) and isinstance(second.formatter,
                                                                     JsonFormatter)
    use_log_format("text", root)
    assert not isinstance(first.formatter, JsonFormatter)
    with pytest.raises(ValueError, match="unknown log format"):
        formatter_for("xml")


def test_log_format_setting(tmp_path: Path) -> None:
    base = {"PORTFOLIOBOT_DATA_DIR": str(tmp_path)}
    assert Settings.from_environment(base).log_format == "text"
    assert Settings.from_environment({**base, "LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT must be text or json"):
        Settings.from_environment({**base, "LOG_FORMAT": "yaml"})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_with_json_logs_writes_json_lines_without_message_text(
        tmp_path: Path, connector: LocalConnector) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    await load_portfolio(f"sqlite:///{data_dir / 'portfolio.db'}", demo_portfolio())
    port = _free_port()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PORTFOLIO", "BOT_", "Microsoft", "LOG_"))}
    env.update(PORTFOLIOBOT_DATA_DIR=str(data_dir), LOG_FORMAT="json", HOST="127.0.0.1",
               PORT=str(port), PYTHONIOENCODING="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT), "serve", env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/api/messages"
        scene = TeamsScene(service_url=connector.url, scope="personal")
        for _ in range(200):   # until it listens (bounded: 20 s)
            try:
                status, _ = await post(url, scene.message(QUESTION))
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            pytest.fail("portfoliobot serve did not start listening within 20 s")
        assert status in (200, 201)
        await connector.wait_for(lambda a: a.type == "message")
    finally:
        process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 30)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]   # every line is one JSON object
    turns = [e for e in entries if e["logger"] == "portfoliobot.turn"]
    assert turns and turns[-1]["turn"]["type"] == "message"
    assert turns[-1]["turn"]["outcome"] == "ok" and turns[-1]["turn"]["duration_ms"] >= 0
    assert not any("EPJ" in line for line in lines), "no message text at INFO"
