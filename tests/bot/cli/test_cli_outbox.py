"""`portfoliobot outbox` and `portfoliobot outbox retry ID`, the real console script."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.notifications.outbox import Notification, OutboxStore
from bot.storage.bot_database import open_bot_database

SCRIPT = Path(sys.executable).with_name("portfoliobot")


async def run(*args: str, bot_url: str, data_dir: Path) -> tuple[int, str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PORTFOLIO", "BOT_", "Microsoft"))}
    env.update(BOT_DATABASE_URL=bot_url, PORTFOLIOBOT_DATA_DIR=str(data_dir),
               PYTHONIOENCODING="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT), *args, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_outbox_lists_counts_and_rows_and_requeues_dead_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    database = await open_bot_database(url)
    try:
        store = OutboxStore(database)
        await store.enqueue_now(["a:1", "a:2", "a:3"], "event:1",
                                Notification(title="RP-003 er rød", text="Forsinket."))
        one, two, _ = await store.claim(3, lease_seconds=60)
        await store.mark_delivered(one.id)
        await store.mark_dead(two.id, "HTTP 403 from the connector")
    finally:
        await database.close()

    code, out, err = await run("outbox", bot_url=url, data_dir=tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == ("outbox: 0 queued (0 failed, waiting to retry), 1 sending, "
                                   "1 delivered, 1 dead")
    assert len(out.splitlines()) == 4 and "'RP-003 er rød'" in out

    code, out, err = await run("outbox", "--status", "dead", bot_url=url, data_dir=tmp_path)
    assert code == 0
    [_, dead] = out.splitlines()
    assert dead.split()[:2] == [str(two.id), "dead"] and "HTTP 403" in dead

    code, out, err = await run("outbox", "retry", str(two.id), bot_url=url, data_dir=tmp_path)
    assert (code, out, err) == (0, f"requeued outbox row {two.id}\n", "")
    code, out, _ = await run("outbox", "--status", "queued", bot_url=url, data_dir=tmp_path)
    assert out.splitlines()[1].split()[:2] == [str(two.id), "queued"]

    for row_id, why in ((str(one.id), "it is delivered, not dead"), ("999", "no such row")):
        code, out, err = await run("outbox", "retry", row_id, bot_url=url, data_dir=tmp_path)
        assert code == 2 and out == ""
        assert err == f"portfoliobot: cannot requeue outbox row {row_id}: {why}\n"
