"""The status desk with a clock in hand: the undo window, and the audit trail it leaves."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.handlers.status_desk import Sender, StatusDesk
from bot.storage.bot_database import open_bot_database
from bot.storage.schema import status_update_audit
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Language, NothingToUndo, StatusPosted, StatusWithdrawn
from knowledge.portfolio.sync import Syncer
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports
from tests.conftest import TODAY


async def test_undo_only_within_ten_minutes_and_everything_audited(demo_url: str) -> None:
    now = [TODAY]
    syncer = Syncer(demo_url)
    await syncer.sync()
    database = await open_bot_database(demo_url)
    try:
        desk = StatusDesk(database, syncer, Answerer(lambda: syncer.snapshot), lambda: now[0])
        who = Sender(MAGNUS, "a:personal", "activity-1")
        draft = desk.draft("status trådløst nett fase II: rød – strømbrudd")
        assert draft is not None
        posted = await desk.post_message(draft, who)
        assert isinstance(posted, StatusPosted) and posted.report.summary == "strømbrudd"
        now[0] = TODAY + timedelta(minutes=11)
        assert isinstance(await desk.undo(who, Language.NB), NothingToUndo)
        assert len(await chat_reports(demo_url)) == 1

        second = await desk.post_message(draft, Sender(MAGNUS, "a:personal", "activity-2"))
        assert isinstance(second, StatusPosted)
        now[0] += timedelta(minutes=9)
        assert isinstance(await desk.undo(who, Language.NB), StatusWithdrawn)
        assert len(await chat_reports(demo_url)) == 1
        async with database.engine.connect() as connection:
            rows = (await connection.execute(
                select(status_update_audit.c.action, status_update_audit.c.project_id,
                       status_update_audit.c.actor_aad_object_id)
                .order_by(status_update_audit.c.id))).all()
        assert [tuple(r) for r in rows] == [("post", 17, MAGNUS), ("post", 17, MAGNUS),
                                            ("undo", 17, MAGNUS)]
    finally:
        await database.close()
        await syncer.close()


def test_status_is_taken_from_teams_and_from_the_emulator_only_locally() -> None:
    def sender(channel: str, local: bool) -> Sender:
        return Sender(MAGNUS, "a:personal", "activity-1", channel, local)

    assert sender("msteams", False).may_change_status
    assert sender("msteams", True).may_change_status
    assert sender("emulator", True).may_change_status
    assert not sender("emulator", False).may_change_status, "with an app id: not the Emulator"
    for channel in ("webchat", "directline", "slack", "test", ""):
        assert not sender(channel, True).may_change_status, channel
