"""Issue 16, item 5: when notifications to a conversation die, it is told once, when it can be.

The delivery rig (`tests.bot.notifications.delivery_rig`): the real worker and outbound adapter
against a LocalConnector on 127.0.0.1 that fails as told, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cli.local_connector import RecordedActivity
from bot.notifications.outbox import Notification
from bot.notifications.trouble import TROUBLE_KEY, DeliveryTrouble, TroubleNotices
from knowledge.answers.answers import Language
from knowledge.answers.phrases import format_date
from tests.bot.notifications.delivery_rig import (
    FAST,
    PERSONAL,
    Rig,
    notice,
    reference_for,
    row_for,
)

NOVEMBER_2 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def told(rig: Rig) -> list[RecordedActivity]:
    """The trouble notices the connector was sent."""
    return [a for a in rig.connector.activities
            if "kom ikke fram" in a.shown_text or "did not arrive" in a.shown_text
            or "kom ikkje fram" in a.shown_text]


async def kill(rig: Rig, *keys: str) -> None:
    """Queue these notifications and let them die: every attempt answered 502."""
    worker = rig.make_worker(max_attempts=1)
    for key in keys:
        await rig.store.enqueue_now([PERSONAL], key, notice())
    rig.connector.fail_next(502, times=len(keys) * FAST.max_attempts)
    assert await worker.deliver_once() == len(keys)
    statuses = {row.dedupe_key: row.status for row in await rig.store.rows()}
    assert all(statuses[key] == "dead" for key in keys), statuses


async def test_a_streak_of_dead_notifications_is_told_once_when_delivery_works_again(
        rig: Rig) -> None:
    await kill(rig, "event:1", "event:2")
    notices = [row for row in await rig.store.rows() if row.dedupe_key.startswith(TROUBLE_KEY)]
    assert [(row.dedupe_key, row.status) for row in notices] == [("delivery-trouble:0", "queued")]
    assert await rig.worker.deliver_once() == 1   # the connector answers again
    [posted] = told(rig)
    today = format_date(rig.clock(), Language.NB)
    assert posted.shown_text.startswith("Varsler kom ikke fram")
    assert (f"2 varsler til denne samtalen kunne ikke leveres ({today}): feil hos Teams. "
            "Skriv «abonnementer» for å se hvordan leveringen går nå.") in posted.shown_text
    assert await rig.worker.deliver_once() == 0
    assert len(told(rig)) == 1, "said once"

    await kill(rig, "event:3")   # a new streak, after the notice got through
    await rig.worker.deliver_once()
    assert len(told(rig)) == 2
    assert "Ett varsel til denne samtalen kunne ikke leveres" in told(rig)[-1].shown_text, \
        "the new streak counts only its own"


async def test_a_notice_that_cannot_be_delivered_waits_for_the_next_chance(rig: Rig) -> None:
    await kill(rig, "event:1")
    worker = rig.make_worker(max_attempts=1)
    rig.connector.fail_next(502, times=FAST.max_attempts)
    assert await worker.deliver_once() == 1   # the notice dies as well …
    assert [(row.dedupe_key, row.status) for row in await rig.store.rows()] == [
        ("delivery-trouble:0", "dead"), ("event:1", "dead")], "… and queues no notice of its own"
    await kill(rig, "event:2")   # the next notification of the streak dies: told again
    [notice_row] = [row for row in await rig.store.rows()
                    if row.dedupe_key.startswith(TROUBLE_KEY)]
    assert notice_row.status == "queued" and notice_row.attempts == 0
    await rig.worker.deliver_once()
    [posted] = told(rig)
    assert "2 varsler til denne samtalen kunne ikke leveres" in posted.shown_text


async def test_the_app_removed_then_added_again(rig: Rig) -> None:
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    rig.connector.fail_next(403)   # the app was removed
    await rig.worker.deliver_once()
    await rig.worker.deliver_once()   # the notice cannot go: the conversation is disabled
    assert told(rig) == [] and len(rig.connector.requests) == 1
    assert {row.status for row in await rig.store.rows()} == {"dead"}

    await rig.store.save_reference(reference_for(rig.connector), "personal")   # added again
    assert await TroubleNotices(rig.store).revive(PERSONAL) == 1
    await rig.worker.deliver_once()
    [posted] = told(rig)
    assert "Ett varsel til denne samtalen kunne ikke leveres" in posted.shown_text
    assert "appen er fjernet fra samtalen" in posted.shown_text
    assert await TroubleNotices(rig.store).revive(PERSONAL) == 0, "a delivered notice stays so"


async def test_nothing_left_to_tell_withdraws_the_notice(rig: Rig) -> None:
    await kill(rig, "event:1")
    assert await rig.store.requeue((await row_for(rig.store, "event:1")).id)   # someone sent it again by hand
    await rig.worker.deliver_once()
    assert told(rig) == []
    assert {row.dedupe_key: row.status for row in await rig.store.rows()} == {
        "event:1": "delivered", "delivery-trouble:0": "withdrawn"}


async def test_a_refused_tenant_is_not_told(rig: Rig) -> None:
    """Nobody in a tenant the bot does not serve may be told anything."""
    worker = rig.make_worker(allowed_tenants={"another-tenant"})
    await rig.store.enqueue_now([PERSONAL], "event:1", notice())
    await worker.deliver_once()
    assert [(row.dedupe_key, row.status) for row in await rig.store.rows()] == [
        ("event:1", "dead")]
    assert rig.connector.requests == []


def test_the_notice_is_worded_in_each_language() -> None:
    first, last = NOVEMBER_2, NOVEMBER_2.replace(day=4)
    trouble = DeliveryTrouble(2, first, last, "gave up after 8 attempt(s): HTTP 503")
    words = {code: TroubleNotices.notification(trouble, code) for code in ("nb", "nn", "en", "xx")}
    assert words["nb"].text.startswith("2 varsler til denne samtalen kunne ikke leveres "
                                       "(02.11.2026–04.11.2026): feil hos Teams.")
    assert words["nn"].title == "Varsel kom ikkje fram"
    assert words["nn"].text.startswith("2 varsel til denne samtalen kunne ikkje leverast")
    assert words["en"].text.startswith("2 notices to this conversation could not be delivered "
                                       "(2026-11-02 to 2026-11-04): an error at Teams.")
    assert words["xx"] == Notification(words["nb"].title, words["nb"].text, language="nb"), \
        "an unknown language falls back to bokmål"
